"""The loop-lag probe itself: it must catch a loop that is really blocked."""

from __future__ import annotations

import asyncio
import time

from tests.loop_lag import LagProbe


async def test_work_on_the_loop_is_caught() -> None:
    async with LagProbe() as probe:
        await asyncio.sleep(0.01)
        end = time.perf_counter() + 0.12
        while time.perf_counter() < end:  # 120 ms of CPU on the loop thread
            pass
        await asyncio.sleep(0.01)
    assert probe.worst > 0.05


async def test_waiting_is_not_blocking() -> None:
    async with LagProbe() as probe:
        await asyncio.sleep(0.1)
    assert probe.worst < 0.05
