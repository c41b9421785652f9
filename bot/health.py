"""Liveness for container health checks: is the gateway connected, can the database be written?

The running bot records a heartbeat in the database while its gateway connection is up;
``python -m bot health`` (a separate process, as Docker's HEALTHCHECK runs it) reads that heartbeat
and proves the database is writable. Exit 0 = healthy, 1 = unhealthy (with one line saying why).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.storage import Database, MetaStore, StorageError

if TYPE_CHECKING:
    from bot.client import KpopsBot

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "gateway_alive_at"


def heartbeat_key(shard_label: str) -> str:
    """Each process keeps its own heartbeat (processes holding different shards share one
    database): 'gateway_alive_at' for a process holding every shard, else one key per SHARD_IDS."""
    return HEARTBEAT_KEY if shard_label == "all" else f"{HEARTBEAT_KEY}:shards={shard_label}"


HEARTBEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


async def heartbeat(bot: KpopsBot, meta: MetaStore) -> None:
    """Record, every HEARTBEAT_SECONDS, that the gateway connection of every shard held is up."""
    key = heartbeat_key(bot.settings.shard_label)
    await bot.wait_until_ready()
    while not bot.is_closed():
        shards = bot.shards.values()
        if bot.is_ready() and shards and not any(shard.is_closed() for shard in shards):
            try:
                await meta.set(key, f"{time.time():.3f}")
            except Exception:  # a locked or full disk must not kill the loop
                log.exception("could not record the gateway heartbeat")
        await asyncio.sleep(HEARTBEAT_SECONDS)


def judge(last_heartbeat: str | None, now: float) -> tuple[bool, str]:
    """Healthy when the last heartbeat is recent enough."""
    if last_heartbeat is None:
        return False, "unhealthy: the bot has not connected to the gateway yet"
    age = now - float(last_heartbeat)
    if age > STALE_AFTER_SECONDS:
        return (
            False,
            f"unhealthy: no gateway heartbeat for {age:.0f}s (limit {STALE_AFTER_SECONDS:.0f}s)",
        )
    return True, f"healthy: gateway heartbeat {age:.0f}s ago, database writable"


async def check(database_path: str, key: str = HEARTBEAT_KEY) -> tuple[bool, str]:
    """``database_path``: the SQLite file, or a DATABASE_URL (a server: nothing to look for)."""
    is_url = database_path.startswith(("postgresql://", "postgres://"))
    if not is_url and not await asyncio.to_thread(Path(database_path).is_file):
        # Opening would create a fresh, empty database: a wrong path must not look like a bot
        # that has not connected yet.
        return False, (
            f"unhealthy: no database at DATABASE_PATH {database_path!r}; set DATABASE_PATH to the "
            "running bot's database (the bot creates it when it first starts)"
        )
    try:
        db = await Database.open(
            database_path
        )  # opening writes to the database (see Database._prepare)
    except StorageError as exc:
        return False, f"unhealthy: {exc}"
    try:
        meta = MetaStore(db)
        await meta.set("health_probe_at", f"{time.time():.3f}")
        return judge(await meta.get(key), time.time())
    finally:
        await db.close()
