"""``python -m bot db copy --to URL``: every table of the configured database into another one.

For a community that outgrows one process: SQLite into PostgreSQL (or back). The target is opened
(and so migrated to the same schema as the source), then filled in ONE transaction: parents before
children (foreign keys), row counts checked against the source before the commit, and on PostgreSQL
each assigned-id sequence moved past the copied ids. A target that already holds data is refused
unless ``force`` is given, which replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.storage.database import Database, StorageError, Tx

# PostgreSQL's migration ledger is the engine's own bookkeeping (SQLite keeps it in user_version).
BOOKKEEPING = frozenset({"schema_migrations"})
# Rows every opened database has (meta.last_open): not a sign of a community's data.
ALWAYS_WRITTEN = frozenset({"meta"})


class CopyError(StorageError):
    """The copy was refused or did not match; the target is left as it was."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    counts: dict[str, int]  # rows copied per table

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def parents_first(tables: list[str], references: dict[str, set[str]]) -> list[str]:
    """``tables`` ordered so every table comes after the tables it references."""
    ordered: list[str] = []
    placed: set[str] = set()

    def place(table: str, path: tuple[str, ...]) -> None:
        if table in placed:
            return
        if table in path:
            raise CopyError(f"tables reference each other in a cycle: {' -> '.join(path)}")
        for parent in sorted(references.get(table, set()) - {table}):
            if parent in tables:
                place(parent, (*path, table))
        placed.add(table)
        ordered.append(table)

    for table in sorted(tables):
        place(table, ())
    return ordered


async def copy_database(source: Database, target: Database, *, force: bool = False) -> CopyReport:
    """Copy every table of ``source`` into ``target`` in one transaction (see the module doc)."""
    tables = [t for t in await source.tables() if t not in BOOKKEEPING]
    target_tables = [t for t in await target.tables() if t not in BOOKKEEPING]
    if sorted(tables) != sorted(target_tables):
        raise CopyError(
            f"the two databases have different tables (source: {', '.join(tables)}; "
            f"target: {', '.join(target_tables)}); upgrade kpops-bot so both have its latest schema"
        )
    references = {t: await target.references(t) for t in tables}
    order = parents_first(tables, references)
    columns = {t: await source.columns(t) for t in order}
    for table in order:
        if sorted(columns[table]) != sorted(await target.columns(table)):
            raise CopyError(f"table {table} has different columns in the two databases")

    rows: dict[str, list[tuple[object, ...]]] = {}
    async with source.snapshot() as read:
        for table in order:
            names = ", ".join(columns[table])
            found = await read.fetchall(f"SELECT {names} FROM {table}")  # noqa: S608 - names from the schema
            rows[table] = [tuple(r) for r in found]

    async with target.begin() as tx:
        held = [t for t in order if t not in ALWAYS_WRITTEN and await _has_rows(tx, t)]
        if held and not force:
            raise CopyError(
                f"{target.where} already holds data (in {', '.join(held)}); "
                "pass --force to replace it"
            )
        for table in reversed(order):  # children first
            await tx.execute(f"DELETE FROM {table}")  # noqa: S608 - a name from the schema
        for table in order:
            if rows[table]:
                marks = ", ".join("?" for _ in columns[table])
                await tx.executemany(
                    f"INSERT INTO {table} ({', '.join(columns[table])}) VALUES ({marks})",  # noqa: S608 - names from the schema
                    rows[table],
                )
            copied = await tx.fetchone(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 - a name from the schema
            if copied is None or int(copied["n"]) != len(rows[table]):
                raise CopyError(
                    f"table {table}: {len(rows[table])} rows read but "
                    f"{0 if copied is None else int(copied['n'])} in the target; nothing was copied"
                )
        if tx.engine == "postgresql":
            await _move_sequences_past_copied_ids(tx)
    return CopyReport({t: len(rows[t]) for t in order})


async def _has_rows(tx: Tx, table: str) -> bool:
    return await tx.fetchone(f"SELECT 1 FROM {table} LIMIT 1") is not None  # noqa: S608 - a name from the schema


async def _move_sequences_past_copied_ids(tx: Tx) -> None:
    """Identity columns would otherwise hand out id 1 again after rows came with their ids."""
    identities = await tx.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for row in identities:
        table, column = str(row["table_name"]), str(row["column_name"])
        await tx.fetchone(
            f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({column}), 0) + 1, false) "  # noqa: S608 - names from the schema
            f"FROM {table}",
            (table, column),
        )


async def copy_to(source_target: Path | str, destination: Path | str, *, force: bool) -> CopyReport:
    """Open both databases (the destination is created and migrated if new) and copy."""
    if str(source_target) == str(destination):
        raise CopyError("the target is the configured database itself; name another one")
    source = await Database.open(source_target)
    try:
        target = await Database.open(destination)
        try:
            return await copy_database(source, target, force=force)
        finally:
            await target.close()
    finally:
        await source.close()
