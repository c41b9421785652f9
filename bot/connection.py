"""Reaching Discord: one log line per failed attempt, retries with backoff, and a prompt stop.

discord.py already retries a lost gateway connection (``Client.connect(reconnect=True)``), but
logs a full traceback for each attempt, and it does not retry logging in: an unreachable Discord
at start-up (no network, DNS failure, a 5xx answer) would end the process with a traceback.
A stop signal must also end the process at once, even in the middle of a backoff sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import discord
from discord.backoff import ExponentialBackoff

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Failures that mean "Discord cannot be reached right now": worth waiting for, not a bug.
UNREACHABLE: tuple[type[BaseException], ...] = (
    aiohttp.ClientError,
    OSError,
    asyncio.TimeoutError,
    discord.DiscordServerError,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
)

# The message discord.py's connect loop logs (with a traceback) before each reconnect, and the one
# each shard of an AutoShardedClient logs (its arguments: the shard id, then the delay).
_RECONNECT_MESSAGE = "Attempting a reconnect in %.2fs"
_SHARD_RECONNECT_MESSAGE = "Attempting a reconnect for shard ID %s in %.2fs"


def describe(exc: BaseException) -> str:
    """What went wrong, in a few words (no traceback)."""
    if isinstance(exc, aiohttp.ClientConnectorError):  # also DNS and TLS failures
        cause = exc.os_error
        if isinstance(cause, socket.gaierror):
            return f"cannot look up {exc.host} in DNS ({cause.strerror or cause})"
        reason = os.strerror(cause.errno) if cause.errno else str(cause) or type(cause).__name__
        return f"cannot connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, discord.HTTPException):
        return f"Discord answered HTTP {exc.status}{f' ({exc.text})' if exc.text else ''}"
    if isinstance(exc, discord.ConnectionClosed):
        return f"the gateway closed the connection (code {exc.code})"
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class OneLineReconnects(logging.Filter):
    """Turn discord.py's reconnect traceback into one warning naming the problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        known = (_RECONNECT_MESSAGE, _SHARD_RECONNECT_MESSAGE)
        if record.msg in known and record.exc_info and record.exc_info[1]:
            args = record.args if isinstance(record.args, tuple) else ()
            delay = args[-1] if args else 0.0
            shard = (
                f" on shard {args[0]}" if record.msg == _SHARD_RECONNECT_MESSAGE and args else ""
            )
            record.msg = "gateway connection failed%s (%s); reconnecting in %.1f s"
            record.args = (shard, describe(record.exc_info[1]), delay)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


RECONNECT_FILTER = OneLineReconnects()


def install_log_filter() -> None:
    """Idempotent: logging keeps one copy of a filter object however often it is added."""
    logging.getLogger("discord.client").addFilter(RECONNECT_FILTER)
    logging.getLogger("discord.shard").addFilter(RECONNECT_FILTER)


class Stopped(Exception):
    """A stop signal arrived while waiting; the caller shuts down."""


async def until_stopped(
    work: Awaitable[T],
    stopping: asyncio.Event,
    *,
    before_cancel: Callable[[], Awaitable[object]] | None = None,
) -> T:
    """``await work``, unless ``stopping`` is set first: then run ``before_cancel`` (e.g. close
    the gateway cleanly), cancel what is left of ``work`` and raise Stopped.

    A backoff sleep, a TCP connect that hangs or a retry loop inside discord.py all end at once.
    """
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        return task.result()
    if before_cancel is not None:
        await before_cancel()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task  # whatever it was doing is moot now
    raise Stopped


async def retry_until_reachable(
    attempt: Callable[[], Awaitable[T]],
    stopping: asyncio.Event,
    *,
    what: str,
    next_delay: Callable[[], float] | None = None,
) -> T:
    """Run ``attempt`` until it does not fail with an UNREACHABLE error, with discord.py's own
    backoff between attempts (random, doubling up to about 17 minutes; ``next_delay`` replaces
    it in tests) and one line for each failure."""
    next_delay = next_delay or ExponentialBackoff().delay
    while True:
        try:
            return await until_stopped(attempt(), stopping)
        except UNREACHABLE as exc:
            delay = next_delay()
            log.warning(
                "cannot reach Discord to %s (%s); retrying in %.1f s", what, describe(exc), delay
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
        if stopping.is_set():
            raise Stopped
