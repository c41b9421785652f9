"""The sandbox prompt: friendly refusals, command help, readable mentions and times, no repeats."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import aiohttp

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.readable import Readable, relative, timestamp
from bot.sandbox.repl import Console, Session
from tests.conftest import World


def console(driver: Driver, world: World, *, echo: bool = True) -> tuple[Console, io.StringIO]:
    members = {"owner": world.owner, "moderator": world.moderator, "fan": world.fan}
    session = Session(driver, world.guild, members, world.moderator, world.general)
    out = io.StringIO()
    return Console(session, out, echo=echo), out


async def run(con: Console, out: io.StringIO, *lines: str) -> str:
    start = out.tell()
    for line in lines:
        assert await con.handle(line)
    return out.getvalue()[start:]


async def test_unknown_options_are_refused_with_the_real_ones(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    con, out = console(driver, world)
    text = await run(con, out, "/influence artist nme:BTS")
    assert "! /influence artist has no option 'nme'. Its options: name (required)." in text
    text = await run(con, out, "/influence artist BTS")
    assert "write options as name:value (got 'BTS'). Its options: name (required)." in text
    text = await run(con, out, "/help extra:1")
    assert "/help has no option 'extra'" in text
    text = await run(con, out, "/influence")
    assert "/influence needs one of:" in text and "/influence path:" in text
    # A colon inside a quoted value is part of the value, not an option.
    text = await run(con, out, '/influence artist name:"BTS: live"')
    assert "has no option" not in text


async def test_question_mark_shows_a_commands_options(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    con, out = console(driver, world)
    text = await run(con, out, "?/influence")
    assert "/influence artist:" in text and "/influence path:" in text
    text = await run(con, out, "?influence artist")
    assert "  name: " in text and "(text, required, suggestions:" in text
    text = await run(con, out, "?")
    assert text.count("/influence") == 1 and "/film" in text
    text = await run(con, out, "?nosuch")
    assert "! /nosuch is not a command here" in text


async def test_malformed_clicks_get_a_friendly_line(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    con, out = console(driver, world)
    text = await run(con, out, "click 1")
    assert "! no message with buttons yet" in text
    await run(con, out, "/film fact")
    for bad in ("click", "click x", "click 0", "click 99", "click -1"):
        text = await run(con, out, bad)
        assert "! click takes a button number from 1 to 1" in text, (bad, text)
        assert "Traceback" not in text and "invalid literal" not in text
    text = await run(con, out, "click 1")
    assert "== Did you know? ==" in text


def test_mentions_and_times_read_as_a_client_shows_them(driver: Driver, world: World) -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp()
    readable = Readable(world.guild, now)
    later = int(now + 3 * 3600)
    raw = (
        f"<@{world.fan.id}> and <@!{world.moderator.id}> in <#{world.daily.id}>, "
        f"ask <@&{world.mod_role.id}>; closes <t:{later}:f> (<t:{later}:R>), <@1>"
    )
    assert readable.text(raw) == (
        "@fan and @moderator in #daily, ask @Mods; "
        "closes 2 March 2026 11:00 UTC (in 3 hours), @unknown-user"
    )
    assert timestamp(later, "t", now) == "11:00 UTC"
    assert timestamp(later, "F", now) == "Monday 2 March 2026 11:00 UTC"
    assert timestamp(later, "d", now) == "2026-03-02 UTC"
    assert relative(-90) == "2 minutes ago" and relative(1) == "in 1 second"
    assert relative(86_400 * 2) == "in 2 days"


async def test_replies_show_names_and_readable_times(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    con, out = console(driver, world)
    text = await run(con, out, "/poll start")
    assert "Poll started in #general" in text
    assert "<t:" not in text and "<#" not in text
    assert "closes 3 March 2026 08:00 UTC (in 1 day)" in text


async def test_no_line_is_printed_twice(bot: KpopsBot, driver: Driver, world: World) -> None:
    # Typed lines are on the screen already: the console does not echo them.
    con, out = console(driver, world, echo=False)
    text = await run(con, out, "/poll start", "as fan", "click 1")
    assert "/poll start" not in text
    assert text.count("Listening poll: K-pop vs classic") == 1
    assert text.count("Your vote is in") == 1
    # A request Discord would refuse is shown once, after the line that caused it.
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {driver.token}"}) as http:
        async with http.post(
            f"{driver.api_base}/channels/{world.general.id}/messages", json={"content": ""}
        ):
            pass
    text = await run(con, out, "help", "help")
    assert text.count("! Discord would refuse POST") == 1
    driver.violations.clear()
