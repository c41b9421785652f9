"""The storage core on both engines: migrations, the schema-version guard, transactions, unusable
databases, advisory locks and schema listing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from bot.storage import Database, MetaStore, SchemaTooNewError, StorageError
from bot.storage.database import latest_version, migrations
from bot.storage.engines import numbered_placeholders, status_rowcount
from bot.storage.migrate import SQLITE_ONLY, postgres_sql, sqlite_statements


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


async def test_reopening_applies_nothing_new(db_target: str | Path) -> None:
    db = await Database.open(db_target)
    assert await db.schema_version() == latest_version() >= 1
    await MetaStore(db).set("k", "v")
    await db.close()
    db = await Database.open(db_target)
    try:
        assert await MetaStore(db).get("k") == "v"
        assert await db.migrate() == latest_version()
    finally:
        await db.close()


async def test_newer_schema_is_refused_on_sqlite(db_path: Path) -> None:
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


async def test_transaction_rolls_back_on_error(engine_db: Database) -> None:
    meta = MetaStore(engine_db)
    with pytest.raises(RuntimeError):
        async with engine_db.begin() as tx:
            await tx.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await meta.get("a") is None


async def test_one_coroutines_commit_never_commits_anothers_half_done_work(
    db_target: str | Path,
) -> None:
    db = await Database.open(db_target)
    meta = MetaStore(db)
    started = asyncio.Event()

    async def slow_failing() -> None:
        with pytest.raises(RuntimeError):
            async with db.begin() as tx:
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
    db_target: str | Path,
) -> None:
    db = await Database.open(db_target)
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


async def test_settings_reads_see_every_change(db_target: str | Path) -> None:
    from datetime import UTC, datetime

    from bot.storage.config import ConfigStore

    db = await Database.open(db_target)
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


async def test_newer_schema_is_refused_on_postgresql(postgres_url: str) -> None:
    db = await Database.open(postgres_url)
    await db.execute(
        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, 'future.sql', 'x')",
        (latest_version() + 5,),
    )
    await db.close()
    with pytest.raises(SchemaTooNewError, match="knows only up to") as refused:
        await Database.open(postgres_url)
    assert "DATABASE_URL" in str(refused.value)


async def test_processes_starting_together_migrate_exactly_once(
    db_target: str | Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Separate connections (pools) opening one empty database at once, as processes would."""
    caplog.set_level(logging.INFO, logger="bot.storage.database")
    opened = await asyncio.gather(*(Database.open(db_target) for _ in range(4)))
    try:
        migrated = [r for r in caplog.records if r.getMessage().startswith("database migrated")]
        assert [r.getMessage() for r in migrated] == [
            f"database migrated from version 0 to {latest_version()}"
        ]
        for db in opened:
            assert await db.schema_version() == latest_version()
    finally:
        for db in opened:
            await db.close()


async def test_a_failing_migration_leaves_the_database_as_it_was(
    db_target: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = [
        *migrations(),
        (latest_version() + 1, "9999_broken.sql", "CREATE TABLE meta (x TEXT);"),
    ]
    monkeypatch.setattr("bot.storage.database.migrations", lambda: broken)
    with pytest.raises((sqlite3.Error, asyncpg.PostgresError, StorageError)):
        await Database.open(db_target)
    monkeypatch.undo()
    db = await Database.open(db_target)  # nothing half-applied: the real migrations apply cleanly
    try:
        assert await db.schema_version() == latest_version()
    finally:
        await db.close()


async def test_snapshot_reads_and_rowcounts(engine_db: Database) -> None:
    await engine_db.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?)", [("a", "1"), ("b", "2"), ("c", "?")]
    )
    assert await engine_db.execute("UPDATE meta SET value = 'x' WHERE key IN ('a', 'b')") == 2
    async with engine_db.snapshot() as tx:
        rows = await tx.fetchall(
            "SELECT key, value FROM meta WHERE key <> 'last_open' ORDER BY key"
        )
        one = await tx.fetchone("SELECT value FROM meta WHERE key = ?", ("c",))
        none = await tx.fetchone("SELECT value FROM meta WHERE key = ?", ("zz",))
    assert [(r["key"], r[1]) for r in rows] == [("a", "x"), ("b", "x"), ("c", "?")]
    assert one is not None and one["value"] == "?" and none is None
    assert (tuple(rows[0]), len(rows[0])) == (("a", "x"), 2)  # rows iterate over their values


