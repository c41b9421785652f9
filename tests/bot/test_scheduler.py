"""The daily scheduler: on time, exactly once per local day, whatever happens to the process.

Pure logic first (times, daylight saving, pacing), then the real bot against the emulator, driven by
moving the injected clock and calling ``run_due()`` as the minute loop would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import discord
import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.daily import DailyPost
from bot.sandbox import Channel, Driver
from bot.sandbox.harness import running_bot
from bot.scheduler import (
    CATCH_UP_WINDOW,
    FAILED,
    MISSED,
    SENT,
    SKIPPED,
    DailyScheduler,
    PostOutcome,
    TokenBucket,
    due_at,
    next_post_at,
    parse_post_time,
)
from bot.storage.config import ConfigStore, DailyPostStore
from tests.conftest import World, build_world

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")


# ---------------------------------------------------------------------- pure logic
@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("09:00", time(9, 0)),
        ("9:05", time(9, 5)),
        (" 23:59 ", time(23, 59)),
        ("00:00", time(0, 0)),
        ("24:00", None),
        ("12:60", None),
        ("9am", None),
        ("9", None),
        ("09:00:00", None),
        ("", None),
        ("٠٩:٠٠", None),  # ASCII digits only, as HH:MM is stored
    ],
)
def test_parse_post_time(text: str, parsed: time | None) -> None:
    assert parse_post_time(text) == parsed


def test_due_at_on_an_ordinary_day() -> None:
    assert due_at(date(2026, 3, 2), time(9), SEOUL) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert due_at(date(2026, 3, 2), time(9), NEW_YORK) == datetime(2026, 3, 2, 14, tzinfo=UTC)


def test_a_skipped_local_time_posts_at_the_first_valid_minute_after() -> None:
    # 2026-03-08: New York clocks jump from 02:00 EST to 03:00 EDT.
    assert due_at(date(2026, 3, 8), time(2, 30), NEW_YORK) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert due_at(date(2026, 3, 8), time(2, 0), NEW_YORK) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert due_at(date(2026, 3, 8), time(3, 0), NEW_YORK) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert due_at(date(2026, 3, 8), time(1, 59), NEW_YORK) == datetime(
        2026, 3, 8, 6, 59, tzinfo=UTC
    )


def test_a_repeated_hour_uses_its_first_occurrence() -> None:
    # 2026-11-01: 01:00-01:59 happens twice in New York (EDT, then EST).
    assert due_at(date(2026, 11, 1), time(1, 30), NEW_YORK) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_next_post_at() -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    at_nine = time(9)
    utc = ZoneInfo("UTC")
    assert next_post_at(now, at_nine, utc, None) == datetime(2026, 3, 2, 9, tzinfo=UTC)
    # Today's post already went out: tomorrow.
    assert next_post_at(now, at_nine, utc, None, [date(2026, 3, 2)]) == datetime(
        2026, 3, 3, 9, tzinfo=UTC
    )
    # Scheduled after today's time: tomorrow, not a surprise late post now.
    assert next_post_at(now, time(7), utc, now) == datetime(2026, 3, 3, 7, tzinfo=UTC)
    # Still within the catch-up window and not taken: due now.
    assert next_post_at(now, time(7), utc, now - timedelta(days=1)) == now


async def test_token_bucket_never_exceeds_burst_plus_rate_in_any_second() -> None:
    fake_now = 0.0
    granted: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        nonlocal fake_now
        fake_now += seconds

    bucket = TokenBucket(40, 5, monotonic=lambda: fake_now, sleep=fake_sleep)
    for _ in range(200):
        await bucket.acquire()
        granted.append(fake_now)
    worst = max(sum(1 for t in granted if start <= t < start + 1.0) for start in granted)
    assert worst <= 5 + 40 < limits.GLOBAL_REQUESTS_PER_SECOND
    assert granted[-1] == pytest.approx((200 - 5) / 40)  # and no slower than the rate


# ---------------------------------------------------------------------- helpers for the bot
Builder = Callable[[int, date], Awaitable[DailyPost]]


def scheduler_of(bot: KpopsBot) -> DailyScheduler:
    # load_extension imports cogs afresh, so the cog is not an instance of cogs.config.Config
    scheduler = getattr(bot.get_cog("Config"), "scheduler", None)
    assert isinstance(scheduler, DailyScheduler)
    return scheduler


def make_builder(feature: str = "quote", calls: list[tuple[int, date]] | None = None) -> Builder:
    async def build(guild_id: int, day: date) -> DailyPost:
        if calls is not None:
            calls.append((guild_id, day))
        embed = discord.Embed(description="@everyone hi")
        embed.set_footer(text=f"{feature} of {day.isoformat()}")  # the scheduler gives the title
        return DailyPost(embed=embed, content=f"Today's {feature} <@{guild_id}>")

    return build


async def configure(
    driver: Driver,
    world: World,
    *,
    feature: str = "quote",
    channel: Channel | None = None,
    at: str = "09:00",
    tz: str = "UTC",
) -> None:
    """Set a feature up through the real commands, as a moderator would."""
    for path, options in (
        ("config channel", {"feature": feature, "channel": channel or world.daily}),
        ("config schedule", {"feature": feature, "time": at, "timezone": tz}),
    ):
        result = await driver.invoke(path, options, member=world.moderator, channel=world.general)
        assert result.ephemeral
        assert "will post" in result.text, result.text


def posts(driver: Driver, channel: Channel) -> list[str]:
    return [m.embeds[0]["footer"]["text"] for m in driver.channel_messages(channel) if m.embeds]


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Wait for the bot to process a gateway event the emulator sent."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polling the bot's cache; it has no event for us
            await asyncio.sleep(0.01)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 3.0) -> None:
    """Wait until an async condition holds (the bot handles gateway events in its own time)."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - polling the database the bot writes
            await asyncio.sleep(0.01)


