"""Fixtures the emulator's own tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.sandbox import Driver


@pytest.fixture
async def http(driver: Driver) -> AsyncIterator[aiohttp.ClientSession]:
    """A client for the emulator's HTTP API, authorized as the bot."""
    headers = {"Authorization": f"Bot {driver.token}"}
    async with aiohttp.ClientSession(
        base_url=f"http://{driver.host}:{driver.port}", headers=headers
    ) as session:
        yield session
