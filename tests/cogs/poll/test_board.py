"""cogs.poll.board: the open-poll mirror and the closed records, as pure logic and over a real store."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from cogs.poll.board import ClosedRecord, LivePoll, OpenPolls, PollBoard
from cogs.poll.logic import Round, Side, Tally, standings
from cogs.poll.store import Poll, PollStore, VoteOutcome, VoteRequest, VoteStatus

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GUILD, OTHER = 1001, 2002


def poll(poll_id: int, guild: int = GUILD, *, opened: int = 0, **changes: object) -> Poll:
    row = Poll(
        id=poll_id,
        guild_id=guild,
        channel_id=100 + poll_id,
        message_id=5000 + poll_id,
        matchup_id=None,
        kpop_label=f"K{poll_id}",
        classic_label=f"C{poll_id}",
        started_by=7,
        opened_at=NOW + timedelta(minutes=opened),
        closes_at=NOW + timedelta(hours=24),
        closed_at=None,
        close_reason=None,
        final=None,
        announced=False,
    )
    return replace(row, **changes)  # type: ignore[arg-type]


def closed(poll_id: int, tally: Tally, minute: int, guild: int = GUILD) -> Poll:
    return poll(
        poll_id,
        guild,
        closed_at=NOW + timedelta(minutes=minute),
        close_reason="ended",
        final=tally,
        announced=True,
    )


def vote(poll_id: int, user: int, side: Side, guild: int = GUILD) -> VoteRequest:
    return VoteRequest(poll_id, guild, user, side)


def ids(polls: list[LivePoll]) -> list[int]:
    return [p.poll.id for p in polls]


# ---------------------------------------------------------------------- OpenPolls
def test_load_groups_polls_by_server_most_recent_first() -> None:
    mirror = OpenPolls()
    mirror.load(
        [poll(1, opened=0), poll(2, opened=30), poll(3, OTHER), poll(4, opened=30)],
        [(1, 10, "kpop"), (1, 11, "classic"), (3, 10, "classic"), (99, 10, "kpop")],
    )
    assert len(mirror) == 4
    # Newest first; the same opening minute: the higher id first (as PollStore.open_in_guild).
    assert ids(mirror.in_guild(GUILD)) == [4, 2, 1]
    assert ids(mirror.in_guild(OTHER)) == [3]
    assert mirror.in_guild(12345) == []
    first = mirror.get(1)
    assert first is not None and first.turnout == 2
    assert first.vote_of(10) == "kpop" and first.vote_of(11) == "classic"
    assert first.vote_of(12) is None
    assert mirror.get(99) is None  # a vote for an unknown poll created nothing


def test_load_replaces_everything() -> None:
    mirror = OpenPolls()
    mirror.load([poll(1)], [(1, 10, "kpop")])
    mirror.load([poll(2)], [])
    assert mirror.get(1) is None and ids(mirror.in_guild(GUILD)) == [2]


def test_votes_set_the_members_side_and_only_stored_outcomes_count() -> None:
    mirror = OpenPolls()
    mirror.opened(poll(1))
    row = mirror.get(1)
    assert row is not None
    votes = [vote(1, 10, "kpop"), vote(1, 11, "classic"), vote(1, 12, "kpop"), vote(1, 13, "kpop")]
    outcomes = [
        VoteOutcome(VoteStatus.RECORDED, row.poll),
        VoteOutcome(VoteStatus.RECORDED, row.poll),
        VoteOutcome(VoteStatus.UNKNOWN),  # refused: nothing stored, nothing counted
        VoteOutcome(VoteStatus.CLOSED, row.poll),
    ]
    mirror.apply(votes, outcomes)
    assert row.votes == {10: "kpop", 11: "classic"}
    mirror.apply([vote(1, 10, "classic")], [VoteOutcome(VoteStatus.MOVED, row.poll)])
    assert row.votes == {10: "classic", 11: "classic"} and row.turnout == 2


def test_applying_a_group_twice_or_late_counts_nothing_twice() -> None:
    mirror = OpenPolls()
    mirror.opened(poll(1))
    row = mirror.get(1)
    assert row is not None
    group = [vote(1, 10, "kpop"), vote(1, 11, "kpop")]
    recorded = [VoteOutcome(VoteStatus.RECORDED, row.poll)] * 2
    mirror.apply(group, recorded)
    mirror.apply(group, recorded)
    assert row.turnout == 2


def test_a_closed_poll_is_forgotten_and_never_brought_back() -> None:
    mirror = OpenPolls()
    mirror.opened(poll(1))
    mirror.opened(poll(2))
    row = mirror.get(1)
    assert row is not None
    assert mirror.closed(1) == row.poll
    assert mirror.closed(1) is None  # idempotent
    # A group committed before the close whose outcomes arrive after it: ignored.
    mirror.apply([vote(1, 10, "kpop")], [VoteOutcome(VoteStatus.RECORDED, row.poll)])
    assert mirror.get(1) is None and ids(mirror.in_guild(GUILD)) == [2]
    mirror.closed(2)
    assert mirror.in_guild(GUILD) == [] and len(mirror) == 0


def test_a_changed_open_row_keeps_its_votes_and_a_closed_row_removes_it() -> None:
    mirror = OpenPolls()
    mirror.opened(poll(1, message_id=None))
    mirror.apply([vote(1, 10, "kpop")], [VoteOutcome(VoteStatus.RECORDED)])
    mirror.opened(poll(1))  # the message was posted
    row = mirror.get(1)
    assert row is not None and row.poll.message_id == 5001 and row.votes == {10: "kpop"}
    mirror.opened(closed(1, Tally(1, 0), 5))
    assert mirror.get(1) is None


# ---------------------------------------------------------------------- ClosedRecord
def test_closed_record_of_nothing() -> None:
    record = ClosedRecord.of([])
    assert record.latest is None and record.standings.rounds == 0


def test_closed_record_latest_is_the_last_to_close_and_standings_count_all() -> None:
    rows = [closed(2, Tally(4, 1), 10), closed(1, Tally(1, 1), 20)]
    record = ClosedRecord.of(rows)
    assert record.latest == rows[-1]
    assert record.standings == standings(
        [Round(2, "K2 vs C2", Tally(4, 1)), Round(1, "K1 vs C1", Tally(1, 1))]
    )
    assert (record.standings.kpop_wins, record.standings.ties) == (1, 1)


# ---------------------------------------------------------------------- PollBoard over SQLite
@pytest.fixture
def board(db: Database) -> PollBoard:
    return PollBoard(PollStore(db), max_servers=2)


async def start(board: PollBoard, channel: int, guild: int = GUILD) -> Poll:
    return await board.create(
        guild_id=guild,
        channel_id=channel,
        matchup_id=None,
        kpop_label="TWICE “I Want You Back”",
        classic_label="The Jackson 5 “I Want You Back”",
        started_by=7,
        opened_at=NOW,
        closes_at=NOW + timedelta(hours=24),
    )


async def cast(board: PollBoard, *votes: VoteRequest) -> list[VoteOutcome]:
    """What the VoteBatcher does: commit, then tell the board."""
    outcomes = await board.store.record_votes(votes, NOW)
    board.committed(votes, outcomes)
    return outcomes


def count_calls(board: PollBoard, name: str) -> list[int]:
    """Count calls to one of the store's methods (the reads the board should spare)."""
    calls: list[int] = []
    original = getattr(board.store, name)

    async def counted(*args: object) -> object:
        calls.append(1)
        return await original(*args)

    setattr(board.store, name, counted)
    return calls


