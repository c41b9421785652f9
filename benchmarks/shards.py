"""Daily posts for many servers from 1, 2 or 4 bot processes sharing one bot token.

The emulator holds N servers (1,000 by default) over 4 gateway shards and enforces Discord's
global limit (50 requests per second per token, for all processes together; the 51st request in
any one-second window gets a global 429). Real ``python -m bot`` processes hold the shards
(``SHARD_COUNT=4``; ``SHARD_IDS`` 0-3, or 0-1 and 2-3, or one each) and share one SQLite
database (WAL, busy timeout), or one PostgreSQL database (``--database postgresql``), in which every server's quote of the day is set to the next whole
minute. At that minute every process's scheduler wakes at once (the worst case for the shared
budget) and posts for the servers of its own shards. Printed per layout: the time from the minute
to the last post against the floor the limit sets (N / 50 s), the 429s, and whether every server
got exactly one post.

    python -m benchmarks.shards [--servers 1000] [--processes 1 2 4] [--database postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._common import database_env, machine, postgres_databases
from bot.sandbox import Driver
from bot.shards import GLOBAL_REQUESTS_PER_SECOND
from bot.storage import Database
from bot.storage.config import ConfigStore

ROOT = Path(__file__).resolve().parent.parent
SHARD_COUNT = 4
LAYOUTS = {1: ["0-3"], 2: ["0-1", "2-3"], 4: ["0", "1", "2", "3"]}
# Start-up before the posting minute: imports, content, and discord.py's 5 s between a process's
# shard IDENTIFYs (15 s for one process holding all four).
START_MARGIN = timedelta(seconds=40)
NewDatabase = Callable[[str], Awaitable[str]]  # a database name -> its PostgreSQL URL
OUR_SETTINGS = ("DISCORD_TOKEN", "DATABASE_PATH", "DATABASE_URL", "SHARD_COUNT", "SHARD_IDS")


@dataclass
class Result:
    processes: int
    sent: int
    seconds: float
    first: float  # from the minute to the first post: the wake-up and the first query
    floor: float
    rate_limited: int
    limited_at: list[float]
    twice: int
    missing: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor


def next_minute_after(margin: timedelta) -> datetime:
    at = datetime.now(UTC) + margin
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def configure(db_path: Path | str, driver: Driver, post_at: datetime) -> None:
    db = await Database.open(db_path)
    store = ConfigStore(db)
    now = datetime.now(UTC)
    try:
        for guild in driver.guilds.values():
            channel = next(iter(guild.channels.values()))
            await store.set_channel(
                guild.id, "quote", channel.id, actor_id=None, at=now, summary="benchmark"
            )
            await store.set_schedule(
                guild.id,
                "quote",
                post_at.strftime("%H:%M"),
                "UTC",
                actor_id=None,
                at=now,
                summary="benchmark",
            )
    finally:
        await db.close()


async def run_layout(
    servers: int, processes: int, logs: Path, new_postgres_database: NewDatabase | None = None
) -> Result:
    """``new_postgres_database``: the processes share a fresh PostgreSQL database from it;
    None: one SQLite file."""
    driver = Driver()
    await driver.start()
    procs: list[asyncio.subprocess.Process] = []
    minute = time.monotonic()
    try:
        for i in range(servers):
            driver.add_guild(f"Fans {i}", channels=("daily",))
        channels = {c.id for g in driver.guilds.values() for c in g.channels.values()}
        with tempfile.TemporaryDirectory() as tmp:
            db_path: Path | str = Path(tmp) / "kpops.sqlite3"
            if new_postgres_database is not None:
                db_path = await new_postgres_database(f"bench_shards_{processes}p")
            post_at = next_minute_after(START_MARGIN)
            await configure(db_path, driver, post_at)
            env = {k: v for k, v in os.environ.items() if k not in OUR_SETTINGS}
            env.update(driver.env(), PYTHONPATH=str(ROOT), **database_env(db_path))
            env.update(SHARD_COUNT=str(SHARD_COUNT), LOG_LEVEL="INFO")
            for n, shard_ids in enumerate(LAYOUTS[processes]):
                log = (logs / f"shards-{processes}p-{n}.log").open("w")
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        env={**env, "SHARD_IDS": shard_ids},
                        cwd=tmp,
                        stdout=log,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )
            # The minute, in the emulator's clock (monotonic, as its request records are).
            wait = (post_at - datetime.now(UTC)).total_seconds()
            minute = time.monotonic() + wait
            driver.rate_limit_per_second = GLOBAL_REQUESTS_PER_SECOND
            deadline = minute + servers / GLOBAL_REQUESTS_PER_SECOND * 3 + 30
            # The emulator stands in for Discord and timestamps each request as it handles it: a
            # garbage collection pausing this process (10,000 servers' state) would hold requests
            # back and then stamp them together, a squeeze Discord would not see.
            gc.collect()
            gc.freeze()
            gc.disable()
            try:
                while time.monotonic() < deadline:
                    posted = sum(1 for m in driver.messages.values() if m.channel_id in channels)
                    if posted >= servers:
                        break
                    await asyncio.sleep(0.5)
                await asyncio.sleep(2.0)  # room for a wrong second post to show up
            finally:
                gc.enable()
                gc.unfreeze()
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
        await driver.stop()

    posts = [
        r
        for r in driver.requests
        if r.method == "POST" and r.status == 200 and r.path.startswith("/channels/")
    ]
    per_channel = Counter(
        m.channel_id for m in driver.messages.values() if m.channel_id in channels
    )
    last = max((r.at for r in posts), default=minute)
    first = min((r.at for r in posts), default=minute)
    return Result(
        processes=processes,
        sent=len(posts),
        seconds=last - minute,
        first=first - minute,
        floor=servers / GLOBAL_REQUESTS_PER_SECOND,
        rate_limited=len(driver.rate_limited),
        limited_at=[at - minute for at in driver.rate_limited],
        twice=sum(n > 1 for n in per_channel.values()),
        missing=servers - len(per_channel),
    )


async def main(servers: int, layouts: list[int], logs: Path, database: str = "sqlite") -> bool:
    async with AsyncExitStack() as stack:
        new_postgres_database = (
            await stack.enter_async_context(postgres_databases())
            if database == "postgresql"
            else None
        )
        return await run_layouts(servers, layouts, logs, new_postgres_database)


async def run_layouts(
    servers: int, layouts: list[int], logs: Path, new_postgres_database: NewDatabase | None
) -> bool:
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {machine()}{load}")
    engine = "PostgreSQL" if new_postgres_database else "SQLite"
    print(
        f"{servers} servers over {SHARD_COUNT} shards, {engine}; emulator limit 50 requests/s "
        "per token"
    )
    print(
        "processes | sent | time from the minute | first post after | floor | ratio | 429s | "
        "twice | missing"
    )
    ok = True
    for processes in layouts:
        r = await run_layout(servers, processes, logs, new_postgres_database)
        print(
            f"{r.processes} | {r.sent} | {r.seconds:.2f} s | {r.first:.2f} s | {r.floor:.1f} s | "
            f"{r.ratio:.3f}x | "
            f"{r.rate_limited} | {r.twice} | {r.missing}",
            flush=True,
        )
        if r.limited_at:
            print(
                "  429s at " + ", ".join(f"{at:.2f} s" for at in r.limited_at) + " from the minute"
            )
        ok = ok and r.twice == 0 and r.missing == 0 and r.rate_limited == 0
    print(f"process logs: {logs}")
    return ok


def cli() -> int:
    parser = argparse.ArgumentParser(description="Daily posts from 1, 2 or 4 bot processes.")
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument(
        "--processes", type=int, nargs="+", choices=sorted(LAYOUTS), default=[1, 2, 4]
    )
    parser.add_argument("--logs", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="one SQLite file, or a throwaway PostgreSQL server started here",
    )
    args = parser.parse_args()
    ok = asyncio.run(main(args.servers, args.processes, args.logs, args.database))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(cli())
