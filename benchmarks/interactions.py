"""Interactions per second, time to first response and CPU per interaction, for each command kind.

kpops-bot and a bare discord.py bot that only acknowledges run, one after the other, as subprocesses
against the same emulator; the figures and the ratios come from the same run.

    python benchmarks/interactions.py [--count 200] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._common import BotProcess, Scene, build_scene, machine, percentile
from bot.sandbox import CommandUsageError, Driver

Action = Callable[[Driver, Scene, int], Awaitable[Any]]


def command(path: str, **options: Any) -> Action:
    async def act(driver: Driver, scene: Scene, i: int) -> Any:
        member = scene.members[i % len(scene.members)]
        return await driver.invoke(path, options, member=member, channel=scene.channel)

    return act


def complete(path: str, option: str, typed: str) -> Action:
    async def act(driver: Driver, scene: Scene, i: int) -> Any:
        member = scene.members[i % len(scene.members)]
        return await driver.autocomplete(path, option, typed, member=member, channel=scene.channel)

    return act


SCENARIOS: list[tuple[str, Action]] = [
    ("/help", command("help")),
    ("/film about", command("film about")),
    ("/film fact", command("film fact")),
    ("/film leaderboard", command("film leaderboard")),
    ("/quote today", command("quote today")),
    ("/quote random", command("quote random")),
    ("/quote search", command("quote search", text="music")),
    ("/influence artist", command("influence artist", name="BTS")),
    ("/influence path", command("influence path", **{"from": "The Jackson 5", "to": "BTS"})),
    ("autocomplete /influence artist", complete("influence artist", "name", "jakson")),
    ("/poll results", command("poll results")),
    ("/poll standings", command("poll standings")),
]


@dataclass
class Figures:
    rate: float
    latencies: list[float]
    cpu_per: float


async def measure(
    driver: Driver, scene: Scene, bot: BotProcess, action: Action, count: int, concurrency: int
) -> Figures:
    for i in range(10):  # warm-up
        await action(driver, scene, i)
    latencies: list[float] = []
    queue = list(range(count))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            before = len(driver.interactions)
            started = time.monotonic()
            result = await action(driver, scene, i)
            if isinstance(result, list):  # autocomplete: read the interaction's own timing
                interaction = list(driver.interactions.values())[before]
                latencies.append((interaction.acked_at or started) - interaction.created)
            else:
                latencies.append((result.acked_at or started) - result.created)

    cpu0, wall0 = bot.cpu_seconds(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.monotonic() - wall0, bot.cpu_seconds() - cpu0
    return Figures(count / wall, latencies, cpu / count)


async def run(count: int, concurrency: int) -> None:
    driver = Driver()
    await driver.start()
    scene = build_scene(driver)
    results: dict[str, dict[str, Figures]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, bare in (("kpops-bot", False), ("bare", True)):
            bot = BotProcess(driver, Path(tmp) / f"{label}.sqlite3", bare=bare)
            await bot.start()
            try:
                await bot.wait_ready(
                    lambda: driver.invoke("help", member=scene.members[0], channel=scene.channel)
                )
                for name, action in SCENARIOS:
                    try:
                        results.setdefault(name, {})[label] = await measure(
                            driver, scene, bot, action, count, concurrency
                        )
                    except CommandUsageError as exc:
                        print(f"skipped {name}: {exc}")
            finally:
                await bot.stop()
    await driver.stop()

    print(f"machine: {machine()}")
    print(f"{count} interactions per command kind, {concurrency} at a time\n")
    header = f"{'command':32} {'rate/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8} | {'bare rate':>9} {'bare CPU':>9} | {'rate x':>6} {'CPU x':>6}"
    print(header)
    print("-" * len(header))
    for name, pair in results.items():
        if "kpops-bot" not in pair or "bare" not in pair:
            continue
        k, b = pair["kpops-bot"], pair["bare"]
        print(
            f"{name:32} {k.rate:8.1f} {percentile(k.latencies, 50) * 1000:8.2f} {percentile(k.latencies, 99) * 1000:8.2f}"
            f" {k.cpu_per * 1000:8.2f} | {b.rate:9.1f} {b.cpu_per * 1000:9.2f} | {k.rate / b.rate:6.2f} {k.cpu_per / max(b.cpu_per, 1e-9):6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.count, args.concurrency))


if __name__ == "__main__":
    main()
