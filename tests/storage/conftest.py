"""Storage tests run on both engines: SQLite and a throwaway PostgreSQL server (tests/postgres.py)."""

import pytest

from bot.storage import Database
from tests.postgres import db_target, engine, engine_db, postgres_server, postgres_url

__all__ = ["db_target", "engine", "engine_db", "postgres_server", "postgres_url"]


@pytest.fixture
def db(engine_db: Database) -> Database:
    """Here the shared ``db`` fixture runs each test on SQLite and on PostgreSQL."""
    return engine_db
