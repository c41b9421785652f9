"""The storage core: migrations, the schema-version guard, transactions, unusable files."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage import Database, MetaStore, SchemaTooNewError, StorageError
from bot.storage.database import latest_version, migrations


async def test_fresh_database_gets_every_migration(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        assert await db.schema_version() == latest_version() >= 1
        row = await db.fetchone("PRAGMA journal_mode")
        assert row is not None and row[0] == "wal"
        row = await db.fetchone("PRAGMA foreign_keys")
        assert row is not None and row[0] == 1
    finally:
        await db.close()


def test_migrations_are_numbered_files() -> None:
    found = migrations()
    assert found and all(name.startswith(f"{n:04d}_") for n, name, _ in found)


async def test_reopening_applies_nothing_new(db_path: Path) -> None:
    db = await Database.open(db_path)
    await MetaStore(db).set("k", "v")
    await db.close()
    db = await Database.open(db_path)
    try:
        assert await MetaStore(db).get("k") == "v"
        assert await db.migrate() == latest_version()
    finally:
        await db.close()


async def test_newer_schema_is_refused_with_a_clear_message(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {latest_version() + 5}")
    with pytest.raises(SchemaTooNewError, match="newer|knows only up to"):
        await Database.open(db_path)


async def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StorageError, match="not a SQLite database"):
        await Database.open(path)


async def test_unwritable_location(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="DATABASE_PATH"):
        await Database.open(blocker / "sub" / "db.sqlite3")


async def test_transaction_rolls_back_on_error(db_path: Path) -> None:
    db = await Database.open(db_path)
    meta = MetaStore(db)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
                raise RuntimeError("boom")
        assert await meta.get("a") is None
    finally:
        await db.close()


async def test_one_coroutines_commit_never_commits_anothers_half_done_work(db_path: Path) -> None:
    db = await Database.open(db_path)
    meta = MetaStore(db)
    started = asyncio.Event()

    async def slow_failing() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta(key, value) VALUES ('half', 'done')")
                started.set()
                await asyncio.sleep(0.05)
                raise RuntimeError("fails after the other coroutine's commit was requested")

    async def quick() -> None:
        await started.wait()
        await meta.set("quick", "1")

    try:
        await asyncio.gather(slow_failing(), quick())
        assert await meta.get("quick") == "1"
        assert await meta.get("half") is None
    finally:
        await db.close()


async def test_cached_reads_are_dropped_by_forget_and_never_outlive_a_concurrent_write(
    db_path: Path,
) -> None:
    db = await Database.open(db_path)
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        return calls

    try:
        assert await db.cached(("k",), load) == 1
        assert await db.cached(("k",), load) == 1  # served from memory
        db.forget()
        assert await db.cached(("k",), load) == 2

        async def load_during_a_write() -> int:
            db.forget()  # a settings write commits while this read is in flight
            return -1

        db.forget()
        assert await db.cached(("k",), load_during_a_write) == -1
        assert ("k",) not in db.cache  # the stale read was not kept
    finally:
        await db.close()


async def test_settings_reads_see_every_change(db_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.storage.config import ConfigStore

    db = await Database.open(db_path)
    try:
        config = ConfigStore(db)
        at = datetime(2026, 3, 2, tzinfo=UTC)
        assert str(await config.feature_timezone(1, "quote")) == "UTC"
        assert await config.mod_role(1) is None
        await config.set_schedule(
            1, "quote", "09:00", "Asia/Seoul", actor_id=None, at=at, summary="s"
        )
        await config.set_mod_role(1, 42)
        assert str(await config.feature_timezone(1, "quote")) == "Asia/Seoul"
        assert await config.mod_role(1) == 42
        # A new store object (as cogs make per use) shares the connection's cache and its updates.
        await ConfigStore(db).set_mod_role(1, None)
        assert await config.mod_role(1) is None
    finally:
        await db.close()
