"""``python -m bot backup PATH``: a consistent, self-contained copy of a live WAL database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage import Database, MetaStore
from bot.storage.backup import BackupError, backup
from bot.storage.database import latest_version
from tests.test_process import clean_env, run_cli


async def test_copies_commits_still_in_the_wal_of_a_running_bot(tmp_path: Path) -> None:
    live = tmp_path / "kpops.sqlite3"
    db = await Database.open(live)  # stays open, as the running bot's connection does
    try:
        meta = MetaStore(db)
        for n in range(50):
            await meta.set(f"key-{n}", str(n))
        assert (tmp_path / "kpops.sqlite3-wal").stat().st_size > 0  # not yet in the main file
        copy = tmp_path / "copy.sqlite3"
        made = await asyncio.to_thread(backup, live, copy)
        await meta.set("after", "the backup")  # the bot keeps writing
    finally:
        await db.close()
    assert made.path == copy and made.schema_version == latest_version()
    assert not (tmp_path / "copy.sqlite3-wal").exists()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'key-%'").fetchall())
        assert rows == {f"key-{n}": str(n) for n in range(50)}
        assert conn.execute("SELECT 1 FROM meta WHERE key = 'after'").fetchone() is None
    # The copy is a database the bot can start from (what a restore does).
    restored = await Database.open(copy)
    try:
        assert await MetaStore(restored).get("key-49") == "49"
    finally:
        await restored.close()


async def test_backs_up_a_stopped_bots_database(tmp_path: Path) -> None:
    live = tmp_path / "kpops.sqlite3"
    db = await Database.open(live)
    await MetaStore(db).set("k", "v")
    await db.close()  # a clean close folds the WAL back in and removes it
    made = backup(live, tmp_path / "copy.sqlite3")
    assert made.size > 0
    with sqlite3.connect(made.path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone() == ("v",)


async def test_never_overwrites_a_file(tmp_path: Path) -> None:
    live = tmp_path / "kpops.sqlite3"
    await (await Database.open(live)).close()
    existing = tmp_path / "precious.sqlite3"
    existing.write_bytes(b"an older backup")
    with pytest.raises(BackupError, match="already exists"):
        backup(live, existing)
    assert existing.read_bytes() == b"an older backup"


def test_a_wrong_database_path_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError, match="no database at DATABASE_PATH"):
        backup(tmp_path / "missing.sqlite3", target)
    assert not (tmp_path / "missing.sqlite3").exists() and not target.exists()


def test_a_file_that_is_not_a_database_leaves_no_half_made_copy(tmp_path: Path) -> None:
    bogus = tmp_path / "kpops.sqlite3"
    bogus.write_text("not a database " * 100)
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError, match="cannot read DATABASE_PATH"):
        backup(bogus, target)
    assert not target.exists()


async def test_the_command(tmp_path: Path) -> None:
    live = tmp_path / "kpops.sqlite3"
    await (await Database.open(live)).close()
    env = clean_env(DATABASE_PATH=str(live))  # no token needed for a backup
    code, out, err = await run_cli("backup", str(tmp_path / "b.sqlite3"), env=env, cwd=tmp_path)
    assert code == 0 and "backed up to" in out and "restore" in out, err
    code, _, err = await run_cli("backup", str(tmp_path / "b.sqlite3"), env=env, cwd=tmp_path)
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
