"""The daily post to many servers due at the same minute, under Discord's global rate limit.

1,000 servers (by default) have the quote of the day (or the daily fact) set to 09:00 UTC. The
emulator enforces 50 requests per second across the bot's REST calls, as Discord does, answering
429 beyond it. The real bot runs in-process against the emulator; the scheduler is driven at 09:00
through the injected clock (``run_due()``, what the minute loop calls). Printed: the time until
every post is out against the bound set by the limit (1,000 / 50 = 20 s), the ratio, and the 429s
received (all, and after the first second).

    python -m benchmarks.daily_posts [--servers 1000] [--limit 50] [--feature quote|fact]
    python -m benchmarks.daily_posts --profile    # also prints where the bot's time went
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import machine
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.scheduler import (
    MAX_IN_FLIGHT,
    POST_BURST,
    POSTS_PER_SECOND,
    SENT,
    DailyScheduler,
    TokenBucket,
)
from bot.storage import Database
from bot.storage.config import ConfigStore

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TARGET_RATIO = 1.2


def machine_and_load() -> str:
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return machine() + load


async def configure(db_path: Path, driver: Driver, feature: str) -> None:
    """Every server's feature set to post at 09:00 UTC in its first channel (set at 08:00)."""
    db = await Database.open(db_path)
    store = ConfigStore(db)
    try:
        for guild in driver.guilds.values():
            channel = next(iter(guild.channels.values()))
            await store.set_channel(
                guild.id, feature, channel.id, actor_id=None, at=START, summary="benchmark"
            )
            await store.set_schedule(
                guild.id, feature, "09:00", "UTC", actor_id=None, at=START, summary="benchmark"
            )
    finally:
        await db.close()


def scheduler_of(bot: KpopsBot) -> DailyScheduler:
    scheduler = getattr(bot.get_cog("Config"), "scheduler", None)
    assert isinstance(scheduler, DailyScheduler), "the /config cog (and its scheduler) is missing"
    return scheduler


async def run(
    servers: int,
    limit: int,
    feature: str,
    profile: bool,
    rate: float = POSTS_PER_SECOND,
    burst: int = POST_BURST,
) -> bool:
    clock = ManualClock(START)
    driver = Driver(clock=clock.timestamp)
    await driver.start()
    for i in range(servers):
        driver.add_guild(f"Fans {i}", channels=("daily",))
    channel_ids = {c.id for g in driver.guilds.values() for c in g.channels.values()}
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "daily.sqlite3"
        await configure(db_path, driver, feature)
        async with running_bot(driver, db_path, clock=clock) as bot:
            # Every GUILD_CREATE handled (discord.py has no event for 'all of them').
            while len(bot.guilds) < servers:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            scheduler = scheduler_of(bot)
            if (rate, burst) != (POSTS_PER_SECOND, POST_BURST):  # trying other pacing
                scheduler.bucket = TokenBucket(rate, burst)
            driver.rate_limit_per_second = limit
            driver.rate_limited.clear()
            first_request = len(driver.requests)
            clock.set(DUE)
            profiler = cProfile.Profile() if profile else None
            started, cpu_started = time.monotonic(), time.process_time()
            if profiler is not None:
                profiler.enable()
            outcomes = await scheduler.run_due()
            if profiler is not None:
                profiler.disable()
            elapsed = time.monotonic() - started
            cpu = time.process_time() - cpu_started
            peak = scheduler.peak_in_flight
        await driver.stop()

    requests = driver.requests[first_request:]
    posts = [
        r
        for r in requests
        if r.method == "POST" and r.status == 200 and r.path.startswith("/channels/")
    ]
    posted_channels = Counter(
        m.channel_id for m in driver.messages.values() if m.channel_id in channel_ids
    )
    limited = [t - started for t in driver.rate_limited]
    late = [t for t in limited if t > 1.0]
    sent = sum(o.status == SENT for o in outcomes)
    bound = servers / limit
    ratio = elapsed / bound
    spread = (posts[-1].at - posts[0].at) if posts else float("nan")
    twice = sum(n > 1 for n in posted_channels.values())

    print(f"machine: {machine_and_load()}")
    print(
        f"scheduler pacing: {rate:g} posts/s, burst {burst}, "
        f"{MAX_IN_FLIGHT} in flight; emulator limit {limit} requests/s"
    )
    print(f"{servers} servers, daily {feature} due at the same minute")
    print(f"sent {sent}/{servers} (outcomes: {dict(Counter(o.status for o in outcomes))})")
    print(
        f"servers posted to more than once: {twice}; without a post: {servers - len(posted_channels)}"
    )
    print(
        f"time for all posts: {elapsed:.2f} s (first to last accepted post {spread:.2f} s); "
        f"bound {bound:.1f} s; ratio {ratio:.3f}x (target <= {TARGET_RATIO}x)"
    )
    print(f"429s received: {len(limited)}, after the first second: {len(late)}")
    print(f"most posts in flight at once: {peak}")
    print(
        f"CPU time of the bot and the emulator (one process): {cpu:.2f} s "
        f"({cpu / elapsed:.0%} of the wall time: the pacing, not the work, sets the pace)"
    )
    ok = sent == servers and twice == 0 and ratio <= TARGET_RATIO and not late
    print("target met" if ok else "TARGET MISSED")
    if profiler is not None:
        print("\nwhere the time went (cumulative, top 25):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=50, help="emulator requests per second")
    parser.add_argument("--feature", choices=("quote", "fact"), default="quote")
    parser.add_argument("--profile", action="store_true", help="profile the run (slower)")
    parser.add_argument(
        "--rate", type=float, default=POSTS_PER_SECOND, help="try another scheduler pacing"
    )
    parser.add_argument("--burst", type=int, default=POST_BURST, help="with --rate")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    ok = asyncio.run(
        run(args.servers, args.limit, args.feature, args.profile, args.rate, args.burst)
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
