"""The two database engines behind :class:`bot.storage.Database`, through public driver APIs only.

SQLite (aiosqlite, the embedded default) and PostgreSQL (asyncpg, for several bot processes). Stores
write one SQL text with ``?`` placeholders; PostgreSQL gets it with ``$1, $2, ...`` (see
:func:`numbered_placeholders`). Rows of both drivers are read the same way: ``row["column"]`` or
``row[0]``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Sequence
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

    @property
    def engine(self) -> str:
        """``"sqlite"`` or ``"postgresql"``: for the rare clause only one engine has (a row lock,
        which SQLite's one-writer-at-a-time transactions make unneeded)."""
        ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def any_of(self, values: Collection[int]) -> tuple[str, Any]:
        """``column {sql}`` matches any of ``values`` with ONE parameter (no SQL built from
        values, one statement text whatever the count): the SQL and the parameter to pass."""
        ...

    async def hold(self, key: int) -> None:
        """Hold the lock ``key`` until this transaction ends (see :meth:`Database.hold`)."""
        ...


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


def lock_key(namespace: str, item: int) -> int:
    """A 64-bit lock number for one thing (``"quotes", guild_id``), for :meth:`Database.hold`.
    Two things sharing a number only wait for each other: never wrong, just slower."""
    digest = hashlib.blake2b(f"{namespace}:{item}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def any_of(engine: str, values: Collection[int]) -> tuple[str, Any]:
    """``column {sql}`` matches any of ``values`` with ONE parameter (no SQL built from values,
    one statement text whatever the count): the SQL and the parameter to pass."""
    if engine == "postgresql":
        return "= ANY(?::bigint[])", sorted(values)
    return "IN (SELECT value FROM json_each(?))", json.dumps(sorted(values))


_ROWCOUNT = re.compile(r"(\d+)$")


def status_rowcount(status: str) -> int:
    """Rows changed, from a PostgreSQL command tag such as ``INSERT 0 1`` or ``UPDATE 3``."""
    match = _ROWCOUNT.search(status)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------------------------- SQLite
class SqliteTx:
    """Statements on the aiosqlite connection; each is one hand-off to its thread."""

    engine = "sqlite"

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

    def any_of(self, values: Collection[int]) -> tuple[str, Any]:
        return any_of(self.engine, values)

    async def hold(self, key: int) -> None:
        """Nothing to take: a SQLite write transaction (BEGIN IMMEDIATE) already excludes every
        other writer, in this process and in any other."""


# ------------------------------------------------------------------------------------ PostgreSQL
class PostgresTx:
    """Statements on one pooled asyncpg connection."""

    engine = "postgresql"

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

    def any_of(self, values: Collection[int]) -> tuple[str, Any]:
        return any_of(self.engine, values)

    async def hold(self, key: int) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", key)


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
