"""Several processes on one PostgreSQL database, as a sharded deployment runs: each "process" here
is its own Database (its own pool of connections). Votes and closes stay exact, claims made under
db.hold() are made once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.engines import lock_key
from cogs.poll.logic import Tally
from cogs.poll.store import PollStore, VoteRequest, VoteStatus, vote_upsert_sql
from cogs.quotes.store import QuoteStore

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GUILD = 1001


@pytest.fixture
async def two_processes(postgres_migrated_url: str) -> AsyncIterator[tuple[Database, Database]]:
    first = await Database.open(postgres_migrated_url)
    second = await Database.open(postgres_migrated_url)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def open_poll(store: PollStore, channel: int = 1) -> int:
    poll = await store.create(
        guild_id=GUILD,
        channel_id=channel,
        matchup_id=None,
        kpop_label="A",
        classic_label="B",
        started_by=1,
        opened_at=NOW,
        closes_at=NOW + timedelta(hours=1),
    )
    return poll.id


async def waiting_for_a_lock(db: Database, count: int = 1) -> None:
    """Until ``count`` sessions of this database wait for a lock another one holds."""
    async with asyncio.timeout(10):
        while True:
            row = await db.fetchone(
                "SELECT COUNT(*) AS n FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if row is not None and int(row["n"]) >= count:
                return
            await asyncio.sleep(0.01)


async def test_a_close_waits_for_a_vote_group_and_counts_it(
    two_processes: tuple[Database, Database],
) -> None:
    """The close statement starts while a vote group (another process) holds the poll: it must
    count the votes that group commits, not the ones its first snapshot saw."""
    voter, closer = two_processes
    pid = await open_poll(PollStore(voter))
    await PollStore(voter).record_votes([VoteRequest(pid, GUILD, 1, "kpop")], NOW)
    async with voter.begin() as tx:  # the vote statement, kept open while the close starts
        writes = {(pid, u): "classic" for u in (2, 3, 4)}
        stored = await tx.fetchall(*vote_upsert_sql(tx.engine, writes, 0))
        closing = asyncio.create_task(PollStore(closer).close(pid, NOW, "ended"))
        await waiting_for_a_lock(closer)
        assert not closing.done()
    closed = await closing
    assert len(stored) == 3
    assert closed is not None and closed.final == Tally(1, 3)
    assert await PollStore(closer).tally(pid) == closed.final


async def test_a_vote_group_waiting_on_a_close_sees_the_poll_closed(
    two_processes: tuple[Database, Database],
) -> None:
    voter, closer = two_processes
    pid = await open_poll(PollStore(voter))
    async with closer.begin() as tx:
        await tx.fetchone("SELECT id FROM polls WHERE id = ? FOR UPDATE", (pid,))
        voting = asyncio.create_task(
            PollStore(voter).record_votes([VoteRequest(pid, GUILD, 9, "kpop")], NOW)
        )
        await waiting_for_a_lock(closer)
        await tx.execute(
            "UPDATE polls SET closed_at = ?, close_reason = 'ended', kpop_votes = 0, "
            "classic_votes = 0 WHERE id = ?",
            (int(NOW.timestamp()), pid),
        )
    (outcome,) = await voting
    assert outcome.status is VoteStatus.CLOSED
    assert await PollStore(voter).turnout(pid) == 0


async def test_a_vote_storm_and_two_closes_from_two_processes_give_the_right_tally(
    two_processes: tuple[Database, Database],
) -> None:
    first, second = two_processes
    stores = (PollStore(first), PollStore(second))
    pid = await open_poll(stores[0])
    groups = [
        [
            VoteRequest(pid, GUILD, 1000 + g * 10 + j, "kpop" if j % 3 else "classic")
            for j in range(10)
        ]
        for g in range(40)
    ]
    halfway = asyncio.Event()
    done = 0

    async def send(index: int, group: list[VoteRequest]) -> list[VoteStatus]:
        nonlocal done
        outcomes = await stores[index % 2].record_votes(group, NOW)
        done += 1
        if done == len(groups) // 3:
            halfway.set()
        return [o.status for o in outcomes]

    async def close(store: PollStore) -> object:
        await halfway.wait()
        return await store.close(pid, NOW, "ended")

    results = await asyncio.gather(
        *(send(i, g) for i, g in enumerate(groups)), close(stores[0]), close(stores[1])
    )
    statuses = [s for r in results[: len(groups)] for s in r]  # type: ignore[union-attr]
    closes = results[len(groups) :]
    winners = [c for c in closes if c is not None]
    assert len(winners) == 1, "exactly one close wins"
    final = (await stores[1].get(pid)).final  # type: ignore[union-attr]
    stored = statuses.count(VoteStatus.RECORDED)
    assert stored + statuses.count(VoteStatus.CLOSED) == len(statuses)
    assert final is not None and final.kpop + final.classic == stored
    assert await stores[0].tally(pid) == final, "no vote stored after the close"
    assert await stores[0].turnout(pid) == stored


async def test_hold_makes_a_second_process_wait(two_processes: tuple[Database, Database]) -> None:
    first, second = two_processes
    key = lock_key("test", 1)
    order: list[str] = []

    async def later() -> None:
        async with second.hold(key):
            order.append("second")

    async with first.hold(key):
        waiting = asyncio.create_task(later())
        await waiting_for_a_lock(first)
        order.append("first")
    await waiting
    assert order == ["first", "second"]
    async with first.hold(lock_key("test", 2)), second.hold(key):
        pass  # another key does not wait


async def test_quotes_added_at_once_from_two_processes_get_distinct_numbers_within_the_limit(
    two_processes: tuple[Database, Database],
) -> None:
    stores = [QuoteStore(db) for db in two_processes]

    async def add(i: int) -> int | None:
        added = await stores[i % 2].add(
            GUILD, text=f"q{i}", speaker="s", source_url=None, added_by=i, added_at=NOW, limit=15
        )
        return None if added is None else added.number

    numbers = await asyncio.gather(*(add(i) for i in range(24)))
    kept = [n for n in numbers if n is not None]
    assert sorted(kept) == list(range(1, 16))
    assert len(await stores[0].server_quotes(GUILD)) == 15
