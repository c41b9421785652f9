"""All of the project's SQL: one SQLite connection, numbered migrations and a small store per feature.

Feature code never writes SQL itself: it calls the typed store for its feature (``MetaStore`` here,
others beside it in this package). Stores take a :class:`Database`, so a PostgreSQL backend can later
implement the same store API.
"""

from bot.storage.database import Database, SchemaTooNewError, StorageError
from bot.storage.meta import MetaStore

__all__ = ["Database", "MetaStore", "SchemaTooNewError", "StorageError"]