async def test_a_vote_between_the_post_and_set_message_counts(board: PollBoard) -> None:
    created = await start(board, 11)
    assert created.message_id is None and ids(board.open_in_guild(GUILD)) == [created.id]
    await cast(board, vote(created.id, 10, "kpop"))  # clicked before set_message ran
    posted = await board.set_message(created, 777)
    live = board.live(created.id)
    assert posted.message_id == 777 and live is not None and live.poll == posted
    assert live.turnout == 1 and live.vote_of(10) == "kpop"
    assert (await board.store.get(created.id)) == posted


async def test_a_message_id_never_saved_is_learnt_from_a_click(board: PollBoard) -> None:
    # The bot stopped after posting the poll but before set_message: the first click tells.
    created = await start(board, 11)
    clicked = VoteRequest(created.id, GUILD, 10, "kpop", message_id=888)
    (outcome,) = await cast(board, clicked)
    assert outcome.status is VoteStatus.RECORDED
    stored, live = await board.store.get(created.id), board.live(created.id)
    assert stored is not None and stored.message_id == 888
    assert live is not None and live.poll.message_id == 888 and live.turnout == 1
    # From then on the poll is bound to that message, like any other.
    elsewhere = VoteRequest(created.id, GUILD, 11, "kpop", message_id=999)
    (refused,) = await cast(board, elsewhere)
    assert refused.status is VoteStatus.UNKNOWN and live.turnout == 1


