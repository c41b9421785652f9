"""The config store and the daily-post ledger, against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.storage import Database
from bot.storage.config import FAILED, MISSED, SENT, ConfigStore, DailyPostStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
G1, G2 = 111, 222


async def test_defaults_before_any_configuration(db: Database) -> None:
    store = ConfigStore(db)
    assert await store.mod_role(G1) is None
    assert await store.timezone_name(G1) == "UTC"
    quote = await store.feature(G1, "quote")
    assert (quote.channel_id, quote.post_time, quote.enabled, quote.timezone) == (
        None,
        None,
        True,
        None,
    )
    assert await store.scheduled({"quote", "fact"}) == []
    assert await store.recent_changes(G1) == []


async def test_every_change_is_logged_with_who_and_when(db: Database) -> None:
    store = ConfigStore(db)
    await store.set_channel(G1, "quote", 5, actor_id=7, at=T0, summary="quote channel: #daily")
    await store.set_schedule(
        G1,
        "quote",
        "09:00",
        "Asia/Seoul",
        actor_id=7,
        at=T0 + timedelta(minutes=1),
        summary="quote time: 09:00 Asia/Seoul",
    )
    await store.set_enabled(
        G1, "quote", False, actor_id=8, at=T0 + timedelta(minutes=2), summary="quote off"
    )
    await store.set_mod_role(G1, 99, actor_id=8, at=T0 + timedelta(minutes=3), summary="mod role")
    changes = await store.recent_changes(G1)
    assert [c.summary for c in changes] == [
        "mod role",
        "quote off",
        "quote time: 09:00 Asia/Seoul",
        "quote channel: #daily",
    ]
    assert [c.actor_id for c in changes] == [8, 8, 7, 7]
    assert changes[-1].changed_at == T0
    quote = await store.feature(G1, "quote")
    assert (quote.channel_id, quote.post_time, quote.timezone, quote.enabled) == (
        5,
        "09:00",
        "Asia/Seoul",
        False,
    )
    assert quote.schedule_since == T0 + timedelta(minutes=1)
    assert await store.timezone_name(G1) == "Asia/Seoul"  # the server's zone follows the schedule
    assert await store.mod_role(G1) == 99
    assert await store.recent_changes(G2) == []  # other servers see nothing


async def test_recent_changes_are_the_latest_five(db: Database) -> None:
    store = ConfigStore(db)
    for i in range(8):
        await store.record_change(G1, 1, f"change {i}", at=T0 + timedelta(minutes=i))
    assert [c.summary for c in await store.recent_changes(G1)] == [
        f"change {i}" for i in (7, 6, 5, 4, 3)
    ]


async def test_scheduled_lists_only_features_ready_to_post(db: Database) -> None:
    store = ConfigStore(db)
    kw = {"actor_id": 1, "at": T0, "summary": "x"}
    await store.set_channel(G1, "quote", 5, **kw)  # no time yet
    await store.set_channel(G1, "fact", 6, **kw)
    await store.set_schedule(G1, "fact", "12:30", "America/New_York", **kw)
    await store.set_channel(G2, "quote", 7, **kw)
    await store.set_schedule(G2, "quote", "09:00", "UTC", **kw)
    await store.set_enabled(G2, "quote", False, **kw)  # switched off
    await store.set_channel(G2, "poll", 8, **kw)
    scheduled = await store.scheduled({"quote", "fact"})
    assert [(s.guild_id, s.feature, s.channel_id, s.post_time, s.timezone) for s in scheduled] == [
        (G1, "fact", 6, "12:30", "America/New_York")
    ]
    await store.set_enabled(G2, "quote", True, **kw)
    assert {s.guild_id for s in await store.scheduled({"quote", "fact"})} == {G1, G2}
    assert await store.scheduled({"fact"}) == scheduled


async def test_a_server_the_bot_left_is_not_scheduled_until_it_returns(db: Database) -> None:
    store = ConfigStore(db)
    await store.set_channel(G1, "quote", 5, actor_id=1, at=T0, summary="x")
    await store.set_schedule(G1, "quote", "09:00", "UTC", actor_id=1, at=T0, summary="x")
    await store.mark_left(G1, at=T0, summary="removed")
    assert await store.has_left(G1)
    assert await store.scheduled({"quote"}) == []
    assert await store.mark_joined(G1, at=T0, summary="back")
    assert not await store.mark_joined(G1, at=T0, summary="back")  # only logged once
    assert len(await store.scheduled({"quote"})) == 1
    assert [c.summary for c in await store.recent_changes(G1)][:2] == ["back", "removed"]


async def test_detaching_a_deleted_channel(db: Database) -> None:
    store = ConfigStore(db)
    for feature in ("quote", "fact"):
        await store.set_channel(G1, feature, 5, actor_id=1, at=T0, summary="x")
    await store.set_channel(G1, "poll", 6, actor_id=1, at=T0, summary="x")
    detached = await store.detach_channel(
        G1, 5, at=T0, describe=lambda features: f"deleted: {', '.join(features)}"
    )
    assert detached == ["fact", "quote"]
    assert (await store.feature(G1, "quote")).channel_id is None
    assert (await store.feature(G1, "poll")).channel_id == 6
    assert (await store.recent_changes(G1))[0].summary == "deleted: fact, quote"
    # An unrelated channel changes and logs nothing.
    assert await store.detach_channel(G1, 42, at=T0, describe=lambda f: "never") == []
    assert (await store.recent_changes(G1))[0].summary == "deleted: fact, quote"


async def test_a_day_can_be_claimed_once(db: Database) -> None:
    ledger = DailyPostStore(db)
    assert await ledger.claim(G1, "quote", DAY, channel_id=5, at=T0)
    assert not await ledger.claim(G1, "quote", DAY, channel_id=5, at=T0)
    assert await ledger.claim(G1, "fact", DAY, channel_id=5, at=T0)  # another feature
    assert await ledger.claim(G2, "quote", DAY, channel_id=9, at=T0)  # another server
    assert await ledger.claim(G1, "quote", DAY + timedelta(days=1), channel_id=5, at=T0)
    await ledger.mark_sent(G1, "quote", DAY, message_id=1234, at=T0 + timedelta(seconds=1))
    record = await ledger.get(G1, "quote", DAY)
    assert record is not None
    assert (record.status, record.message_id, record.channel_id) == (SENT, 1234, 5)
    assert await ledger.taken_since(DAY + timedelta(days=1)) == {
        (G1, "quote", DAY + timedelta(days=1))
    }


async def test_concurrent_claims_have_exactly_one_winner(db_target: str | Path) -> None:
    """Two connections to one database, as two bot processes sharing it would have."""
    first, second = await Database.open(db_target), await Database.open(db_target)
    try:
        results = await asyncio.gather(
            *(
                DailyPostStore(db).claim(G1, "quote", DAY, channel_id=5, at=T0)
                for db in (first, second, first, second)
            )
        )
        assert sorted(results) == [False, False, False, True]
    finally:
        await first.close()
        await second.close()


async def test_failures_and_missed_days(db: Database) -> None:
    ledger = DailyPostStore(db)
    assert await ledger.claim(G1, "quote", DAY, channel_id=5, at=T0)
    await ledger.mark_failed(G1, "quote", DAY, detail="missing Send Messages", at=T0)
    problem = await ledger.last_problem(G1, "quote")
    assert problem is not None and (problem.status, problem.detail) == (
        FAILED,
        "missing Send Messages",
    )
    # A failed day stays taken (no retry storm) until its cause is fixed and it is released.
    assert not await ledger.claim(G1, "quote", DAY, channel_id=5, at=T0)
    assert await ledger.release_failed(G1, "quote", DAY)
    assert await ledger.claim(G1, "quote", DAY, channel_id=5, at=T0)
    await ledger.mark_sent(G1, "quote", DAY, message_id=1, at=T0)
    assert not await ledger.release_failed(G1, "quote", DAY)  # a sent day is never released

    later = DAY + timedelta(days=1)
    assert await ledger.record_missed(G1, "quote", later, detail="offline", at=T0)
    assert not await ledger.record_missed(G1, "quote", later, detail="offline", at=T0)
    assert not await ledger.claim(G1, "quote", later, channel_id=5, at=T0)
    last_sent, problem = await ledger.last_sent(G1, "quote"), await ledger.last_problem(G1, "quote")
    assert last_sent is not None and last_sent.local_date == DAY
    assert problem is not None and (problem.status, problem.local_date) == (MISSED, later)
    assert [r.local_date for r in await ledger.history(G1, "quote")] == [DAY, later]


async def test_unfinished_claims_are_recorded_as_failed_not_resent(db: Database) -> None:
    ledger = DailyPostStore(db)
    assert await ledger.claim(G1, "quote", DAY, channel_id=5, at=T0)  # the process then died
    assert await ledger.claim(G2, "quote", DAY, channel_id=9, at=T0 + timedelta(minutes=9))
    assert await ledger.claim(G2, "fact", DAY, channel_id=9, at=T0)
    await ledger.mark_sent(G2, "fact", DAY, message_id=1, at=T0)
    later = T0 + timedelta(minutes=10)
    cutoff = later - timedelta(minutes=5)  # younger claims may still be in flight
    assert await ledger.fail_unfinished(claimed_before=cutoff, detail="interrupted", at=later) == 1
    record = await ledger.get(G1, "quote", DAY)
    assert record is not None and (record.status, record.detail) == (FAILED, "interrupted")
    recent = await ledger.get(G2, "quote", DAY)  # maybe still being sent by another process
    assert recent is not None and recent.status == "claimed"
    sent = await ledger.get(G2, "fact", DAY)
    assert sent is not None and sent.status == SENT
    assert not await ledger.claim(G1, "quote", DAY, channel_id=5, at=later)  # never resent