def statuses(outcomes: list[PostOutcome]) -> list[tuple[str, str]]:
    return [(o.feature, o.status) for o in outcomes]


# ---------------------------------------------------------------------- end to end
async def test_two_servers_in_different_time_zones(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    other = build_world(driver, "Second Server")
    await until(lambda: bot.get_guild(other.guild.id) is not None)
    await configure(driver, world, tz="Asia/Seoul")  # 09:00 KST = 00:00 UTC
    await configure(driver, other, tz="America/Los_Angeles")  # 09:00 PST = 17:00 UTC
    scheduler = scheduler_of(bot)

    # 08:00 UTC = 17:00 in Seoul: today's 09:00 passed before it was scheduled, so not due.
    assert await scheduler.run_due() == []
    clock.set(datetime(2026, 3, 2, 16, 59, tzinfo=UTC))
    assert await scheduler.run_due() == []
    clock.set(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    outcomes = await scheduler.run_due()
    assert [(o.guild_id, o.status, o.local_date) for o in outcomes] == [
        (other.guild.id, SENT, date(2026, 3, 2))
    ]
    assert posts(driver, other.daily) == ["quote of 2026-03-02"]
    assert posts(driver, world.daily) == []

    clock.set(datetime(2026, 3, 3, 0, 0, tzinfo=UTC))  # 09:00 on 3 March in Seoul
    outcomes = await scheduler.run_due()
    assert [(o.guild_id, o.status, o.local_date) for o in outcomes] == [
        (world.guild.id, SENT, date(2026, 3, 3))
    ]
    assert posts(driver, world.daily) == ["quote of 2026-03-03"]
    # Every minute after: nothing more for either server that day.
    for _ in range(3):
        clock.advance(minutes=1)
        assert await scheduler.run_due() == []
    message = driver.channel_messages(world.daily)[0]
    assert message.pings == []  # the builder's '<@…>' and '@everyone' notify nobody
    record = await DailyPostStore(bot.db).get(world.guild.id, "quote", date(2026, 3, 3))
    assert record is not None and record.message_id == message.id


async def test_a_restart_on_the_same_day_does_not_post_again(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:
        bot.daily.register("quote", make_builder())
        await configure(driver, world, at="09:00")
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        assert statuses(await scheduler_of(bot).run_due()) == [("quote", SENT)]
    clock.advance(minutes=5)
    async with running_bot(driver, db_path, clock=clock) as bot:
        bot.daily.register("quote", make_builder())
        assert await scheduler_of(bot).run_due() == []
        clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
        assert statuses(await scheduler_of(bot).run_due()) == [("quote", SENT)]
    assert posts(driver, world.daily) == ["quote of 2026-03-02", "quote of 2026-03-03"]


async def test_downtime_within_the_window_posts_late_once(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:
        await configure(driver, world, at="09:00")
    clock.set(datetime(2026, 3, 2, 14, 30, tzinfo=UTC))  # down across 09:00, back 5.5 hours later
    async with running_bot(driver, db_path, clock=clock) as bot:
        bot.daily.register("quote", make_builder())
        assert statuses(await scheduler_of(bot).run_due()) == [("quote", SENT)]
        clock.advance(minutes=1)
        assert await scheduler_of(bot).run_due() == []
    assert posts(driver, world.daily) == ["quote of 2026-03-02"]


async def test_downtime_beyond_the_window_skips_the_day_and_says_so(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:
        await configure(driver, world, at="09:00")
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + CATCH_UP_WINDOW + timedelta(minutes=1))
    async with running_bot(driver, db_path, clock=clock) as bot:
        calls: list[tuple[int, date]] = []
        bot.daily.register("quote", make_builder(calls=calls))
        assert statuses(await scheduler_of(bot).run_due()) == [("quote", MISSED)]
        assert await scheduler_of(bot).run_due() == []  # recorded once
        assert calls == [] and posts(driver, world.daily) == []
        shown = await driver.invoke("config show", member=world.moderator, channel=world.general)
        assert "missed" in shown.text and "6 hours" in shown.text
        # The next day posts as usual.
        clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
        assert statuses(await scheduler_of(bot).run_due()) == [("quote", SENT)]
    assert posts(driver, world.daily) == ["quote of 2026-03-03"]


async def test_the_daylight_saving_days_in_new_york(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    clock.set(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))  # the day before; its 02:30 has passed
    await configure(driver, world, at="02:30", tz="America/New_York")
    scheduler = scheduler_of(bot)
    # Spring forward, Sunday 8 March 2026: 02:30 does not exist; 03:00 EDT (07:00 UTC) is next.
    clock.set(datetime(2026, 3, 8, 6, 59, tzinfo=UTC))  # 01:59 EST
    assert await scheduler.run_due() == []
    clock.set(datetime(2026, 3, 8, 7, 0, tzinfo=UTC))  # 03:00 EDT
    assert [(o.status, o.local_date) for o in await scheduler.run_due()] == [
        (SENT, date(2026, 3, 8))
    ]
    # Fall back, Sunday 1 November 2026, with the time inside the repeated hour.
    clock.set(datetime(2026, 10, 31, 12, 0, tzinfo=UTC))
    result = await driver.invoke(
        "config schedule",
        {"feature": "quote", "time": "01:30", "timezone": "America/New_York"},
        member=world.moderator,
        channel=world.general,
    )
    assert "01:30 America/New_York" in result.text
    clock.set(datetime(2026, 11, 1, 5, 29, tzinfo=UTC))  # 01:29 EDT
    assert await scheduler.run_due() == []
    clock.set(datetime(2026, 11, 1, 5, 30, tzinfo=UTC))  # 01:30 EDT, the first time
    assert [(o.status, o.local_date) for o in await scheduler.run_due()] == [
        (SENT, date(2026, 11, 1))
    ]
    clock.set(datetime(2026, 11, 1, 6, 30, tzinfo=UTC))  # 01:30 EST, the second time
    assert await scheduler.run_due() == []
    assert posts(driver, world.daily) == ["quote of 2026-03-08", "quote of 2026-11-01"]


async def test_a_lost_permission_is_recorded_not_retried_and_posting_resumes_after_a_fix(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    await configure(driver, world, at="09:00")
    scheduler = scheduler_of(bot)
    channel = bot.get_channel(world.daily.id)
    assert isinstance(channel, discord.TextChannel)
    me = channel.guild.me
    driver.set_overwrite(world.daily, driver.bot_user.id, deny=limits.SEND_MESSAGES, member=True)
    await until(lambda: not channel.permissions_for(me).send_messages)

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    requests_before = len(driver.requests)
    outcomes = await scheduler.run_due()
    assert [(o.status, o.detail) for o in outcomes] == [
        (FAILED, "kpops-bot is missing Send Messages in #daily")
    ]
    for _ in range(5):  # no retry storm: the day is taken
        clock.advance(minutes=1)
        assert await scheduler.run_due() == []
    assert len(driver.requests) == requests_before  # not one request to Discord for it
    shown = await driver.invoke("config show", member=world.moderator, channel=world.general)
    assert "missing Send Messages" in shown.text  # both the warning and the last failure
    assert "lost Send Messages" in shown.text  # and the change log noticed it from the gateway

    # A moderator fixes the channel: today's post may still go out (within the window).
    driver.set_overwrite(world.daily, driver.bot_user.id, allow=limits.SEND_MESSAGES, member=True)
    await until(lambda: channel.permissions_for(me).send_messages)
    ledger = DailyPostStore(bot.db)

    async def released() -> bool:
        return await ledger.get(world.guild.id, "quote", date(2026, 3, 2)) is None

    await eventually(released)
    assert statuses(await scheduler.run_due()) == [("quote", SENT)]
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    assert statuses(await scheduler.run_due()) == [("quote", SENT)]
    assert posts(driver, world.daily) == ["quote of 2026-03-02", "quote of 2026-03-03"]


async def test_a_deleted_channel_is_noticed_from_the_gateway(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    await configure(driver, world, at="09:00")
    driver.delete_channel(world.daily)
    store = ConfigStore(bot.db)

    async def unset() -> bool:
        return (await store.feature(world.guild.id, "quote")).channel_id is None

    await eventually(unset)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert await scheduler_of(bot).run_due() == []  # nothing sent to a channel that is gone
    shown = await driver.invoke("config show", member=world.moderator, channel=world.general)
    assert "#daily was deleted" in shown.text
    assert "Channel: not set" in shown.text


async def test_a_channel_deleted_while_offline_fails_once_and_is_unset(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:
        await configure(driver, world, at="09:00")
    world.guild.channels.pop(world.daily.id)  # gone without an event reaching the bot
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with running_bot(driver, db_path, clock=clock) as bot:
        bot.daily.register("quote", make_builder())
        outcomes = await scheduler_of(bot).run_due()
        assert [(o.status, o.detail) for o in outcomes] == [
            (FAILED, "the channel no longer exists; set a new one")
        ]
        assert (await ConfigStore(bot.db).feature(world.guild.id, "quote")).channel_id is None


async def test_a_post_interrupted_by_a_crash_is_shown_not_sent_twice(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:
        await configure(driver, world, at="09:00")
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        # The process claims the day and dies before Discord answers (as kill -9 would).
        ledger = DailyPostStore(bot.db)
        assert await ledger.claim(
            world.guild.id, "quote", date(2026, 3, 2), channel_id=world.daily.id, at=clock.now()
        )
    clock.advance(minutes=2)
    async with running_bot(driver, db_path, clock=clock) as bot:
        bot.daily.register("quote", make_builder())
        scheduler = scheduler_of(bot)
        assert await scheduler.run_due() == []  # the day is taken: perhaps it did go out
        clock.advance(minutes=10)
        assert await scheduler.run_due() == []
        shown = await driver.invoke("config show", member=world.moderator, channel=world.general)
        assert "interrupted" in shown.text
    assert posts(driver, world.daily) == []


async def test_leaving_a_server_stops_its_posts(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    other = build_world(driver, "Second Server")
    await until(lambda: bot.get_guild(other.guild.id) is not None)
    await configure(driver, world, at="09:00")
    await configure(driver, other, at="09:00")
    driver.remove_guild(world.guild)
    await until(lambda: bot.get_guild(world.guild.id) is None)
    store = ConfigStore(bot.db)
    await eventually(lambda: store.has_left(world.guild.id))
    assert "removed" in (await store.recent_changes(world.guild.id))[0].summary
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    outcomes = await scheduler_of(bot).run_due()
    assert [(o.guild_id, o.status) for o in outcomes] == [(other.guild.id, SENT)]


async def test_an_error_in_one_server_does_not_stop_the_others(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    other = build_world(driver, "Second Server")
    await until(lambda: bot.get_guild(other.guild.id) is not None)
    working = make_builder()

    async def flaky(guild_id: int, day: date) -> DailyPost:
        if guild_id == world.guild.id:
            raise RuntimeError("the quote table is on fire")
        return await working(guild_id, day)

    bot.daily.register("quote", flaky)
    await configure(driver, world, at="09:00")
    await configure(driver, other, at="09:00")
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    outcomes = {o.guild_id: o for o in await scheduler_of(bot).run_due()}
    assert outcomes[other.guild.id].status == SENT
    assert outcomes[world.guild.id].status == FAILED
    assert "could not be prepared (ref " in (outcomes[world.guild.id].detail or "")
    assert posts(driver, other.daily) == ["quote of 2026-03-02"]


async def test_an_oversized_post_is_refused_before_discord_sees_it(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    async def huge(guild_id: int, day: date) -> DailyPost:
        return DailyPost(embed=discord.Embed(description="x" * 5000))

    bot.daily.register("quote", huge)
    await configure(driver, world, at="09:00")
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    outcomes = await scheduler_of(bot).run_due()
    assert [o.status for o in outcomes] == [FAILED]
    assert "too long" in (outcomes[0].detail or "")


async def test_the_minute_loop_survives_errors(
    bot: KpopsBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = scheduler_of(bot)
    assert scheduler.running
    calls = 0

    async def failing_run() -> list[PostOutcome]:
        nonlocal calls
        calls += 1
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(scheduler, "run_due", failing_run)
    await scheduler.stop()  # restart it with a short tick, so the test need not wait a minute
    scheduler.tick_seconds = 0.01
    scheduler.start()
    await until(lambda: calls >= 3)
    assert scheduler.running  # an error never ends the loop
    await scheduler.stop()
    assert not scheduler.running


def test_the_loop_wakes_just_after_each_minute(clock: ManualClock) -> None:
    class FakeBot:
        def __init__(self) -> None:
            self.clock = clock

    scheduler = DailyScheduler.__new__(DailyScheduler)
    scheduler.bot = FakeBot()  # type: ignore[assignment]
    scheduler.tick_seconds = 60.0
    clock.set(datetime(2026, 3, 2, 8, 59, 45, tzinfo=UTC))
    assert scheduler.seconds_until_next_tick() == pytest.approx(15.05)
    clock.set(datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC))
    assert scheduler.seconds_until_next_tick() == pytest.approx(60.0)  # never longer than a tick


async def test_two_schedulers_on_one_database_post_once(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    """Overlapping runs, as two processes sharing the database would have: one post."""
    bot.daily.register("quote", make_builder())
    await configure(driver, world, at="09:00")
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    first, second = scheduler_of(bot), DailyScheduler(bot)
    results = await asyncio.gather(first.run_due(), second.run_due())
    found = [o.status for r in results for o in r]
    # The loser either lost the claim (SKIPPED) or already saw the day taken (nothing to do).
    assert found.count(SENT) == 1 and set(found) <= {SENT, SKIPPED}
    assert posts(driver, world.daily) == ["quote of 2026-03-02"]


async def test_many_servers_due_at_once_stay_within_discord_rate_limits(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    """Fan-out is bounded: 120 servers due at 09:00 against Discord's 50 requests/second
    (a thousand behave the same, only slower: see benchmarks/daily_posts.py)."""
    bot.daily.register("quote", make_builder())
    guilds = [driver.add_guild(f"Fan Club {i}", channels=("daily",)) for i in range(120)]
    await until(lambda: all(bot.get_guild(g.id) is not None for g in guilds), timeout=10)
    store = ConfigStore(bot.db)
    now = clock.now()
    for guild in guilds:
        channel = next(iter(guild.channels.values()))
        await store.set_channel(guild.id, "quote", channel.id, actor_id=1, at=now, summary="set")
        await store.set_schedule(guild.id, "quote", "09:00", "UTC", actor_id=1, at=now, summary="t")
    driver.rate_limit_per_second = limits.GLOBAL_REQUESTS_PER_SECOND
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    scheduler = scheduler_of(bot)
    outcomes = await scheduler.run_due()
    assert len(outcomes) == 120 and {o.status for o in outcomes} == {SENT}
    assert driver.rate_limited == []  # not one 429
    assert scheduler.peak_in_flight <= 5
    posted = [r.at for r in driver.requests if r.method == "POST" and "/messages" in r.path]
    assert len(posted) == 120
    worst = max(sum(1 for t in posted if start <= t < start + 1.0) for start in posted)
    assert worst < limits.GLOBAL_REQUESTS_PER_SECOND  # room left for the bot's other requests