async def test_an_unreachable_server_is_a_clear_error_without_the_password(
    postgres_server: object,
) -> None:
    from tests.postgres import free_port

    url = f"postgresql://kpops:s3cret@127.0.0.1:{free_port()}/nowhere"
    with pytest.raises(StorageError, match="DATABASE_URL") as refused:
        await Database.open(url)
    assert "s3cret" not in str(refused.value)


def test_every_migration_translates_to_postgresql_without_sqlite_only_sql() -> None:
    for _, name, sql in migrations():
        translated = postgres_sql(sql)
        assert not SQLITE_ONLY.search(translated), name
        assert "INTEGER" not in translated.upper().replace("BIGINT", ""), name
        assert sqlite_statements(sql), name
    assert "GENERATED BY DEFAULT AS IDENTITY" in postgres_sql(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER) STRICT;"
    )
    assert "IDENTITY" not in postgres_sql("CREATE TABLE g (guild_id INTEGER PRIMARY KEY) STRICT;")
    with pytest.raises(ValueError, match="json_each"):
        postgres_sql("CREATE VIEW v AS SELECT value FROM json_each('[1]');")


def test_placeholders_and_rowcounts() -> None:
    assert numbered_placeholders("SELECT '?', a FROM t WHERE b = ? AND c IN (?, ?)") == (
        "SELECT '?', a FROM t WHERE b = $1 AND c IN ($2, $3)"
    )
    assert numbered_placeholders("SELECT 'it''s ?' WHERE x = ?") == "SELECT 'it''s ?' WHERE x = $1"
    assert [status_rowcount(s) for s in ("INSERT 0 1", "UPDATE 3", "DELETE 0", "CREATE TABLE")] == [
        1,
        3,
        0,
        0,
    ]


def test_database_url_wins_over_database_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.settings import SettingsError, load_settings

    env = tmp_path / "none.env"
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "x.sqlite3"))
    monkeypatch.setenv("DATABASE_URL", "")  # empty means unset
    assert load_settings(require_token=False, env_file=env).database == tmp_path / "x.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db.example:5432/kpops")
    assert load_settings(require_token=False, env_file=env).database == (
        "postgresql://bot@db.example:5432/kpops"
    )
    monkeypatch.setenv("DATABASE_URL", "mysql://bot@db.example/kpops")
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(require_token=False, env_file=env)


async def test_sqlite_schema_is_what_the_migration_files_say(db_path: Path, tmp_path: Path) -> None:
    """Statement by statement (this runner) or as one script (the previous one): the same schema,
    so databases migrated before and after the change are alike."""
    db = await Database.open(db_path)
    await db.close()
    reference = tmp_path / "script.sqlite3"
    with closing(sqlite3.connect(reference)) as raw:
        raw.executescript("\n;\n".join(sql for _, _, sql in migrations()))

    def schema(path: Path) -> list[tuple[str, str, str]]:
        with closing(sqlite3.connect(path)) as raw:
            return raw.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                "ORDER BY type, name"
            ).fetchall()

    assert schema(db_path) == schema(reference)


async def test_processes_starting_together_on_an_older_database_migrate_it_once(
    db_target: str | Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An upgrade that restarts every process at once: the pending migration runs once."""
    older = migrations()[:-1]
    monkeypatch.setattr("bot.storage.database.migrations", lambda: older)
    db = await Database.open(db_target)
    assert await db.schema_version() == older[-1][0]
    await db.close()
    monkeypatch.undo()
    caplog.set_level(logging.INFO, logger="bot.storage.database")
    opened = await asyncio.gather(*(Database.open(db_target) for _ in range(3)))
    try:
        migrated = [r.getMessage() for r in caplog.records if "database migrated" in r.getMessage()]
        assert migrated == [f"database migrated from version {older[-1][0]} to {latest_version()}"]
        for each in opened:
            assert await each.schema_version() == latest_version()
    finally:
        for each in opened:
            await each.close()
