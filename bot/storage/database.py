"""One aiosqlite connection, one lock around each transaction, migrations applied at open."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.cache import ReadCache

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# How long a write waits for another process's lock before giving up. Discord wants an answer
# to every interaction within 3 seconds: a command that cannot get the database must still
# have time to say so (and a vote click defers at 2 s), so the wait ends well before that.
BUSY_TIMEOUT_MS = 1500


class StorageError(Exception):
    """The database cannot be used; the message says why and how to fix it."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer kpops-bot than this one."""


def migrations() -> list[tuple[int, str, str]]:
    """Every numbered migration shipped with the package: (number, file name, SQL), in order."""
    found: list[tuple[int, str, str]] = []
    folder = resources.files("bot.storage") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def latest_version() -> int:
    return max((n for n, _, _ in migrations()), default=0)


Row = sqlite3.Row
T = TypeVar("T")


class Database:
    """The bot's SQLite database.

    Every statement runs under one lock: on a shared connection, one coroutine's COMMIT would
    otherwise commit another's half-done work, and a read could see another's uncommitted writes.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self.lock = asyncio.Lock()
        # Settings read on every command, shared by every store instance on this connection
        # (stores are cheap objects made per use). A store that changes them calls forget().
        self.cache: ReadCache[tuple[Any, ...], Any] = ReadCache()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"DATABASE_PATH {str(path)!r}: cannot create its folder ({exc.strerror}); "
                    "point DATABASE_PATH at a writable location"
                ) from None
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(
                f"DATABASE_PATH {str(path)!r} cannot be opened ({exc}); "
                "point DATABASE_PATH at a writable file"
            ) from None
        conn.row_factory = sqlite3.Row
        db = cls(conn, path)
        try:
            await db._prepare()
        except SchemaTooNewError:
            await conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            await conn.close()
            reason = "it is not a SQLite database" if "not a database" in str(exc) else str(exc)
            raise StorageError(
                f"DATABASE_PATH {str(path)!r} cannot be used: {reason}; "
                "point DATABASE_PATH at a writable SQLite file (a new path creates a fresh database)"
            ) from None
        return db

    async def _prepare(self) -> None:
        conn = self._conn
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA journal_mode = WAL")
        # WAL with synchronous=NORMAL survives a killed process (kill -9) without losing commits;
        # only a power cut could drop the last transactions.
        await conn.execute("PRAGMA synchronous = NORMAL")
        await self.migrate()
        # Prove the file is writable now, not at the first vote.
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO meta(key, value) VALUES ('last_open', datetime('now')) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
            )

    def forget(self) -> None:
        """Drop every cached read (after a commit that changed cached settings; these are rare)."""
        self.cache.forget()

    async def cached(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s result, kept until the next forget() (see :class:`ReadCache`)."""
        return await self.cache.get(key, load)

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply pending migrations in one transaction; returns the schema version."""
        known = migrations()
        latest = max((n for n, _, _ in known), default=0)
        async with self.lock:
            current = await self.schema_version()
            if current > latest:
                raise SchemaTooNewError(
                    f"DATABASE_PATH {str(self.path)!r} has schema version {current}, but this kpops-bot "
                    f"knows only up to {latest}: upgrade kpops-bot, or point DATABASE_PATH at another file"
                )
            pending = [(n, name, sql) for n, name, sql in known if n > current]
            if not pending:
                return current
            script = "BEGIN IMMEDIATE;\n"
            for _, name, sql in pending:
                script += f"-- {name}\n{sql}\n;\n"
            script += f"PRAGMA user_version = {latest};\nCOMMIT;\n"
            try:
                await self._conn.executescript(script)
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise
            log.info("database migrated from version %d to %d", current, latest)
            return latest

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run statements atomically: committed together, or rolled back on any error."""
        async with self.lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def run_in_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` atomically in ONE hand-off to the database thread.

        For hot paths (a group of poll votes): each awaited statement of :meth:`transaction` is a
        thread hand-off costing far more CPU than the statement itself. ``work`` runs in the
        database thread between BEGIN IMMEDIATE and COMMIT (ROLLBACK if it raises); it must only
        run SQL on the connection it is given and must not touch the event loop.
        """
        conn = self._conn._conn  # the sqlite3 connection aiosqlite drives from its thread

        def in_thread() -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

        async with self.lock:
            return await self._conn._execute(in_thread)

    async def run_read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run several reads in ONE hand-off to the database thread (no transaction needed: the
        lock keeps other statements out meanwhile). ``work`` must only read."""
        conn = self._conn._conn
        async with self.lock:
            return await self._conn._execute(lambda: work(conn))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        conn = self._conn._conn
        # One hand-off to the database thread (aiosqlite's cursor API costs three).
        async with self.lock:
            return await self._conn._execute(lambda: conn.execute(sql, params).fetchone())

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        conn = self._conn._conn
        async with self.lock:
            return await self._conn._execute(lambda: conn.execute(sql, params).fetchall())

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement in its own transaction; returns the number of rows changed."""
        async with self.transaction() as tx:
            cur = await tx.execute(sql, params)
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def close(self) -> None:
        async with self.lock:
            await self._conn.close()
