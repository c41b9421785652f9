"""PollStore against a real SQLite file: votes in groups, one open poll per channel, soft close."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage import INTEGRITY_ERRORS, Database
from cogs.poll.logic import Tally
from cogs.poll.store import (
    MAX_GROUP,
    PollAlreadyOpen,
    PollStore,
    VoteRequest,
    VoteStatus,
)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 1001, 2002
CHANNEL = 11


@pytest.fixture
def store(db: Database) -> PollStore:
    return PollStore(db)


async def open_poll(store: PollStore, channel: int = CHANNEL, hours: int = 24, **kw: object) -> int:
    poll = await store.create(
        guild_id=int(kw.get("guild_id", GUILD)),  # type: ignore[arg-type]
        channel_id=channel,
        matchup_id=kw.get("matchup_id", "m1"),  # type: ignore[arg-type]
        kpop_label="TWICE “I Want You Back”",
        classic_label="The Jackson 5 “I Want You Back”",
        started_by=7,
        opened_at=NOW,
        closes_at=NOW + timedelta(hours=hours),
    )
    await store.set_message(poll.id, 5000 + poll.id)
    return poll.id


def vote(poll_id: int, user: int, side: str = "kpop", guild: int = GUILD) -> VoteRequest:
    return VoteRequest(poll_id, guild, user, side, None)  # type: ignore[arg-type]


async def test_first_vote_switch_and_repeat(store: PollStore) -> None:
    pid = await open_poll(store)
    out = await store.record_votes([vote(pid, 1, "kpop")], NOW)
    assert [o.status for o in out] == [VoteStatus.RECORDED]
    out = await store.record_votes([vote(pid, 1, "kpop")], NOW)
    assert [o.status for o in out] == [VoteStatus.UNCHANGED]
    out = await store.record_votes([vote(pid, 1, "classic")], NOW)
    assert [o.status for o in out] == [VoteStatus.MOVED]
    assert await store.tally(pid) == Tally(0, 1)
    assert await store.vote_of(pid, 1) == "classic"
    assert await store.turnout(pid) == 1


async def test_a_group_decides_each_vote_in_order(store: PollStore) -> None:
    pid = await open_poll(store)
    group = [
        vote(pid, 1, "kpop"),
        vote(pid, 2, "classic"),
        vote(pid, 1, "kpop"),  # same member, same side, later in the same group
        vote(pid, 1, "classic"),  # and then switching, still in the same group
        vote(pid + 99, 3, "kpop"),  # no such poll
        vote(pid, 4, "kpop", guild=OTHER_GUILD),  # a custom_id carried to another server
    ]
    out = await store.record_votes(group, NOW)
    assert [o.status for o in out] == [
        VoteStatus.RECORDED,
        VoteStatus.RECORDED,
        VoteStatus.UNCHANGED,
        VoteStatus.MOVED,
        VoteStatus.UNKNOWN,
        VoteStatus.UNKNOWN,
    ]
    assert await store.tally(pid) == Tally(0, 2)
    assert await store.vote_of(pid, 4) is None


async def test_group_is_one_transaction(store: PollStore, tmp_path: Path) -> None:
    """A failure inside the group rolls back every vote in it (none half-stored)."""
    pid = await open_poll(store)
    refused = vote(pid, 666, side="neither")  # the CHECK constraint refuses it
    with pytest.raises(INTEGRITY_ERRORS):
        await store.record_votes([vote(pid, 1), refused], NOW)
    assert await store.turnout(pid) == 0


async def test_group_size_is_bounded(store: PollStore) -> None:
    pid = await open_poll(store)
    with pytest.raises(ValueError):
        await store.record_votes([vote(pid, u) for u in range(MAX_GROUP + 1)], NOW)
    out = await store.record_votes([vote(pid, u) for u in range(MAX_GROUP)], NOW)
    assert all(o.status is VoteStatus.RECORDED for o in out)
    assert await store.turnout(pid) == MAX_GROUP


async def test_message_id_must_match_when_known(store: PollStore) -> None:
    pid = await open_poll(store)
    wrong = VoteRequest(pid, GUILD, 1, "kpop", message_id=1)
    right = VoteRequest(pid, GUILD, 2, "kpop", message_id=5000 + pid)
    out = await store.record_votes([wrong, right], NOW)
    assert [o.status for o in out] == [VoteStatus.UNKNOWN, VoteStatus.RECORDED]


async def test_one_open_poll_per_channel(store: PollStore) -> None:
    first = await open_poll(store)
    with pytest.raises(PollAlreadyOpen) as raised:
        await open_poll(store)
    assert raised.value.poll is not None and raised.value.poll.id == first
    other = await open_poll(store, channel=CHANNEL + 1)
    assert [p.id for p in await store.open_in_guild(GUILD)] == [other, first]
    await store.close(first, NOW, "ended")
    again = await open_poll(store)
    assert again > other


async def test_concurrent_starts_in_one_channel_only_one_wins(store: PollStore) -> None:
    results = await asyncio.gather(*(open_poll(store) for _ in range(5)), return_exceptions=True)
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, PollAlreadyOpen) for r in results) == 4


async def test_close_freezes_the_tally_once_and_keeps_the_votes(store: PollStore) -> None:
    pid = await open_poll(store)
    await store.record_votes(
        [vote(pid, 1, "kpop"), vote(pid, 2, "kpop"), vote(pid, 3, "classic")], NOW
    )
    closed = await store.close(pid, NOW + timedelta(hours=1), "ended")
    assert closed is not None and closed.final == Tally(2, 1) and not closed.is_open
    assert closed.close_reason == "ended" and not closed.announced
    assert await store.close(pid, NOW + timedelta(hours=2), "deadline") is None
    out = await store.record_votes([vote(pid, 4, "classic"), vote(pid, 1, "classic")], NOW)
    assert [o.status for o in out] == [VoteStatus.CLOSED, VoteStatus.CLOSED]
    assert await store.tally(pid) == Tally(2, 1)  # soft close: rows kept, nothing new stored
    assert [p.id for p in await store.unannounced()] == [pid]
    await store.mark_announced(pid)
    assert await store.unannounced() == []
    assert [p.id for p in await store.closed_polls(GUILD)] == [pid]


async def test_due_and_next_deadline(store: PollStore) -> None:
    short = await open_poll(store, hours=1)
    long = await open_poll(store, channel=CHANNEL + 1, hours=48)
    assert await store.next_deadline() == NOW + timedelta(hours=1)
    assert await store.due(NOW + timedelta(minutes=59)) == []
    assert [p.id for p in await store.due(NOW + timedelta(hours=1))] == [short]
    assert [p.id for p in await store.due(NOW + timedelta(days=3))] == [short, long]


async def test_unposted_polls_are_closed_and_left_out(store: PollStore) -> None:
    pid = await open_poll(store)
    await store.discard(pid, NOW)
    assert (await store.get(pid)).close_reason == "unposted"  # type: ignore[union-attr]
    assert await store.closed_polls(GUILD) == []
    assert await store.open_polls_with_votes() == ([], [])
    assert await store.matchups_used(GUILD) == {}
    out = await store.record_votes([vote(pid, 1)], NOW)
    assert out[0].status is VoteStatus.UNKNOWN


async def test_closed_polls_in_closing_order_and_matchups_used(store: PollStore) -> None:
    a = await open_poll(store, matchup_id="m1")
    b = await open_poll(store, channel=CHANNEL + 1, matchup_id=None)
    await store.record_votes([vote(a, 1, "kpop")], NOW)
    # b closes first although a was opened first: the latest result is a's.
    await store.close(b, NOW, "ended")
    await store.close(a, NOW + timedelta(minutes=5), "deadline")
    other = await open_poll(store, channel=99, guild_id=OTHER_GUILD, matchup_id="m2")
    await store.close(other, NOW, "ended")
    closed = await store.closed_polls(GUILD)
    assert [(p.id, p.final) for p in closed] == [(b, Tally(0, 0)), (a, Tally(1, 0))]
    assert closed[-1].close_reason == "deadline"
    assert set(await store.matchups_used(GUILD)) == {"m1"}


async def test_open_polls_with_votes_leaves_closed_polls_out(store: PollStore) -> None:
    a = await open_poll(store)
    b = await open_poll(store, channel=CHANNEL + 1, guild_id=OTHER_GUILD)
    gone = await open_poll(store, channel=CHANNEL + 2)
    await store.record_votes(
        [vote(a, 1, "kpop"), vote(a, 2, "classic"), vote(b, 1, "classic", guild=OTHER_GUILD)],
        NOW,
    )
    await store.record_votes([vote(a, 2, "kpop"), vote(gone, 3, "kpop")], NOW)
    await store.close(gone, NOW, "ended")
    polls, votes = await store.open_polls_with_votes()
    assert sorted(p.id for p in polls) == [a, b]
    assert all(p.is_open and p.message_id == 5000 + p.id for p in polls)
    assert sorted(votes) == [(a, 1, "kpop"), (a, 2, "kpop"), (b, 1, "classic")]


async def test_close_rejects_unknown_reason(store: PollStore) -> None:
    pid = await open_poll(store)
    with pytest.raises(ValueError):
        await store.close(pid, NOW, "because")


async def test_a_vote_write_commits_or_rolls_back_whole(store: PollStore) -> None:
    """Votes written in a transaction that fails half-way leave nothing behind, on either engine."""
    pid = await open_poll(store)
    insert = "INSERT INTO poll_votes(poll_id, user_id, side, voted_at) VALUES (?, ?, 'kpop', 0)"
    async with store.db.begin() as tx:
        await tx.execute(insert, (pid, 1))
    with pytest.raises(RuntimeError):
        async with store.db.begin() as tx:
            await tx.execute(insert, (pid, 2))
            raise RuntimeError("half-way")
    assert await store.turnout(pid) == 1  # the failed one left nothing behind
    # The connection is usable afterwards (no transaction left open).
    async with store.db.begin() as tx:
        await tx.execute(insert, (pid, 3))
    assert await store.turnout(pid) == 2


async def test_a_close_between_the_read_and_the_write_stores_nothing(
    store: PollStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write's own guard, not the earlier read, decides: a vote for a poll closed in between
    is reported closed and left out of the frozen tally."""
    pid = await open_poll(store)
    await store.record_votes([vote(pid, 1, "kpop")], NOW)
    read = store.db.fetchall
    calls = 0

    async def close_after_the_read(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        nonlocal calls
        calls += 1
        rows = await read(sql, params)
        if calls == 1:
            await store.close(pid, NOW, "ended")
        return rows

    monkeypatch.setattr(store.db, "fetchall", close_after_the_read)
    out = await store.record_votes([vote(pid, 2, "classic"), vote(pid, 1, "classic")], NOW)
    monkeypatch.undo()
    assert [o.status for o in out] == [VoteStatus.CLOSED, VoteStatus.CLOSED]
    closed = await store.get(pid)
    assert closed is not None and closed.final == Tally(1, 0)
    assert await store.tally(pid) == Tally(1, 0)
