"""The real bot with DATABASE_URL set, against the emulator: every store it uses runs on
PostgreSQL (polls and votes, quotes, trivia answers, settings, a member's deletion)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.storage.config import ConfigStore
from cogs.film.store import FilmStore
from cogs.poll.store import PollStore
from cogs.privacy import render
from cogs.quotes.store import QuoteStore
from tests.cogs.privacy.test_cog import rows_naming
from tests.conftest import World


@pytest.fixture
async def pg_bot(
    driver: Driver, world: World, postgres_migrated_url: str, clock: ManualClock
) -> AsyncIterator[KpopsBot]:
    async with running_bot(driver, postgres_migrated_url, clock=clock) as running:
        yield running


async def test_the_features_run_on_postgresql(
    pg_bot: KpopsBot, driver: Driver, world: World
) -> None:
    assert pg_bot.db.engine == "postgresql"
    mod, here = world.moderator, world.general
    started = await driver.invoke("poll start", {}, member=mod, channel=here)
    assert started.ephemeral, started.text
    (message,) = [m for m in driver.channel_messages(world.general) if m.buttons()]
    kpop = next(b["custom_id"] for b in message.buttons() if b["custom_id"].endswith(":kpop"))
    for member in (world.fan, world.owner):
        clicked = await driver.click(message, member=member, custom_id=kpop)
        assert clicked.ephemeral, clicked.text
    ended = await driver.invoke("poll end", {}, member=mod, channel=here)
    assert ended.ephemeral and "closed early" in ended.text
    (poll,) = await PollStore(pg_bot.db).closed_polls(world.guild.id)
    assert poll.final is not None and poll.final.kpop == 2

    added = await driver.invoke(
        "quote add",
        {"text": "Music moves across oceans.", "speaker": "A fan"},
        member=mod,
        channel=here,
    )
    assert "#1" in added.text, added.text
    assert len(await QuoteStore(pg_bot.db).server_quotes(world.guild.id)) == 1

    trivia = await driver.invoke("film trivia", {}, member=world.fan, channel=world.general)
    assert not trivia.ephemeral, trivia.text
    answered = await driver.click(
        trivia.message, member=world.fan, custom_id=trivia.message.buttons()[0]["custom_id"]
    )
    assert answered.ephemeral, answered.text
    board = await FilmStore(pg_bot.db).scoreboard(world.guild.id)
    assert world.fan.id in board.by_user

    toggled = await driver.invoke(
        "config toggle", {"feature": "fact", "enabled": False}, member=mod, channel=here
    )
    assert toggled.ephemeral, toggled.text
    assert not (await ConfigStore(pg_bot.db).feature(world.guild.id, "fact")).enabled

    assert await rows_naming(pg_bot.db, world.fan.id)
    asked = await driver.invoke("privacy delete", {}, member=world.fan, channel=world.general)
    done = await driver.click(asked.message, member=world.fan, label=render.CONFIRM_LABEL)
    assert done.ephemeral, done.text
    assert await rows_naming(pg_bot.db, world.fan.id) == {}
