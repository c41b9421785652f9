"""The pieces behind "Discord cannot be reached": what a failure is called, one-line reconnect logs,
stopping in the middle of a wait, and the ready line."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys

import aiohttp
import discord
import pytest

from bot.client import KpopsBot
from bot.connection import (
    RECONNECT_FILTER,
    Stopped,
    describe,
    retry_until_reachable,
    until_stopped,
)
from bot.invite import ready_line
from bot.sandbox import Driver
from tests.conftest import World


async def connector_error(url: str) -> aiohttp.ClientConnectorError:
    """A real failure from aiohttp, as discord.py meets it."""
    async with aiohttp.ClientSession() as session:
        try:
            await session.get(url)
        except aiohttp.ClientConnectorError as exc:
            return exc
    raise AssertionError(f"{url} answered")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_describe_names_the_problem() -> None:
    port = closed_port()
    refused = await connector_error(f"http://127.0.0.1:{port}/")
    assert describe(refused) == f"cannot connect to 127.0.0.1:{port} (Connection refused)"
    dns = await connector_error("http://no-such-host.invalid/")
    assert describe(dns).startswith("cannot look up no-such-host.invalid in DNS (")
    assert describe(TimeoutError()) == "no answer in time"


async def reconnect_record() -> logging.LogRecord:
    """The record discord.py's connect loop logs with ``_log.exception`` before a reconnect."""
    error = await connector_error(f"http://127.0.0.1:{closed_port()}/")
    try:
        raise error
    except aiohttp.ClientError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "discord.client",
        logging.ERROR,
        __file__,
        1,
        "Attempting a reconnect in %.2fs",
        (4.5,),
        exc_info,
    )


async def test_a_reconnect_is_one_warning_without_a_traceback() -> None:
    record = await reconnect_record()
    assert RECONNECT_FILTER.filter(record)
    assert record.exc_info is None and record.levelno == logging.WARNING
    line = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert line.startswith("WARNING gateway connection failed (cannot connect to 127.0.0.1:")
    assert line.endswith(" (Connection refused)); reconnecting in 4.5 s")
    assert "\n" not in line


def test_the_filter_is_installed_once_however_many_bots(bot: KpopsBot) -> None:
    assert logging.getLogger("discord.client").filters.count(RECONNECT_FILTER) == 1


async def test_until_stopped_cancels_a_long_wait_at_once() -> None:
    stopping = asyncio.Event()
    asyncio.get_running_loop().call_later(0.01, stopping.set)
    with pytest.raises(Stopped):
        await until_stopped(asyncio.sleep(3600), stopping)


async def test_retries_until_reachable_and_stops_in_the_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempts = 0
    stopping = asyncio.Event()

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise discord.GatewayNotFound()
        return "in"

    caplog.set_level(logging.WARNING, "bot.connection")
    retried = retry_until_reachable(attempt, stopping, what="log in", next_delay=lambda: 0.0)
    assert await asyncio.wait_for(retried, 5) == "in"
    assert attempts == 3 and len(caplog.records) == 2
    assert all(r.getMessage().startswith("cannot reach Discord to log in") for r in caplog.records)

    async def never() -> str:
        raise aiohttp.ServerDisconnectedError()

    task = asyncio.get_running_loop().create_task(
        retry_until_reachable(never, stopping, what="x", next_delay=lambda: 3600.0)
    )
    await asyncio.sleep(0)
    stopping.set()
    with pytest.raises(Stopped):
        await asyncio.wait_for(task, 5)


async def test_ready_line(bot: KpopsBot, driver: Driver, world: World) -> None:
    line = ready_line(bot)
    assert line.startswith(
        f"ready as {bot.user} (id {driver.bot_user.id}), shard 0 of 1, 1 server;"
    )
    assert f"client_id={driver.app_id}" in line and "scope=bot+applications.commands" in line
