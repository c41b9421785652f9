"""Run the real bot in-process against the emulator (tests, the sandbox prompt, benchmarks)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.client import KpopsBot, use_endpoints
from bot.clock import Clock
from bot.sandbox.driver import Driver
from bot.settings import Settings


def sandbox_settings(
    driver: Driver, database_path: Path | str, *, dev_guild_id: int | None = None
) -> Settings:
    """``database_path``: a SQLite file, or a ``postgresql://`` URL (as DATABASE_URL)."""
    url = database_path if isinstance(database_path, str) else None
    return Settings(
        token=driver.token,
        database_path=Path("unused.sqlite3") if url else Path(database_path),
        database_url=url,
        api_base=driver.api_base,
        gateway_url=driver.gateway_url,
        dev_guild_id=dev_guild_id,
        log_level=logging.INFO,
    )


def feature_modules() -> dict[str, ModuleType]:
    return {name: module for name, module in sys.modules.items() if name.startswith("cogs.")}


@asynccontextmanager
async def running_bot(
    driver: Driver,
    database_path: Path | str,
    *,
    clock: Clock | None = None,
    dev_guild_id: int | None = None,
    **options: Any,
) -> AsyncIterator[KpopsBot]:
    """Start KpopsBot against ``driver`` and wait until it is ready; close it afterwards."""
    settings = sandbox_settings(driver, database_path, dev_guild_id=dev_guild_id)
    use_endpoints(settings.api_base, settings.gateway_url)
    options.setdefault("guild_ready_timeout", 0.05)
    # Tests and benchmarks run the scheduler themselves with a manual clock.
    options.setdefault("catch_up_at_start", False)
    bot = KpopsBot(settings, clock=clock, **options)
    await bot.login(settings.token)
    task = asyncio.create_task(bot.connect(reconnect=True))
    kept: dict[str, ModuleType] = {}
    try:
        ready = asyncio.ensure_future(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises the connection error
        if ready not in done:
            raise TimeoutError("the bot did not become ready against the emulator")
        kept = feature_modules()
        yield bot
        if bot.ownership_errors:  # loud in every test: an interaction reached the wrong process
            raise AssertionError(
                f"interactions for servers this bot does not hold: {bot.ownership_errors}"
            )
    finally:
        await bot.close()
        # Closing unloads the extensions, and discord.py then drops every module of a feature
        # package from sys.modules. Many bots start in one process here (a real process starts
        # one): put the same modules back so the next bot, and the caller, share one copy of each
        # feature's classes and content, as they would in a single bot's lifetime.
        sys.modules.update(kept)
        try:
            await asyncio.wait_for(task, 5)
        except (asyncio.CancelledError, TimeoutError, Exception):  # noqa: BLE001 - shutting down
            task.cancel()
