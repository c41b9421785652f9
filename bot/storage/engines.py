"""The two database engines behind :class:`bot.storage.Database`, through public driver APIs only.

SQLite (aiosqlite, the embedded default) and PostgreSQL (asyncpg, for several bot processes). Stores
write one SQL text with ``?`` placeholders; PostgreSQL gets it with ``$1, $2, ...`` (see
:func:`numbered_placeholders`). Rows of both drivers are read the same way: ``row["column"]`` or
``row[0]``.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, Protocol

import aiosqlite
import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A PostgreSQL connection: a direct one, or one lent by the pool.
PgConnection = asyncpg.Connection | PoolConnectionProxy


class Row(Protocol):
    """A result row of either driver (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...  # the values, in column order

    def __len__(self) -> int: ...

    def keys(self) -> Any: ...


class Tx(Protocol):
    """Statements inside one transaction (or one read), on either engine."""

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...


# A string literal, a quoted name, or a placeholder: only the last is rewritten.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?")


@lru_cache(maxsize=1024)
def numbered_placeholders(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...`` (question marks in quotes untouched)."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() != "?":
            return match.group()
        count += 1
        return f"${count}"

    return _TOKEN.sub(number, sql)


_ROWCOUNT = re.compile(r"(\d+)$")


def status_rowcount(status: str) -> int:
    """Rows changed, from a PostgreSQL command tag such as ``INSERT 0 1`` or ``UPDATE 3``."""
    match = _ROWCOUNT.search(status)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------------------------- SQLite
class SqliteTx:
    """Statements on the aiosqlite connection; each is one hand-off to its thread."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.conn.execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self.conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.conn.executemany(sql, rows)


class BlockingSqlite:
    """sqlite3-style calls for code running in a worker thread, each run by aiosqlite on the loop.

    The bridge for the stores' synchronous batch callbacks (``Database.run_in_transaction``) until
    they move to :class:`Tx`; it never touches a driver's internals.
    """

    def __init__(self, conn: aiosqlite.Connection, loop: asyncio.AbstractEventLoop) -> None:
        self.conn = conn
        self.loop = loop

    def execute(self, sql: str, params: Sequence[Any] = ()) -> BlockingResult:
        async def run() -> BlockingResult:
            cursor = await self.conn.execute(sql, params)
            rows = list(await cursor.fetchall()) if cursor.description else []
            return BlockingResult(rows, cursor.rowcount)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> BlockingResult:
        async def run() -> BlockingResult:
            cursor = await self.conn.executemany(sql, list(rows))
            return BlockingResult([], cursor.rowcount)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result()


class BlockingResult:
    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Any]:
        return self.rows

    def __iter__(self) -> Any:
        return iter(self.rows)


# ------------------------------------------------------------------------------------ PostgreSQL
class PostgresTx:
    """Statements on one pooled asyncpg connection."""

    def __init__(self, conn: PgConnection) -> None:
        self.conn = conn

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self.conn.fetchrow(numbered_placeholders(sql), *params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self.conn.fetch(numbered_placeholders(sql), *params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return status_rowcount(await self.conn.execute(numbered_placeholders(sql), *params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.conn.executemany(numbered_placeholders(sql), list(rows))


@asynccontextmanager
async def postgres_transaction(pool: asyncpg.Pool) -> AsyncIterator[PostgresTx]:
    async with pool.acquire() as conn, conn.transaction():
        yield PostgresTx(conn)


@asynccontextmanager
async def postgres_snapshot(pool: asyncpg.Pool) -> AsyncIterator[PostgresTx]:
    """Several reads that see one consistent state (a read-only repeatable-read transaction)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield PostgresTx(conn)


# For ``except``: a constraint refused the write (unique, check, foreign key), on either engine.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    asyncpg.IntegrityConstraintViolationError,
)
# For ``except``: the database failed the statement (locked, refused, connection lost ...).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)


def is_integrity_error(exc: BaseException) -> bool:
    return isinstance(exc, INTEGRITY_ERRORS)
