"""An idle sandbox keeps its heartbeat honest, even with the CPU busy elsewhere.

discord.py measures a heartbeat's latency from the moment its keep-alive thread records the send to
the moment the loop reads the ACK. An ACK that arrives before that thread has run is measured from
the previous heartbeat, a whole interval earlier: with Discord's 41.25 s interval discord.py then
warns "Can't keep up ... 41.2s behind". The warning needs more than 10 s, so this test announces a
short interval and checks the cause as well as the symptom: each reading must be shorter than the
interval, which a reading taken from the previous heartbeat can never be.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from tests.conftest import World

INTERVAL = 0.5
BEATS = 6
BUSY_THREADS = 2
BUSY_LIMIT_SECONDS = 30.0


@contextmanager
def busy_cpu(threads: int) -> Iterator[None]:
    """Spin ``threads`` Python threads (they compete for the GIL with discord.py's threads)."""
    stop = threading.Event()

    def spin() -> None:
        deadline = threading.Timer(BUSY_LIMIT_SECONDS, stop.set)  # bounded even if the test hangs
        deadline.start()
        n = 0
        while not stop.is_set():
            n += 1
        deadline.cancel()

    workers = [threading.Thread(target=spin, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join()


async def test_idle_heartbeats_under_load_never_fall_behind(
    driver: Driver,
    world: World,
    db_path: Path,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    driver.heartbeat_interval = INTERVAL
    caplog.set_level(logging.WARNING, logger="discord.gateway")
    readings: list[float] = []
    async with running_bot(driver, db_path, clock=clock) as bot:
        # Heartbeat 1 is sent by the loop on HELLO; from heartbeat 2 on the keep-alive thread sends
        # them. When heartbeat k + 1 arrives, the bot's reading is that of heartbeat k's ACK.
        start = driver.heartbeats
        with busy_cpu(BUSY_THREADS):
            for k in range(1, BEATS + 1):
                await driver.wait_for_heartbeats(max(start, 2) + k, timeout=INTERVAL * 20)
                readings.append(bot.latency)
    assert all(math.isfinite(r) for r in readings), readings
    stale = [r for r in readings if r >= INTERVAL]
    assert not stale, f"latency measured from an older heartbeat: {readings}"
    behind = [r.getMessage() for r in caplog.records if "Can't keep up" in r.getMessage()]
    assert not behind, behind


async def test_hello_announces_the_interval_and_heartbeats_are_counted(
    driver: Driver, world: World
) -> None:
    driver.heartbeat_interval = 2.5
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{driver.gateway_url}?v=10&encoding=json") as ws:
            hello = await ws.receive_json()
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 2500
            await ws.send_json({"op": 1, "d": None})
            await driver.wait_for_heartbeats(1)
            assert driver.heartbeats == 1
            ack = await ws.receive_json(timeout=5)
            assert ack["op"] == 11
