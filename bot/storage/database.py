"""The bot's database on one of two engines, migrations applied at open.

SQLite (the default, ``DATABASE_PATH``): one aiosqlite connection and one lock around each
transaction. PostgreSQL (``DATABASE_URL=postgresql://...``, for several bot processes): an asyncpg
pool, each transaction on its own connection. Stores use the portable API (:meth:`Database.begin`,
:meth:`Database.snapshot`, :meth:`Database.fetchone` ...), one SQL text for both engines.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
import asyncpg

from bot.storage.cache import ReadCache
from bot.storage.engines import (
    PgConnection,
    PostgresTx,
    Row,
    SqliteTx,
    Tx,
    any_of,
    postgres_snapshot,
    postgres_transaction,
)
from bot.storage.migrate import latest_version, migrations, postgres_sql, sqlite_statements

__all__ = [
    "Database",
    "Row",
    "SchemaTooNewError",
    "StorageError",
    "Tx",
    "is_postgres_url",
    "latest_version",
    "migrations",
]

log = logging.getLogger(__name__)

# How long a write waits for another process's lock before giving up. Discord wants an answer
# to every interaction within 3 seconds: a command that cannot get the database must still
# have time to say so (and a vote click defers at 2 s), so the wait ends well before that.
BUSY_TIMEOUT_MS = 1500
# Processes started together wait this long for the one that migrates (start-up, not a command).
MIGRATION_WAIT_MS = 60_000
WAL_RETRY_SECONDS = 0.02  # between tries to switch a file other processes are opening to WAL
# pg_advisory_xact_lock key held while migrating: 'kpops' in ASCII.
MIGRATION_LOCK_KEY = 0x6B706F7073
POOL_SIZE = 10

T = TypeVar("T")
Engine = Literal["sqlite", "postgresql"]


class StorageError(Exception):
    """The database cannot be used; the message says why and how to fix it."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer kpops-bot than this one."""


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def shown_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


