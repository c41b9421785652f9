"""The bot-wide bookkeeping store on both engines."""

from __future__ import annotations

import pytest

from bot.storage import DATABASE_ERRORS, INTEGRITY_ERRORS, Database, MetaStore, is_integrity_error


async def test_values_and_command_hashes_round_trip(engine_db: Database) -> None:
    meta = MetaStore(engine_db)
    assert await meta.get("missing") is None
    await meta.set("k", "v1")
    await meta.set("k", "v2")  # an upsert, not a second row
    assert await meta.get("k") == "v2"
    assert await meta.command_hash("global") is None
    await meta.set_command_hash("global", "abc")
    await meta.set_command_hash("guild:1", "def")
    assert (await meta.command_hash("global"), await meta.command_hash("guild:1")) == ("abc", "def")
    assert await meta.get("last_open") is not None  # written at open: the database is writable


async def test_a_refused_write_is_recognised_on_either_engine(engine_db: Database) -> None:
    await engine_db.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')")
    with pytest.raises(INTEGRITY_ERRORS) as refused:
        await engine_db.execute("INSERT INTO meta(key, value) VALUES ('k', 'w')")
    assert is_integrity_error(refused.value) and isinstance(refused.value, DATABASE_ERRORS)
    assert not is_integrity_error(RuntimeError("x"))
    with pytest.raises(DATABASE_ERRORS):
        await engine_db.execute("SELECT no_such_column FROM meta")
