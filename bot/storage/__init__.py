"""All of the project's SQL: one database (SQLite by default, PostgreSQL with ``DATABASE_URL``),
numbered migrations and a small store per feature.

Feature code never writes SQL itself: it calls the typed store for its feature (``MetaStore`` here,
others beside it). Stores take a :class:`Database` and run portable SQL through
:meth:`Database.begin`, :meth:`Database.snapshot` and the single-statement calls, so the same store
works on both engines.
"""

from bot.storage.database import Database, Row, SchemaTooNewError, StorageError, Tx
from bot.storage.engines import DATABASE_ERRORS, INTEGRITY_ERRORS, is_integrity_error
from bot.storage.meta import MetaStore

__all__ = [
    "DATABASE_ERRORS",
    "INTEGRITY_ERRORS",
    "Database",
    "MetaStore",
    "Row",
    "SchemaTooNewError",
    "StorageError",
    "Tx",
    "is_integrity_error",
]
