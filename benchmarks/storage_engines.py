"""Which way to reach the two databases: CPU per storage operation in the bot's process.

Compared, on the same data and in alternating rounds (so a busy machine slows every variant alike):

- ``aiosqlite``: bot.storage.Database on SQLite (aiosqlite's public API, one hand-off per statement);
- ``asyncpg``: bot.storage.Database on PostgreSQL (asyncpg's pool, connections returned as they are);
- ``asyncpg+reset``: the same with asyncpg's default reset query each time a connection goes back;
- ``sa+aiosqlite`` / ``sa+asyncpg``: SQLAlchemy Core's async engine on the same two drivers, the
  group written once as a synchronous function run by ``AsyncConnection.run_sync`` (only when
  SQLAlchemy is installed: it is not a dependency of the bot).

Three operations: a settings read (one SELECT by key), a generic group (one transaction: a read of
the current rows, then an upsert of 10 rows) and, on bot.storage's own variants, a real vote group
(``PollStore.record_votes`` with 10 votes: one read, one guarded upsert). CPU is this process's (every thread: aiosqlite's
included); the PostgreSQL server's own CPU is another process's and is not counted. Printed: the
median µs per operation and the ratio to ``aiosqlite``.

    python -m benchmarks.storage_engines [--ops 300] [--rounds 5] [--url postgresql://...]

Without ``--url`` a throwaway PostgreSQL server is started as the tests do (tests/postgres.py).

Measured 2026-12-02 (2 cores, AMD EPYC, Python 3.11.7, load average 5-9 from other test runs;
four runs of 5-7 rounds, ratio to aiosqlite, read / group):

    asyncpg          1.36-2.66x / 1.13-1.54x
    asyncpg+reset    2.08-3.59x / 1.40-2.34x
    sa+aiosqlite     5.98-8.60x / 3.75-5.44x
    sa+asyncpg       4.55-12.4x / 2.28-5.16x

2026-12-03, with the vote group (load average 8-11): asyncpg 1.98-3.62x / 1.72-2.44x, vote group
0.96-1.55x (see benchmarks/README.md).

Hence bot.storage: aiosqlite and asyncpg directly, one SQL text for both, and pooled connections
returned without asyncpg's reset query. SQLAlchemy's async layer costs 3-12x the CPU per operation
on either driver (its aiosqlite adapter makes several thread hand-offs per statement; run_sync does
not make a group one hand-off). A direct asyncpg connection read costs ~60 µs, the pool adds ~90.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks._common import machine
from bot.storage import Database
from cogs.poll.store import PollStore, VoteRequest
from tests.postgres import PostgresServer, find_bin_dir

GROUP = 10
READ = "SELECT value FROM meta WHERE key = ?"
GROUP_READ = "SELECT key, value FROM meta WHERE key >= ? AND key < ?"
UPSERT = (
    "INSERT INTO meta(key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)

Op = Callable[[int], Awaitable[Any]]


def database_ops(db: Database) -> tuple[Op, Op]:
    async def read(i: int) -> Any:
        return await db.fetchone(READ, (f"k{i % 50:03d}",))

    async def group(i: int) -> Any:
        async with db.begin() as tx:
            await tx.fetchall(GROUP_READ, ("g", "h"))
            await tx.executemany(UPSERT, [(f"g{i % 7}-{j}", str(i)) for j in range(GROUP)])

    return read, group


async def vote_op(db: Database) -> Op:
    """The poll store's vote group: 10 members of a 500-member server voting on one poll."""
    polls = PollStore(db)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    poll = await polls.create(
        guild_id=1,
        channel_id=1,
        matchup_id=None,
        kpop_label="A",
        classic_label="B",
        started_by=1,
        opened_at=start,
        closes_at=start + timedelta(days=1),
    )

    async def vote(i: int) -> Any:
        sides = ("kpop", "classic")
        group = [
            VoteRequest(poll.id, 1, (i * GROUP + j) % 500, sides[(i + j) % 2]) for j in range(GROUP)
        ]
        return await polls.record_votes(group, start)

    return vote


