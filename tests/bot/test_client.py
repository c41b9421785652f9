"""The bot class end to end: command sync only on change, the error handler, gateway resume."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.client import KpopsBot, extension_names
from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from tests.conftest import World


def test_every_cog_module_is_found() -> None:
    names = extension_names()
    assert "cogs.help" in names and all(n.startswith("cogs.") for n in names)


async def test_sync_happens_once_then_only_when_the_tree_changes(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:
        assert bot.synced is True
    assert driver.command_syncs == ["global"]
    async with running_bot(driver, db_path, clock=clock) as bot:
        assert bot.synced is False
        # A changed tree is synced again, on demand.
        bot.tree.add_command(app_commands.Command(name="extra", description="x", callback=_noop))
        assert await bot.sync_commands(force=False) is True
    assert driver.command_syncs == ["global", "global"]


async def _noop(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("ok")


async def test_dev_guild_gets_guild_commands(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock, dev_guild_id=world.guild.id):
        assert driver.command_syncs == [str(world.guild.id)]
        result = await driver.invoke("help", member=world.fan, channel=world.general)
        assert "/help" in result.text


async def test_an_exception_gives_a_friendly_reply_with_a_code(
    bot: KpopsBot, driver: Driver, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(interaction: discord.Interaction) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    bot.tree.add_command(
        app_commands.Command(name="explode", description="fails", callback=explode)
    )
    await bot.sync_commands(force=True)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        result = await driver.invoke("explode", member=world.fan, channel=world.general)
    assert result.ephemeral
    assert "hunter2" not in result.text and "RuntimeError" not in result.text
    code = result.text.split("`")[1]
    assert len(code) == 6
    logged = [r for r in caplog.records if code in r.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_the_bot_resumes_after_a_dropped_connection(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await driver.drop_gateway()
    result = await driver.invoke("help", member=world.fan, channel=world.general)
    assert "/help" in result.text
    assert driver.resumes == 1 and driver.identifies == 1


async def test_allowed_mentions_ping_nobody_by_default(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    async def shout(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"@everyone <@{world.fan.id}> <@&{world.mod_role.id}>"
        )

    bot.tree.add_command(app_commands.Command(name="shout", description="x", callback=shout))
    await bot.sync_commands(force=True)
    result = await driver.invoke("shout", member=world.fan, channel=world.general)
    assert "@everyone" in result.message.content
    assert result.message.pings == []