async def test_load_reads_every_open_poll_with_its_votes(board: PollBoard) -> None:
    a = await board.set_message(await start(board, 11), 1)
    b = await board.set_message(await start(board, 12, OTHER), 2)
    gone = await board.set_message(await start(board, 13), 3)
    await cast(board, vote(a.id, 10, "kpop"), vote(a.id, 11, "classic"))
    await cast(board, vote(b.id, 10, "classic", OTHER), vote(gone.id, 10, "kpop"))
    await board.close(gone.id, NOW, "ended")
    fresh = PollBoard(board.store)
    await fresh.load()
    for guild in (GUILD, OTHER):
        assert [(p.poll, p.votes) for p in fresh.open_in_guild(guild)] == [
            (p.poll, p.votes) for p in board.open_in_guild(guild)
        ]
    live = fresh.live(a.id)
    assert live is not None and live.votes == {10: "kpop", 11: "classic"}
    assert fresh.live(gone.id) is None


async def test_closing_and_discarding_leave_the_mirror(board: PollBoard) -> None:
    a = await board.set_message(await start(board, 11), 1)
    b = await start(board, 12)
    await cast(board, vote(a.id, 10, "kpop"))
    final = await board.close(a.id, NOW, "ended")
    assert final is not None and final.final == Tally(1, 0)
    assert await board.close(a.id, NOW, "deadline") is None
    await board.discard(b.id, NOW)
    assert board.open_in_guild(GUILD) == []
    # A late vote for the closed poll is refused by the store, and not counted anywhere.
    outcomes = await cast(board, vote(a.id, 11, "classic"))
    assert outcomes[0].status is VoteStatus.CLOSED and board.live(a.id) is None
    record = await board.closed(GUILD)
    assert record.latest == final and record.standings.rounds == 1  # the discarded one left out


async def test_closed_record_is_read_once_then_replaced_by_a_close(board: PollBoard) -> None:
    reads = count_calls(board, "closed_polls")
    empty = await board.closed(GUILD)
    assert empty.latest is None and await board.closed(GUILD) is empty
    assert len(reads) == 1
    a = await board.set_message(await start(board, 11), 1)
    await cast(board, vote(a.id, 10, "classic"))
    await board.close(a.id, NOW, "deadline")
    record = await board.closed(GUILD)
    assert record.latest is not None and record.latest.id == a.id
    assert record.standings.classic_wins == 1 and len(reads) == 2
    assert await board.closed(GUILD) is record and len(reads) == 2


async def test_a_load_overlapping_a_close_is_not_kept(board: PollBoard) -> None:
    a = await board.set_message(await start(board, 11), 1)
    original = board.store.closed_polls
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow(guild_id: int) -> list[Poll]:
        rows = await original(guild_id)  # read before the close...
        reading.set()
        await release.wait()  # ...and handed back after it
        return rows

    board.store.closed_polls = slow  # type: ignore[method-assign]
    stale = asyncio.create_task(board.closed(GUILD))
    await reading.wait()
    await board.close(a.id, NOW, "ended")
    release.set()
    assert (await stale).standings.rounds == 0  # the caller gets what was read...
    board.store.closed_polls = original  # type: ignore[method-assign]
    assert (await board.closed(GUILD)).standings.rounds == 1  # ...but it was not kept


async def test_closed_records_are_bounded(board: PollBoard) -> None:
    reads = count_calls(board, "closed_polls")
    for guild in (1, 2, 1, 3):  # max_servers=2: guild 2 is the least recently used at 3
        await board.closed(guild)
    assert len(reads) == 3
    await board.closed(1)
    assert len(reads) == 3
    await board.closed(2)
    assert len(reads) == 4
