"""Shared fixtures: a fresh emulator with one server, the real bot connected to it, and a fresh
database on each engine (``db``: every test using it runs on SQLite and on PostgreSQL).

Every test ends by checking that the emulator recorded no violation: a payload Discord would
reject, a late or double acknowledgement, or a post the bot had no right to make.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Channel, Driver, Guild, Member, Role
from bot.sandbox.harness import running_bot
from bot.storage import Database
from tests.postgres import (
    db_target,
    engine,
    engine_db,
    migrated_target,
    postgres_migrated_url,
    postgres_server,
    postgres_template,
    postgres_url,
)

# The PostgreSQL fixtures (tests/postgres.py), for every test module.
__all__ = [
    "db_target",
    "engine",
    "engine_db",
    "migrated_target",
    "postgres_migrated_url",
    "postgres_server",
    "postgres_template",
    "postgres_url",
]

if TYPE_CHECKING:
    from tests.command_surface import Servers


@dataclass
class World:
    """One server as a test sees it."""

    guild: Guild
    general: Channel
    daily: Channel
    owner: Member
    fan: Member
    moderator: Member
    mod_role: Role


def build_world(
    driver: Driver, name: str = "K-Pops! Fans", *, shard: tuple[int, int] | None = None
) -> World:
    guild = driver.add_guild(name, channels=("general", "daily"), shard=shard)
    general, daily = list(guild.channels.values())
    mod_role = driver.add_role(guild, "Mods", limits.MANAGE_GUILD)
    return World(
        guild=guild,
        general=general,
        daily=daily,
        owner=driver.owner(guild),
        fan=driver.add_member(guild, "fan"),
        moderator=driver.add_member(guild, "moderator", roles=(mod_role,)),
        mod_role=mod_role,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
async def driver(clock: ManualClock) -> AsyncIterator[Driver]:
    emu = Driver(clock=clock.timestamp)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert emu.violations == [], f"the emulator rejected what the bot sent: {emu.violations}"


@pytest.fixture
def world(driver: Driver) -> World:
    return build_world(driver)


# KPOPS_TEST_DATABASE=postgresql runs every end-to-end test's bot on a fresh database on the
# session's throwaway PostgreSQL server instead of a SQLite file (.ci/run does both passes).
TEST_DATABASE_ENV = "KPOPS_TEST_DATABASE"
SQLITE_ONLY = "sqlite_only"


def e2e_engine() -> str:
    engine = os.environ.get(TEST_DATABASE_ENV, "sqlite").strip().lower() or "sqlite"
    if engine not in ("sqlite", "postgresql"):
        raise pytest.UsageError(
            f"{TEST_DATABASE_ENV} must be 'sqlite' or 'postgresql', not {engine!r}"
        )
    return engine


@pytest.fixture
def db_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the bot's database lives: a SQLite file, or (an end-to-end test run with
    KPOPS_TEST_DATABASE=postgresql) the URL of a fresh, migrated PostgreSQL database. Both go to
    ``running_bot`` and ``Database.open`` alike; a test about SQLite itself is marked
    ``sqlite_only`` and is skipped on the PostgreSQL pass."""
    is_e2e = request.node.get_closest_marker("e2e") is not None
    if e2e_engine() == "postgresql" and is_e2e:
        return str(request.getfixturevalue("postgres_migrated_url"))
    return tmp_path / "kpops.sqlite3"


@pytest.fixture
def db(engine_db: Database) -> Database:
    """A fresh, migrated database, once on SQLite and once on PostgreSQL (the one every storage
    test starts from)."""
    return engine_db


@pytest.fixture
async def bot(
    driver: Driver, world: World, db_path: Path | str, clock: ManualClock
) -> AsyncIterator[KpopsBot]:
    async with running_bot(driver, db_path, clock=clock) as running:
        yield running


@pytest.fixture
def servers(driver: Driver, world: World) -> Servers:
    """This server and a second one, with every kind of member (tests/command_surface.py)."""
    from tests.command_surface import build_servers  # it imports World from here

    return build_servers(driver, world)


# A test is end-to-end when it runs the bot against the emulator, or a real process:
# `pytest -m "not e2e"` then leaves the fast inner loop (pure logic, stores, content).
E2E_FIXTURES = frozenset({"driver", "bot"})
E2E_MODULES = frozenset({"test_process.py", "test_benchmarks.py"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{SQLITE_ONLY}: about the SQLite file itself; skipped on the PostgreSQL pass"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    on_postgresql = e2e_engine() == "postgresql"
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & E2E_FIXTURES or item.path.name in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)
            if on_postgresql and item.get_closest_marker(SQLITE_ONLY) is not None:
                item.add_marker(pytest.mark.skip(reason="about SQLite itself (PostgreSQL pass)"))
