"""QuoteStore against a real SQLite file: per-server numbering, removal, and the daily rotation."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database
from cogs.quotes.logic import curated_key, rotation_order, server_key
from cogs.quotes.store import QuoteStore

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 1001, 2002
CURATED = [curated_key(f"quote-{i}") for i in range(7)]
DAY = date(2026, 3, 2)


@pytest.fixture
def store(db: Database) -> QuoteStore:
    return QuoteStore(db)


async def add(store: QuoteStore, guild: int, text: str, *, limit: int = 50) -> int:
    added = await store.add(
        guild,
        text=text,
        speaker="Someone",
        source_url=None,
        added_by=7,
        added_at=NOW,
        limit=limit,
    )
    assert added is not None
    return added.number


async def pick(store: QuoteStore, day: date, pool: list[str]) -> str:
    key = await store.day_pick(GUILD, day, pool)
    assert key is not None
    return key


async def test_numbers_count_per_server_and_are_never_reused(store: QuoteStore) -> None:
    assert [await add(store, GUILD, t) for t in ("a", "b", "c")] == [1, 2, 3]
    assert await add(store, OTHER_GUILD, "x") == 1
    removed = await store.remove(GUILD, 3)
    assert removed is not None and removed.text == "c"
    assert await add(store, GUILD, "d") == 4
    assert [q.number for q in await store.server_quotes(GUILD)] == [1, 2, 4]


async def test_add_keeps_every_field_exactly(store: QuoteStore) -> None:
    text = "  **Bold** <@123> @everyone\nsecond line 한국어\u200b  "
    added = await store.add(
        GUILD,
        text=text,
        speaker="Yoon Mirae",
        source_url="https://example.com/a_(b)",
        added_by=42,
        added_at=NOW,
        limit=5,
    )
    assert added is not None
    again = await store.get(GUILD, added.number)
    assert again is not None and again == added
    assert (again.text, again.speaker, again.source_url, again.added_by, again.added_at) == (
        text,
        "Yoon Mirae",
        "https://example.com/a_(b)",
        42,
        NOW,
    )


async def test_remove_only_touches_that_servers_quote(store: QuoteStore) -> None:
    await add(store, GUILD, "ours")
    await add(store, OTHER_GUILD, "theirs")
    assert await store.remove(OTHER_GUILD, 2) is None
    assert await store.remove(GUILD, 99) is None
    removed = await store.remove(OTHER_GUILD, 1)
    assert removed is not None and removed.text == "theirs"
    assert [q.text for q in await store.server_quotes(GUILD)] == ["ours"]
    assert await store.server_quotes(OTHER_GUILD) == []


async def test_add_refuses_past_the_limit_even_when_racing(store: QuoteStore) -> None:
    results = await asyncio.gather(
        *(
            store.add(
                GUILD,
                text=f"q{i}",
                speaker="s",
                source_url=None,
                added_by=1,
                added_at=NOW,
                limit=3,
            )
            for i in range(6)
        )
    )
    assert sum(r is not None for r in results) == 3
    assert [q.number for q in await store.server_quotes(GUILD)] == [1, 2, 3]


async def test_a_days_pick_is_kept(store: QuoteStore) -> None:
    first = await store.day_pick(GUILD, DAY, CURATED)
    assert first in CURATED
    for _ in range(3):
        assert await store.day_pick(GUILD, DAY, CURATED) == first


async def test_concurrent_first_requests_agree(store: QuoteStore) -> None:
    picks = await asyncio.gather(*(store.day_pick(GUILD, DAY, CURATED) for _ in range(10)))
    assert len(set(picks)) == 1
    assert len(await store.picks(GUILD)) == 1


async def test_a_cycle_shows_every_quote_once_in_seed_order(store: QuoteStore) -> None:
    seeds = iter([111, 222, 333])
    picks = [
        await store.day_pick(
            GUILD, DAY + timedelta(days=i), CURATED, seed_factory=lambda: next(seeds)
        )
        for i in range(len(CURATED))
    ]
    assert picks == rotation_order(111, CURATED)
    assert (await store.rotation(GUILD)).cycle == 1
    # The next day opens cycle 2 with a new seed, and never with yesterday's quote.
    nxt = await store.day_pick(
        GUILD, DAY + timedelta(days=len(CURATED)), CURATED, seed_factory=lambda: next(seeds)
    )
    rotation = await store.rotation(GUILD)
    assert (rotation.cycle, rotation.seed) == (2, 222)
    assert nxt != picks[-1]


async def test_only_the_last_two_cycles_are_kept(store: QuoteStore) -> None:
    pool = CURATED[:3]
    for i in range(3 * len(pool) + 1):  # three whole cycles and the first day of a fourth
        await pick(store, DAY + timedelta(days=i), pool)
    picks = await store.picks(GUILD)
    assert (await store.rotation(GUILD)).cycle == 4
    assert {cycle for _, _, cycle in picks} == {3, 4}
    assert len(picks) == len(pool) + 1


async def test_servers_rotate_independently(store: QuoteStore) -> None:
    await store.day_pick(GUILD, DAY, CURATED, seed_factory=lambda: 1)
    await store.day_pick(OTHER_GUILD, DAY, CURATED, seed_factory=lambda: 2)
    assert (await store.rotation(GUILD)).seed == 1
    assert (await store.rotation(OTHER_GUILD)).seed == 2


async def test_added_quotes_join_and_removed_ones_leave(store: QuoteStore) -> None:
    pool = CURATED[:3]
    number = await add(store, GUILD, "ours")
    await add(store, OTHER_GUILD, "not ours")
    picks = [await pick(store, DAY + timedelta(days=i), pool) for i in range(4)]
    assert sorted(picks) == sorted([*pool, server_key(number)])
    # Another server's quote never shows here.
    assert all(p in [*pool, server_key(number)] for p in picks)

    # A removed quote that was a day's pick is replaced by a quote still in the rotation.
    day = DAY + timedelta(days=picks.index(server_key(number)))
    await store.remove(GUILD, number)
    replacement = await store.day_pick(GUILD, day, pool)
    assert replacement in pool


async def test_no_quotes_at_all_gives_none(store: QuoteStore) -> None:
    assert await store.day_pick(GUILD, DAY, []) is None


async def test_picks_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "reopen.sqlite3"
    db = await Database.open(path)
    first = [await pick(QuoteStore(db), DAY + timedelta(days=i), CURATED) for i in range(3)]
    await db.close()
    db = await Database.open(path)
    try:
        store = QuoteStore(db)
        assert [await pick(store, DAY + timedelta(days=i), CURATED) for i in range(3)] == first
        rest = [await pick(store, DAY + timedelta(days=i), CURATED) for i in range(3, len(CURATED))]
        assert sorted(first + rest) == sorted(CURATED)
    finally:
        await db.close()
