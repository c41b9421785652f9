"""Resident memory after READY with many servers: kpops-bot against a bare discord.py bot.

python benchmarks/memory.py [--guilds 2000] [--channels 20]

Also the bare bot with kpops-bot's ``bot.client`` loaded and unused (``BARE_LOAD_PROJECT=1``), as
the bare bot was until 2026-12-03: the difference is what kpops-bot's modules alone take.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from benchmarks._common import BotProcess, machine
from bot.sandbox import Driver


async def run(guilds: int, channels: int) -> None:
    driver = Driver()
    await driver.start()
    names = tuple(f"c{i}" for i in range(channels))
    world = [driver.add_guild(f"g{i}", channels=names) for i in range(guilds)]
    last = world[-1]
    member = driver.add_member(last, "probe")
    channel = next(iter(last.channels.values()))
    rss: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, bare, env in (
            ("kpops-bot", False, None),
            ("bare", True, None),
            ("bare+modules", True, {"BARE_LOAD_PROJECT": "1"}),
        ):
            bot = BotProcess(driver, Path(tmp) / f"{label}.sqlite3", bare=bare, env=env)
            await bot.start()
            try:
                await bot.wait_ready(lambda: driver.invoke("help", member=member, channel=channel))
                await asyncio.sleep(3)  # let start-up work (sync, scheduler, caches) settle
                rss[label] = bot.rss_mib()
            finally:
                await bot.stop()
    await driver.stop()
    print(f"machine: {machine()}")
    print(f"{guilds} servers x {channels} channels, resident memory after READY")
    print(
        f"kpops-bot {rss['kpops-bot']:.1f} MiB, bare bot {rss['bare']:.1f} MiB, ratio {rss['kpops-bot'] / rss['bare']:.2f}x"
    )
    print(
        f"bare bot with kpops-bot's modules loaded {rss['bare+modules']:.1f} MiB,"
        f" ratio {rss['kpops-bot'] / rss['bare+modules']:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guilds", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.guilds, args.channels))


if __name__ == "__main__":
    main()
