"""``python -m bot backup PATH``: a consistent copy of the live database, taken while the bot runs.

Copying the file with ``cp`` is not safe: the database runs in WAL mode, so recent commits live
in the ``-wal`` file beside it, and a copy taken mid-write can be torn. SQLite's online backup
API (stdlib ``sqlite3.Connection.backup``) copies every page of one snapshot; the running bot
keeps writing meanwhile (a WAL reader blocks no writer). The copy is a single self-contained
file (rollback-journal mode, no ``-wal`` beside it): to restore, stop the bot, put the copy at
DATABASE_PATH (removing any ``-wal``/``-shm`` files left there) and start the bot.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    size: int
    schema_version: int

    def __str__(self) -> str:
        return (
            f"backed up to {self.path} ({self.size:,} bytes, schema version "
            f"{self.schema_version}); restore: stop the bot, copy it to DATABASE_PATH, start it"
        )


def backup(source: Path, target: Path) -> Backup:
    """Copy the database at ``source`` to the new file ``target`` (never overwritten)."""
    if not source.is_file():
        raise BackupError(
            f"no database at DATABASE_PATH {str(source)!r}: set DATABASE_PATH to the running "
            "bot's database (the same value the bot is started with)"
        )
    try:
        # Claim the name first ("x": fails if it exists), so no other copy can slip in.
        target.open("xb").close()
    except FileExistsError:
        raise BackupError(
            f"{str(target)!r} already exists: a backup never overwrites a file"
        ) from None
    except OSError as exc:
        raise BackupError(f"cannot create {str(target)!r}: {exc.strerror}") from None
    try:
        return _copy(source, target)
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()  # no half-made backup left behind
        raise


def _copy(source: Path, target: Path) -> Backup:
    # Read-only: a backup must never change the live database (nor create one by mistake).
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"cannot read DATABASE_PATH {str(source)!r}: {exc}") from None
        # The copy inherits WAL mode; switch it to a single file that can be moved as it is.
        dst.execute("PRAGMA journal_mode = DELETE")
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
        version = int(dst.execute("PRAGMA user_version").fetchone()[0])
    finally:
        dst.close()
        src.close()
    return Backup(target, os.path.getsize(target), version)