def sqlalchemy_ops(engine: Any) -> tuple[Op, Op]:
    text = importlib.import_module("sqlalchemy").text

    def sql(statement: str) -> Any:
        # SQLAlchemy's named parameters (:p1 ...) in place of the stores' '?'
        count = 0
        out = ""
        for ch in statement:
            if ch == "?":
                count += 1
                out += f":p{count}"
            else:
                out += ch
        return text(out)

    read_sql, group_read_sql, upsert_sql = sql(READ), sql(GROUP_READ), sql(UPSERT)

    async def read(i: int) -> Any:
        async with engine.connect() as conn:
            return (await conn.execute(read_sql, {"p1": f"k{i % 50:03d}"})).first()

    def group_sync(conn: Any, i: int) -> None:
        conn.execute(group_read_sql, {"p1": "g", "p2": "h"}).all()
        conn.execute(upsert_sql, [{"p1": f"g{i % 7}-{j}", "p2": str(i)} for j in range(GROUP)])

    async def group(i: int) -> Any:
        async with engine.begin() as conn:
            await conn.run_sync(group_sync, i)

    return read, group


async def cpu_per_op(op: Op, count: int) -> float:
    start = time.process_time()
    for i in range(count):
        await op(i)
    return (time.process_time() - start) / count * 1e6


async def main(ops: int, rounds: int, url: str | None) -> None:
    server: PostgresServer | None = None
    if url is None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise SystemExit("no PostgreSQL binaries: pass --url or install postgresql")
        server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix="kpops-bench-pg-")))
        server.start()
        admin = await asyncpg.connect(server.url())
        await admin.execute("CREATE DATABASE bench")
        await admin.close()
        url = server.url("bench")
    tmp = tempfile.TemporaryDirectory()
    closers: list[Callable[[], Awaitable[Any]]] = []
    try:
        lite = await Database.open(Path(tmp.name) / "bench.sqlite3")
        pg = await Database.open(url)
        closers += [lite.close, pg.close]
        for db in (lite, pg):
            await db.executemany(UPSERT, [(f"k{i:03d}", "v") for i in range(50)])
        # The same pool with asyncpg's default reset (a query each time a connection goes back).
        pg_reset = Database(pool=await asyncpg.create_pool(url, min_size=1, max_size=10), url=url)
        closers.append(pg_reset.close)
        variants: dict[str, tuple[Op, Op]] = {
            "aiosqlite": database_ops(lite),
            "asyncpg": database_ops(pg),
            "asyncpg+reset": database_ops(pg_reset),
        }
        votes: dict[str, Op] = {"aiosqlite": await vote_op(lite), "asyncpg": await vote_op(pg)}
        try:  # imported by name: SQLAlchemy is optional here, not a dependency of the bot
            create_async_engine = importlib.import_module(
                "sqlalchemy.ext.asyncio"
            ).create_async_engine
        except ImportError:
            print("SQLAlchemy not installed: its variants are left out")
        else:
            sa_lite = create_async_engine(f"sqlite+aiosqlite:///{tmp.name}/bench.sqlite3")
            sa_pg = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
            closers += [sa_lite.dispose, sa_pg.dispose]
            variants["sa+aiosqlite"] = sqlalchemy_ops(sa_lite)
            variants["sa+asyncpg"] = sqlalchemy_ops(sa_pg)
        figures: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for name, (read, group) in variants.items():
                await cpu_per_op(read, 20)  # warm: connections, prepared statements
                figures.setdefault((name, "read"), []).append(await cpu_per_op(read, ops))
                figures.setdefault((name, "group"), []).append(await cpu_per_op(group, ops // 3))
                if name in votes:
                    figures.setdefault((name, "vote"), []).append(
                        await cpu_per_op(votes[name], ops // 3)
                    )
        print(
            f"storage engines: {machine()}; {ops} reads, {ops // 3} groups of {GROUP}, "
            f"{ops // 3} vote groups of {GROUP}, {rounds} rounds"
        )
        print(
            f"{'variant':<14}{'read µs':>10}{'ratio':>8}{'group µs':>11}{'ratio':>8}"
            f"{'vote µs':>10}{'ratio':>8}"
        )
        kinds = ("read", "group", "vote")
        base = {kind: statistics.median(figures[("aiosqlite", kind)]) for kind in kinds}
        for name in variants:
            line = f"{name:<14}"
            for kind, width in zip(kinds, (10, 11, 10), strict=True):
                if (name, kind) in figures:
                    us = statistics.median(figures[(name, kind)])
                    line += f"{us:>{width}.0f}{us / base[kind]:>8.2f}"
                else:
                    line += f"{'-':>{width}}{'-':>8}"
            print(line)
    finally:
        for close in reversed(closers):
            await close()
        tmp.cleanup()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="CPU per storage operation on each engine")
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", default=None, help="an existing PostgreSQL database to use")
    args = parser.parse_args()
    asyncio.run(main(args.ops, args.rounds, args.url))