async def _use_wal(conn: aiosqlite.Connection) -> None:
    """Switch the file to WAL once. SQLite answers a switch tried while another connection has
    the file open with "database is locked" at once, without waiting on busy_timeout, so a
    process starting beside others retries until one of them has switched it (it stays WAL)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MIGRATION_WAIT_MS / 1000
    while True:
        async with conn.execute("PRAGMA journal_mode") as cursor:
            row = await cursor.fetchone()
        if row is not None and str(row[0]).lower() == "wal":
            return
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return  # switched (or a database that cannot be WAL, such as :memory:, kept its mode)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or loop.time() > deadline:
                raise
        await asyncio.sleep(WAL_RETRY_SECONDS)


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """The bot's database.

    On SQLite every statement runs under one lock: on a shared connection, one coroutine's COMMIT
    would otherwise commit another's half-done work, and a read could see another's uncommitted
    writes. On PostgreSQL each transaction has its own pooled connection and the server isolates
    them, so several processes can share the database.
    """

    def __init__(
        self,
        *,
        sqlite: aiosqlite.Connection | None = None,
        pool: asyncpg.Pool | None = None,
        path: Path | None = None,
        url: str | None = None,
    ) -> None:
        self._sqlite = sqlite
        self._pool = pool
        self.engine: Engine = "postgresql" if pool is not None else "sqlite"
        self.path = path
        self.url = url
        self.lock = asyncio.Lock()
        # Settings read on every command, shared by every store instance on this connection
        # (stores are cheap objects made per use). A store that changes them calls forget().
        self.cache: ReadCache[tuple[Any, ...], Any] = ReadCache()

    @property
    def where(self) -> str:
        """The setting naming this database, for messages."""
        if self.url is not None:
            return f"DATABASE_URL {shown_url(self.url)!r}"
        return f"DATABASE_PATH {str(self.path)!r}"

    # ------------------------------------------------------------------ opening
    @classmethod
    async def open(cls, target: Path | str) -> Database:
        """Open a SQLite file (a path) or a PostgreSQL database (a ``postgresql://`` URL)."""
        if is_postgres_url(target):
            return await cls._open_postgres(str(target))
        return await cls._open_sqlite(Path(target))

    @classmethod
    async def _open_sqlite(cls, path: Path) -> Database:
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
        db = cls(sqlite=conn, path=path)
        try:
            await db._prepare_sqlite(conn)
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

    async def _prepare_sqlite(self, conn: aiosqlite.Connection) -> None:
        # Processes started together wait for each other's start-up (the switch to WAL, one
        # migration) rather than failing on the short timeout meant for a running bot.
        await conn.execute(f"PRAGMA busy_timeout = {MIGRATION_WAIT_MS}")
        try:
            await conn.execute("PRAGMA foreign_keys = ON")
            await _use_wal(conn)
            # WAL with synchronous=NORMAL survives a killed process (kill -9) without losing
            # commits; only a power cut could drop the last transactions.
            await conn.execute("PRAGMA synchronous = NORMAL")
            await self.migrate()
            await self._prove_writable()
        finally:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @classmethod
    async def _open_postgres(cls, url: str) -> Database:
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=POOL_SIZE, reset=_keep_session
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            raise StorageError(
                f"DATABASE_URL {shown_url(url)!r} cannot be opened ({exc}); "
                "check the server is running and the URL's user, password and database"
            ) from None
        db = cls(pool=pool, url=url)
        try:
            await db.migrate()
            await db._prove_writable()
        except SchemaTooNewError:
            await pool.close()
            raise
        except asyncpg.PostgresError as exc:
            await pool.close()
            raise StorageError(
                f"DATABASE_URL {shown_url(url)!r} cannot be used ({exc}); "
                "the URL's user needs to create tables in that database"
            ) from None
        return db

    async def _prove_writable(self) -> None:
        """Write now, not at the first vote, so a read-only database fails at start."""
        await self.execute(
            "INSERT INTO meta(key, value) VALUES ('last_open', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (_now_text(),),
        )

    # ------------------------------------------------------------------ migrations
    async def schema_version(self) -> int:
        if self._pool is not None:
            async with self._pool.acquire() as conn:
                return await _postgres_version(conn)
        async with self.lock:
            return await _sqlite_version(self._sqlite_conn)

    async def migrate(self) -> int:
        """Apply pending migrations in one transaction, once even when several processes start
        together (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock); returns the version."""
        if self._pool is not None:
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                return await self._apply(PostgresTx(conn), await _postgres_version(conn))
        conn = self._sqlite_conn
        async with self.lock:
            await conn.execute("BEGIN IMMEDIATE")  # waits out another process's migration
            try:
                version = await self._apply(SqliteTx(conn), await _sqlite_version(conn))
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
            return version

    async def _apply(self, tx: SqliteTx | PostgresTx, current: int) -> int:
        """Inside the migration transaction: refuse a newer schema, else run what is pending."""
        known = migrations()
        latest = max((n for n, _, _ in known), default=0)
        if current > latest:
            raise SchemaTooNewError(
                f"{self.where} has schema version {current}, but this kpops-bot knows only up to "
                f"{latest}: upgrade kpops-bot, or point {self.where.split()[0]} at another database"
            )
        pending = [(n, name, sql) for n, name, sql in known if n > current]
        for number, name, sql in pending:
            if isinstance(tx, PostgresTx):
                await tx.conn.execute(postgres_sql(sql))  # no parameters: several statements
                await tx.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (number, name, _now_text()),
                )
            else:
                for statement in sqlite_statements(sql):
                    await tx.execute(statement)
        if not pending:
            return current
        if isinstance(tx, SqliteTx):
            await tx.execute(f"PRAGMA user_version = {latest:d}")
        log.info("database migrated from version %d to %d", current, latest)
        return latest

    # ------------------------------------------------------------------ portable API
    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Tx]:
        """A transaction on either engine: committed together, or rolled back on any error."""
        if self._pool is not None:
            async with postgres_transaction(self._pool) as tx:
                yield tx
            return
        conn = self._sqlite_conn
        async with self.lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteTx(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[Tx]:
        """A transaction holding the lock ``key`` (a 64-bit number naming what it guards) until it
        ends, for claims that must be made once across processes. PostgreSQL: a transaction-level
        advisory lock (``pg_advisory_xact_lock``), released at commit or rollback; SQLite: its
        write transaction already excludes every other writer."""
        async with self.begin() as tx:
            await tx.hold(key)
            yield tx

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Tx]:
        """Several reads together. PostgreSQL reads one snapshot (a read-only repeatable-read
        transaction). SQLite runs them with nothing else from this process in between (another
        process's commit could land between two of them) and no BEGIN, which would cost two more
        hand-offs to its thread."""
        if self._pool is not None:
            async with postgres_snapshot(self._pool) as tx:
                yield tx
            return
        async with self.lock:  # nothing else runs on the connection meanwhile
            yield SqliteTx(self._sqlite_conn)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        if self._pool is not None:
            async with self._pool.acquire() as conn:
                return await PostgresTx(conn).fetchone(sql, params)
        async with self.lock:
            return await SqliteTx(self._sqlite_conn).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        if self._pool is not None:
            async with self._pool.acquire() as conn:
                return await PostgresTx(conn).fetchall(sql, params)
        async with self.lock:
            return await SqliteTx(self._sqlite_conn).fetchall(sql, params)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement in its own transaction; returns the number of rows changed."""
        async with self.begin() as tx:
            return await tx.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.begin() as tx:
            await tx.executemany(sql, rows)

    def any_of(self, values: Collection[int]) -> tuple[str, Any]:
        """See :meth:`Tx.any_of`, for a statement run on its own."""
        return any_of(self.engine, values)

    def forget(self) -> None:
        """Drop every cached read (after a commit that changed cached settings; these are rare)."""
        self.cache.forget()

    async def cached(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s result, kept until the next forget() (see :class:`ReadCache`)."""
        return await self.cache.get(key, load)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            return
        async with self.lock:
            await self._sqlite_conn.close()

    # ------------------------------------------------------------------ schema
    async def tables(self) -> list[str]:
        """The names of the bot's tables (not the engine's own), sorted."""
        if self._pool is not None:
            rows = await self.fetchall(
                "SELECT table_name AS name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            )
        else:
            rows = await self.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        return [str(r["name"]) for r in rows]

    async def columns(self, table: str) -> list[str]:
        """A table's columns in their declared order."""
        if self._pool is not None:
            rows = await self.fetchall(
                "SELECT column_name AS name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
                (table,),
            )
        else:
            rows = await self.fetchall("SELECT name FROM pragma_table_info(?)", (table,))
        return [str(r["name"]) for r in rows]

    async def references(self, table: str) -> set[str]:
        """The tables ``table``'s foreign keys point at."""
        if self._pool is not None:
            rows = await self.fetchall(
                "SELECT DISTINCT ccu.table_name AS name "
                "FROM information_schema.table_constraints AS tc "
                "JOIN information_schema.constraint_column_usage AS ccu "
                "ON ccu.constraint_name = tc.constraint_name "
                "AND ccu.constraint_schema = tc.constraint_schema "
                "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = ? "
                "AND tc.table_schema = current_schema()",
                (table,),
            )
        else:
            rows = await self.fetchall(
                'SELECT DISTINCT "table" AS name FROM pragma_foreign_key_list(?)', (table,)
            )
        return {str(r["name"]) for r in rows}

    @property
    def _sqlite_conn(self) -> aiosqlite.Connection:
        if self._sqlite is None:
            raise StorageError("this database has no SQLite connection")
        return self._sqlite


async def _keep_session(conn: PgConnection) -> None:
    """A pooled connection goes back as it is (asyncpg still rolls back an open transaction).

    The default reset is one more round trip per use of the pool (a one-row read: ~210 µs of CPU
    with it, ~150 without; benchmarks/storage_engines.py) to undo session state this code never
    sets: no LISTEN, no SET, no session-level advisory lock (migrations take a transaction one).
    """


async def _sqlite_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0]) if rows else 0


async def _postgres_version(conn: PgConnection) -> int:
    if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
        return 0
    version = await conn.fetchval("SELECT MAX(version) FROM schema_migrations")
    return int(version or 0)
