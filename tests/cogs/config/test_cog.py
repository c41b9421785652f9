"""/config end to end through the emulator: who may use it, validation, and what it records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import discord
import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.daily import DailyPost
from bot.sandbox import Channel, Driver, Member
from bot.sandbox.interactions import InteractionResult
from bot.scheduler import DailyScheduler
from bot.storage.config import ConfigStore
from cogs.poll.weekly_store import WeeklyStore
from tests.conftest import World

ALL_COMMANDS: list[tuple[str, Callable[[World], dict[str, Any]]]] = [
    ("config show", lambda w: {}),
    ("config channel", lambda w: {"feature": "quote", "channel": w.daily}),
    ("config schedule", lambda w: {"feature": "fact", "time": "09:00", "timezone": "Asia/Seoul"}),
    ("config toggle", lambda w: {"feature": "poll", "enabled": False}),
    ("config modrole", lambda w: {"role": w.mod_role}),
    ("config language", lambda w: {"language": "ko"}),
    ("config poll", lambda w: {"length": 48}),
    (
        "config schedule",
        lambda w: {"feature": "poll", "time": "20:00", "timezone": "UTC", "day": "friday"},
    ),
]


async def run(
    driver: Driver, world: World, path: str, member: Member | None = None, **options: Any
) -> InteractionResult:
    result = await driver.invoke(
        path, options, member=member or world.moderator, channel=world.general
    )
    assert result.ephemeral, f"/{path} replied publicly: {result.text}"
    assert result.message.pings == []
    return result


async def snapshot(bot: KpopsBot, guild_id: int) -> tuple[object, ...]:
    store = ConfigStore(bot.db)
    features = await store.features(guild_id, ("quote", "fact", "poll"))
    return (
        await store.mod_role(guild_id),
        await store.timezone_name(guild_id),
        await store.language(guild_id),
        tuple(features.values()),
        tuple(await store.recent_changes(guild_id, 50)),
        await WeeklyStore(bot.db).settings(guild_id),
    )


def scheduler_of(bot: KpopsBot) -> DailyScheduler:
    scheduler = getattr(bot.get_cog("Config"), "scheduler", None)
    assert isinstance(scheduler, DailyScheduler)
    return scheduler


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polling the bot's cache; it has no event for us
            await asyncio.sleep(0.01)


# ---------------------------------------------------------------------- who may use /config
async def test_config_is_registered_for_moderators_only(bot: KpopsBot, driver: Driver) -> None:
    config = next(c for c in driver.registered(None) if c["name"] == "config")
    assert int(config["default_member_permissions"]) == limits.MANAGE_GUILD
    assert config["dm_permission"] is False  # servers only, never DMs
    subs = {o["name"]: o for o in config["options"]}
    assert sorted(subs) == ["channel", "language", "modrole", "poll", "schedule", "show", "toggle"]
    options = {name: [o["name"] for o in sub.get("options", [])] for name, sub in subs.items()}
    assert options == {
        "show": [],
        "channel": ["feature", "channel"],
        "schedule": ["feature", "time", "timezone", "day"],
        "poll": ["length"],
        "toggle": ["feature", "enabled"],
        "modrole": ["role"],
        "language": ["language"],
    }
    assert [c["value"] for c in subs["channel"]["options"][0]["choices"]] == [
        "quote",
        "fact",
        "poll",
    ]
    schedule = subs["schedule"]["options"]
    assert [c["value"] for c in schedule[0]["choices"]] == ["quote", "fact", "poll"]
    assert [c["value"] for c in schedule[3]["choices"]][::6] == ["monday", "sunday"]
    assert schedule[3].get("required", False) is False
    length = subs["poll"]["options"][0]
    assert (length["min_value"], length["max_value"], length["required"]) == (1, 168, True)
    assert subs["schedule"]["options"][2]["autocomplete"] is True
    assert subs["modrole"]["options"][0].get("required", False) is False


@pytest.mark.parametrize(("path", "options"), ALL_COMMANDS)
async def test_a_non_moderator_is_refused_and_nothing_changes(
    bot: KpopsBot, driver: Driver, world: World, path: str, options: Callable[[World], dict]
) -> None:
    # Server admins can override default_member_permissions, so the bot checks again itself.
    before = await snapshot(bot, world.guild.id)
    result = await run(driver, world, path, world.fan, **options(world))
    assert "Only moderators" in result.text
    assert await snapshot(bot, world.guild.id) == before


async def test_manage_server_administrator_and_owner_are_moderators(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    admin_role = driver.add_role(world.guild, "Admins", limits.ADMINISTRATOR)
    admin = driver.add_member(world.guild, "admin", roles=(admin_role,))
    for member in (world.moderator, world.owner, admin):
        result = await run(driver, world, "config show", member)
        assert "kpops-bot settings" in result.text


async def test_the_moderator_role_grants_access(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    helpers = driver.add_role(world.guild, "Helpers")  # no permissions at all
    helper = driver.add_member(world.guild, "helper", roles=(helpers,))
    assert "Only moderators" in (await run(driver, world, "config show", helper)).text

    result = await run(driver, world, "config modrole", world.owner, role=helpers)
    assert f"<@&{helpers.id}>" in result.text and "Integrations" in result.text
    shown = await run(driver, world, "config show", helper)
    assert f"<@&{helpers.id}>" in shown.text
    toggled = await run(driver, world, "config toggle", helper, feature="quote", enabled=False)
    assert "now off" in toggled.text
    changes = await ConfigStore(bot.db).recent_changes(world.guild.id)
    assert (changes[0].actor_id, changes[0].summary) == (helper.id, "Quote of the day switched off")

    cleared = await run(driver, world, "config modrole", world.moderator)
    assert "cleared" in cleared.text
    assert "Only moderators" in (await run(driver, world, "config show", helper)).text
    again = await run(driver, world, "config modrole", world.moderator)
    assert "no moderator role to clear" in again.text


async def test_everyone_and_bot_roles_cannot_be_the_moderator_role(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    before = await snapshot(bot, world.guild.id)
    result = await run(driver, world, "config modrole", role=world.guild.everyone)
    assert "@everyone cannot be the moderator role" in result.text
    assert "Nothing was changed" in result.text
    assert await snapshot(bot, world.guild.id) == before


# ---------------------------------------------------------------------- /config channel
async def test_channel_is_set_and_logged(bot: KpopsBot, driver: Driver, world: World) -> None:
    result = await run(driver, world, "config channel", feature="quote", channel=world.daily)
    assert f"<#{world.daily.id}>" in result.text
    assert "/config schedule" in result.text  # it still needs a time
    store = ConfigStore(bot.db)
    assert (await store.feature(world.guild.id, "quote")).channel_id == world.daily.id
    change = (await store.recent_changes(world.guild.id))[0]
    assert change.actor_id == world.moderator.id
    assert change.summary == f"Quote of the day channel set to <#{world.daily.id}>"
    # Setting the same channel again is not a change.
    await run(driver, world, "config channel", feature="quote", channel=world.daily)
    assert len(await store.recent_changes(world.guild.id)) == 1


@pytest.mark.parametrize(
    ("deny", "named"),
    [
        (limits.VIEW_CHANNEL, "View Channel"),
        (limits.SEND_MESSAGES, "Send Messages"),
        (limits.EMBED_LINKS, "Embed Links"),
    ],
)
async def test_a_channel_without_permission_is_refused_with_the_missing_permission(
    bot: KpopsBot, driver: Driver, world: World, deny: int, named: str
) -> None:
    locked = driver.add_channel(world.guild, "locked")
    driver.set_overwrite(locked, driver.bot_user.id, deny=deny, member=True)
    await until(lambda: _bot_lacks(bot, locked, deny))
    before = await snapshot(bot, world.guild.id)
    result = await run(driver, world, "config channel", feature="fact", channel=locked)
    assert f"missing **{named}**" in result.text
    assert "Nothing was changed" in result.text
    assert await snapshot(bot, world.guild.id) == before


def _bot_lacks(bot: KpopsBot, channel: Channel, bit: int) -> bool:
    cached = bot.get_channel(channel.id)
    if not isinstance(cached, discord.TextChannel):
        return False
    return not cached.permissions_for(cached.guild.me).value & bit


# ---------------------------------------------------------------------- /config schedule
@pytest.mark.parametrize(
    "bad_time",
    ["13pm", "24:00", "12:60", "noon", "", "09:00:00", "@everyone", "<@123> 09:00", "`09:00`"],
)
async def test_a_bad_time_gets_a_helpful_reply_and_changes_nothing(
    bot: KpopsBot, driver: Driver, world: World, bad_time: str
) -> None:
    before = await snapshot(bot, world.guild.id)
    result = await run(
        driver, world, "config schedule", feature="quote", time=bad_time, timezone="UTC"
    )
    assert "HH:MM on a 24-hour clock" in result.text
    assert "Nothing was changed" in result.text
    assert await snapshot(bot, world.guild.id) == before


async def test_hostile_input_is_never_echoed_raw(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    prefix = "@everyone **boom** \u200b"
    hostile = prefix + "한" * (limits.STRING_OPTION_MAX - len(prefix))  # as much as a client sends
    for time, timezone in ((hostile, "UTC"), ("09:00", hostile)):
        result = await run(
            driver, world, "config schedule", feature="quote", time=time, timezone=timezone
        )
        assert "Nothing was changed" in result.text
        assert len(result.text) < 500
        quoted = result.text.split("`")[1]  # the input, quoted back in a code span
        assert len(quoted) <= 40 and quoted.endswith("…")
        assert "@everyone" not in result.text  # escaped, though allowed_mentions pings nobody
        assert "\u200b**" not in quoted  # invisible characters dropped
    assert await ConfigStore(bot.db).recent_changes(world.guild.id) == []


async def test_a_bad_time_zone_suggests_the_right_name(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await run(
        driver, world, "config schedule", feature="quote", time="09:00", timezone="seo"
    )
    assert "not an IANA time zone name" in result.text
    assert "Did you mean `Asia/Seoul`?" in result.text
    result = await run(
        driver, world, "config schedule", feature="quote", time="09:00", timezone="Mars/Base"
    )
    assert "not an IANA time zone name" in result.text


@pytest.mark.parametrize(
    ("typed_time", "typed_zone", "hhmm", "zone"),
    [
        ("9am", "KST", "09:00", "Asia/Seoul"),
        ("21:30", "seoul", "21:30", "Asia/Seoul"),
        ("9:30 PM", "Los Angeles", "21:30", "America/Los_Angeles"),
        ("12am", "europe/berlin", "00:00", "Europe/Berlin"),
    ],
)
async def test_times_and_zones_are_read_as_people_type_them(
    bot: KpopsBot,
    driver: Driver,
    world: World,
    typed_time: str,
    typed_zone: str,
    hhmm: str,
    zone: str,
) -> None:
    result = await run(
        driver, world, "config schedule", feature="quote", time=typed_time, timezone=typed_zone
    )
    assert f"**{hhmm} {zone}**" in result.text
    quote = await ConfigStore(bot.db).feature(world.guild.id, "quote")
    assert (quote.post_time, quote.timezone) == (hhmm, zone)


async def test_schedule_is_set_normalised_and_logged(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await run(driver, world, "config channel", feature="fact", channel=world.daily)
    result = await run(
        driver, world, "config schedule", feature="fact", time="9:05", timezone="asia/seoul"
    )
    assert "**09:05 Asia/Seoul** (UTC+09:00 now)" in result.text
    # 08:00 UTC is 17:00 in Seoul: the next post is tomorrow 09:05 KST = 00:05 UTC.
    tomorrow = int(datetime(2026, 3, 3, 0, 5, tzinfo=UTC).timestamp())
    assert f"Next post: <t:{tomorrow}:f>" in result.text
    store = ConfigStore(bot.db)
    fact = await store.feature(world.guild.id, "fact")
    assert (fact.post_time, fact.timezone, fact.schedule_since) == (
        "09:05",
        "Asia/Seoul",
        clock.now(),
    )
    assert (await store.recent_changes(world.guild.id))[0].summary == (
        "Daily fact time set to 09:05 Asia/Seoul"
    )


async def test_timezone_autocomplete_finds_cities_and_abbreviations(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    async def offered(typed: str) -> list[dict[str, Any]]:
        return await driver.autocomplete(
            "config schedule",
            "timezone",
            typed,
            {"feature": "quote", "time": "09:00"},
            member=world.moderator,
            channel=world.general,
        )

    for typed, expected in (
        ("seoul", "Asia/Seoul"),
        ("KST", "Asia/Seoul"),
        ("los angeles", "America/Los_Angeles"),
    ):
        choices = await offered(typed)
        assert choices[0]["value"] == expected
    assert (await offered("KST"))[0]["name"] == "Asia/Seoul — KST, UTC+09:00"
    assert len(await offered("")) == 25
    assert await offered("@everyone" + "x" * 5000) == []


# ---------------------------------------------------------------------- /config toggle
async def test_toggle(bot: KpopsBot, driver: Driver, world: World) -> None:
    result = await run(driver, world, "config toggle", feature="poll", enabled=True)
    assert "already on" in result.text
    assert await ConfigStore(bot.db).recent_changes(world.guild.id) == []
    result = await run(driver, world, "config toggle", feature="poll", enabled=False)
    assert "Listening polls is now off" in result.text
    assert not (await ConfigStore(bot.db).feature(world.guild.id, "poll")).enabled
    result = await run(driver, world, "config toggle", feature="poll", enabled=True)
    assert "no channel yet" in result.text


# ---------------------------------------------------------------------- /config show
async def test_show_lists_settings_last_post_failure_and_five_latest_changes(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    shown = await run(driver, world, "config show")
    assert "Channel: not set" in shown.text and "None yet." in shown.text

    async def build(guild_id: int, day: date) -> DailyPost:
        return DailyPost(embed=discord.Embed(title=f"Quote for {day}"))

    bot.daily.register("quote", build)
    await run(driver, world, "config channel", feature="quote", channel=world.daily)
    await run(driver, world, "config schedule", feature="quote", time="09:00", timezone="UTC")
    await run(driver, world, "config channel", feature="fact", channel=world.daily)
    await run(driver, world, "config channel", feature="poll", channel=world.general)
    await run(driver, world, "config toggle", feature="poll", enabled=False)
    await run(driver, world, "config toggle", feature="poll", enabled=True)
    await run(driver, world, "config modrole", role=world.mod_role)

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    await scheduler_of(bot).run_due()
    sent = driver.channel_messages(world.daily)[-1]

    shown = await run(driver, world, "config show")
    embed = shown.message.embeds[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert f"<@&{world.mod_role.id}>" in fields["Moderators"]
    quote = fields["Quote of the day (on)"]
    assert f"Channel: <#{world.daily.id}>" in quote
    assert "Time: 09:00 UTC" in quote
    assert f"/{world.daily.id}/{sent.id})" in quote  # the last post, linked
    next_day = int(datetime(2026, 3, 3, 9, 0, tzinfo=UTC).timestamp())
    assert f"Next post: <t:{next_day}:f>" in quote
    assert "Time: not set" in fields["Daily fact (on)"]
    assert f"Channel: <#{world.general.id}>" in fields["Listening polls (on)"]
    changes = fields["Recent changes"].splitlines()
    assert len(changes) == 5  # seven changes were made; the five latest are listed
    assert "moderator role set to" in changes[0]
    assert "Daily fact channel set to" in changes[-1]
    assert all(f"<@{world.moderator.id}>" in line for line in changes)


async def test_show_warns_when_the_channel_lost_a_permission(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await run(driver, world, "config channel", feature="quote", channel=world.daily)
    driver.set_overwrite(world.daily, driver.bot_user.id, deny=limits.EMBED_LINKS, member=True)
    await until(lambda: _bot_lacks(bot, world.daily, limits.EMBED_LINKS))
    shown = await run(driver, world, "config show")
    assert "⚠️ kpops-bot is missing Embed Links there" in shown.text
