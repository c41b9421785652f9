"""The weekly listening poll through the emulator, on the injected clock: a month with a restart
and a daylight-saving change, the catch-up window, and a moderator's own poll in between."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.privacy import delete_guild, hooks_of_cogs, hooks_of_packages
from bot.sandbox import Driver, Message
from bot.sandbox.harness import running_bot
from cogs.poll.chart import PNG_MAX_BYTES
from cogs.poll.store import PollStore
from cogs.poll.weekly import DEFERRED, WeeklyPolls, next_weekly_at, week_of
from cogs.poll.weekly_store import MISSED, OPENED, SKIPPED, WeeklyStore
from tests.cogs.poll.test_cog import (
    fast_timers,  # noqa: F401 - autouse: the poll's real-time intervals shrunk for tests
)
from tests.conftest import World

NEW_YORK = "America/New_York"


def weekly_of(bot: KpopsBot) -> WeeklyPolls:
    found = getattr(bot.get_cog("Poll"), "weekly", None)
    assert isinstance(found, WeeklyPolls)
    return found


async def close_due(bot: KpopsBot) -> None:
    cog: Any = bot.get_cog("Poll")
    await cog.close_due()


async def configure(
    driver: Driver, world: World, *, day: str, time: str, timezone: str, length: int = 24
) -> None:
    for path, options in (
        ("config channel", {"feature": "poll", "channel": world.daily}),
        ("config schedule", {"feature": "poll", "day": day, "time": time, "timezone": timezone}),
        ("config poll", {"length": length}),
    ):
        result = await driver.invoke(path, options, member=world.moderator, channel=world.general)
        assert result.ephemeral and "Nothing was changed" not in result.text, result.text


def poll_messages(driver: Driver, world: World) -> list[Message]:
    return [m for m in driver.channel_messages(world.daily) if m.buttons()]


def results(driver: Driver, world: World) -> list[Message]:
    return [m for m in driver.channel_messages(world.daily) if "Listening poll result" in m.text()]


# ---------------------------------------------------------------------- pure rules
def test_weeks_are_keyed_by_their_local_monday() -> None:
    assert week_of(date(2026, 11, 1)) == date(2026, 10, 26)  # a Sunday
    assert week_of(date(2026, 11, 2)) == date(2026, 11, 2)  # a Monday


def test_the_next_opening_follows_local_time_across_the_dst_change() -> None:
    # Sunday 09:00 in New York: 13:00 UTC in October (EDT), 14:00 UTC in November (EST).
    before = datetime(2026, 10, 20, tzinfo=UTC)
    assert next_weekly_at(before, 6, time(9), NEW_YORK, set()) == (
        datetime(2026, 10, 25, 13, 0, tzinfo=UTC)
    )
    after = datetime(2026, 10, 26, tzinfo=UTC)
    assert next_weekly_at(after, 6, time(9), NEW_YORK, set()) == (
        datetime(2026, 11, 1, 14, 0, tzinfo=UTC)
    )


# ---------------------------------------------------------------------- a month of weekly polls
async def test_a_month_of_weekly_polls_across_a_restart_and_the_dst_change(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    """Sunday 01:30 in New York, 24 hours: 1 November 2026 repeats 01:00-02:00 (EDT, then EST).
    Each week opens once, closes after its length and posts its result, whatever the clock does."""
    clock.set(datetime(2026, 10, 17, 12, tzinfo=UTC))  # a Saturday
    # 01:30 EDT (UTC-4) on 18 and 25 October; on 1 November the first 01:30 (EDT) counts; EST after.
    openings = [
        datetime(2026, 10, 18, 5, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 8, 6, 30, tzinfo=UTC),
    ]
    seen_matchups: list[str | None] = []
    async with running_bot(driver, db_path, clock=clock) as bot:
        await configure(driver, world, day="sunday", time="1:30am", timezone=NEW_YORK)
        for week, opening in enumerate(openings[:2]):
            clock.set(opening - timedelta(minutes=1))
            assert await weekly_of(bot).run_due() == []  # not yet
            clock.set(opening + timedelta(minutes=1))
            [outcome] = await weekly_of(bot).run_due()
            assert outcome.status == OPENED
            assert await weekly_of(bot).run_due() == []  # once per week
            assert len(poll_messages(driver, world)) == week + 1
            poll = await PollStore(bot.db).get(outcome.poll_id or 0)
            assert poll is not None and poll.closes_at == clock.now() + timedelta(hours=24)
            seen_matchups.append(poll.matchup_id)
            clock.advance(hours=24, minutes=1)
            await close_due(bot)
            assert len(results(driver, world)) == week + 1
    # Restart on the same database: the 1 November week, with its repeated hour.
    async with running_bot(driver, db_path, clock=clock) as bot:
        clock.set(openings[2] + timedelta(minutes=1))
        [outcome] = await weekly_of(bot).run_due()
        assert outcome.status == OPENED
        clock.set(openings[2] + timedelta(hours=1, minutes=1))  # 01:31 again, now EST
        assert await weekly_of(bot).run_due() == []
        clock.advance(hours=24)
        await close_due(bot)
        clock.set(openings[3] + timedelta(minutes=1))
        [outcome] = await weekly_of(bot).run_due()
        assert outcome.status == OPENED
        seen_matchups.append(
            (await PollStore(bot.db).get(outcome.poll_id or 0)).matchup_id  # type: ignore[union-attr]
        )
        clock.advance(hours=25)
        await close_due(bot)
        assert await weekly_of(bot).run_due() == []
        rounds = await WeeklyStore(bot.db).history(world.guild.id)
        assert [r.status for r in rounds] == [OPENED] * 4
        assert len({r.week for r in rounds}) == 4
        standings = await driver.invoke("poll standings", member=world.fan, channel=world.general)
        assert "over 4 rounds" in standings.text and not standings.message.attachments
        assert "Attach Files" in standings.text  # without the permission: the record, no chart
        bot_role = next(r for r in world.guild.roles.values() if r.name == driver.bot_user.username)
        bot_role.permissions |= limits.ATTACH_FILES
        pictured = await driver.invoke("poll standings", member=world.fan, channel=world.general)
        [attachment] = pictured.message.attachments
        assert (
            pictured.message.embeds[0]["image"]["url"] == f"attachment://{attachment['filename']}"
        )
        data = driver.attachment_data(attachment)
        assert data.startswith(b"\x89PNG") and attachment["size"] == len(data) <= PNG_MAX_BYTES
        assert driver.violations == []
    assert len(poll_messages(driver, world)) == 4 and len(results(driver, world)) == 4
    assert all(all(b.get("disabled") for b in m.buttons()) for m in poll_messages(driver, world))
    assert len(set(seen_matchups)) == 3  # the next pairing each week, none repeated


async def test_catch_up_window_opens_late_once_then_records_a_miss(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 2, 8, tzinfo=UTC))  # Monday
    await configure(driver, world, day="tuesday", time="09:00", timezone="UTC")
    clock.set(datetime(2026, 3, 3, 14, 59, tzinfo=UTC))  # five hours late: still opens
    [late] = await weekly_of(bot).run_due()
    assert late.status == OPENED
    assert await weekly_of(bot).run_due() == []
    clock.advance(days=1)
    await close_due(bot)
    clock.set(datetime(2026, 3, 10, 15, 1, tzinfo=UTC))  # next week, over six hours late
    [missed] = await weekly_of(bot).run_due()
    assert missed.status == MISSED
    assert await weekly_of(bot).run_due() == []
    assert len(poll_messages(driver, world)) == 1
    shown = await driver.invoke("config show", member=world.moderator, channel=world.general)
    text = shown.text
    assert "Weekly poll: Tuesday at 09:00 UTC" in text and "Weekly poll length: 24 hours" in text
    assert "Week of March 9, 2026: missed" in text


async def test_a_moderators_poll_defers_the_week_then_it_opens_or_is_skipped(
    bot: KpopsBot,
    driver: Driver,
    world: World,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock.set(datetime(2026, 3, 2, 8, tzinfo=UTC))
    await configure(driver, world, day="monday", time="10:00", timezone="UTC", length=2)
    own = await driver.invoke(
        "poll start", {"hours": 3}, member=world.moderator, channel=world.daily
    )
    assert own.ephemeral and len(poll_messages(driver, world)) == 1
    clock.set(datetime(2026, 3, 2, 10, 1, tzinfo=UTC))
    with caplog.at_level(logging.INFO, logger="cogs.poll.weekly"):
        [waiting] = await weekly_of(bot).run_due()
        assert waiting.status == DEFERRED
        assert (await weekly_of(bot).run_due())[0].status == DEFERRED
    assert sum("deferred" in r.getMessage() for r in caplog.records) == 1  # said once
    assert len(poll_messages(driver, world)) == 1  # never two open polls in the channel
    clock.set(datetime(2026, 3, 2, 11, 1, tzinfo=UTC))  # the moderator's poll closes at 11:00
    await close_due(bot)
    [opened] = await weekly_of(bot).run_due()
    assert opened.status == OPENED and len(poll_messages(driver, world)) == 2
    clock.advance(hours=2)
    await close_due(bot)
    # Next week a moderator's poll stays open beyond the catch-up window: the week is skipped.
    clock.set(datetime(2026, 3, 9, 9, tzinfo=UTC))
    await driver.invoke("poll start", {"hours": 12}, member=world.moderator, channel=world.daily)
    clock.set(datetime(2026, 3, 9, 10, 1, tzinfo=UTC))
    assert (await weekly_of(bot).run_due())[0].status == DEFERRED
    clock.set(datetime(2026, 3, 9, 16, 2, tzinfo=UTC))
    [skipped] = await weekly_of(bot).run_due()
    assert skipped.status == SKIPPED
    assert await weekly_of(bot).run_due() == []
    assert len(poll_messages(driver, world)) == 3


async def test_weekly_settings_refuse_bad_input_and_change_nothing(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    store = WeeklyStore(bot.db)
    before = await store.settings(world.guild.id)
    for options in (
        {"feature": "poll", "time": "20:00", "timezone": "UTC"},  # no day
        {"feature": "quote", "time": "20:00", "timezone": "UTC", "day": "friday"},
        {"feature": "poll", "time": "25:00", "timezone": "UTC", "day": "friday"},
        {"feature": "poll", "time": "20:00", "timezone": "@everyone Mars", "day": "friday"},
    ):
        result = await driver.invoke(
            "config schedule", options, member=world.moderator, channel=world.general
        )
        assert result.ephemeral and "Nothing was changed" in result.text, result.text
        assert result.message.pings == [] and "@everyone" not in result.text
    fan = await driver.invoke("config poll", {"length": 5}, member=world.fan, channel=world.general)
    assert fan.ephemeral
    assert await store.settings(world.guild.id) == before


async def test_a_korean_moderator_reads_the_weekly_settings_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await driver.invoke(
        "config channel",
        {"feature": "poll", "channel": world.daily},
        member=world.moderator,
        channel=world.general,
    )
    reply = await driver.invoke(
        "config schedule",
        {"feature": "poll", "day": "friday", "time": "8pm", "timezone": "KST"},
        member=world.moderator,
        channel=world.general,
        locale="ko",
    )
    assert "매주 **금요일 20:00 Asia/Seoul**" in reply.text and "24시간 동안" in reply.text
    refused = await driver.invoke(
        "config schedule",
        {"feature": "poll", "time": "8pm", "timezone": "KST"},
        member=world.moderator,
        channel=world.general,
        locale="ko",
    )
    assert refused.ephemeral and "바뀐 것은 없어요" in refused.text


@pytest.mark.parametrize("source", ["cogs", "packages"])
async def test_the_server_purge_deletes_the_weekly_tables(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock, source: str
) -> None:
    clock.set(datetime(2026, 3, 2, 8, tzinfo=UTC))
    await configure(driver, world, day="monday", time="09:00", timezone="UTC")
    clock.set(datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    assert (await weekly_of(bot).run_due())[0].status == OPENED

    async def weekly_rows() -> int:
        total = 0
        for table in ("poll_weekly_settings", "poll_weekly_rounds"):
            row = await bot.db.fetchone(
                f"SELECT COUNT(*) AS n FROM {table} WHERE guild_id = ?",  # noqa: S608 - fixed names
                (world.guild.id,),
            )
            total += int(row["n"]) if row is not None else 0
        return total

    assert await weekly_rows() == 2
    hooks = hooks_of_cogs(bot.cogs.values()) if source == "cogs" else hooks_of_packages(bot.db)
    assert await delete_guild(bot.db, hooks, world.guild.id)
    assert await weekly_rows() == 0
    assert await PollStore(bot.db).closed_polls(world.guild.id) == []


async def test_weekly_poll_buttons_refuse_forged_and_foreign_clicks(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 2, 8, tzinfo=UTC))
    await configure(driver, world, day="monday", time="09:00", timezone="UTC", length=1)
    clock.set(datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    [opened] = await weekly_of(bot).run_due()
    [message] = poll_messages(driver, world)
    pid = opened.poll_id
    assert pid is not None
    other = driver.add_guild("Other Fans", channels=("general",))
    stranger = driver.add_member(other, "stranger")
    await driver.wait_idle(0.2)
    other_channel = next(iter(other.channels.values()))
    elsewhere = await driver.invoke("poll results", member=stranger, channel=other_channel)
    for custom_id, viewer, where in (
        (f"poll:vote:{pid}:kpop", stranger, elsewhere.message),  # from another server
        (f"poll:vote:{pid}:both", world.fan, message),
        (f"poll:vote:{pid + 1}:kpop", world.fan, message),
        ("poll:vote:" + "9" * 30 + ":kpop", world.fan, message),
    ):
        r = await driver.click(where, custom_id=custom_id, member=viewer)
        assert r.ephemeral and "Unknown poll" in r.text, (custom_id, r.text)
        assert r.message.pings == []
    assert await PollStore(bot.db).turnout(pid) == 0
    counted = await driver.click(message, custom_id=f"poll:vote:{pid}:classic", member=world.fan)
    assert counted.ephemeral and "vote is in" in counted.text
    clock.advance(hours=1, minutes=1)
    await close_due(bot)
    late = await driver.click(
        message, custom_id=f"poll:vote:{pid}:kpop", member=world.owner, allow_disabled=True
    )
    assert late.ephemeral and "closed" in late.text
    tally = await PollStore(bot.db).tally(pid)
    assert (tally.kpop, tally.classic) == (0, 1)
