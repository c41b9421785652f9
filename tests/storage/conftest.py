"""Storage tests run on both engines: SQLite and a throwaway PostgreSQL server (tests/postgres.py)."""

from tests.postgres import db_target, engine, engine_db, postgres_server, postgres_url

__all__ = ["db_target", "engine", "engine_db", "postgres_server", "postgres_url"]
