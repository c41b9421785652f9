"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl on loopback, a free port, a temp dir.

One server per test session; each test gets a fresh database, dropped afterwards: an empty one
(``postgres_url``, from template0) or a migrated one (``postgres_migrated_url``, a copy of a
template database migrated once per session, which is much faster than migrating per test).
Without PostgreSQL binaries the PostgreSQL tests are skipped, except in CI (``CI=true``), where
that is a failure: CI installs PostgreSQL (see .ci/run) and must run every test on both engines.
"""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from bot.storage import Database

SUPERUSER = "kpops"
MIGRATED_TEMPLATE = "kpops_migrated"


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: PG_BIN, the PATH, or Debian's versioned folders."""
    candidates = [os.environ.get("PG_BIN", "")]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the 'postgres' user then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int = 0
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.port = free_port()
        # Durability settings off: a test server's data is thrown away anyway.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                _as_server_user(
                    [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def new_database_name(self) -> str:
        return f"test_{os.getpid()}_{next(self._names)}"

    def _run(self, *command: str) -> None:
        done = subprocess.run(_as_server_user(list(command)), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()}\n"
                f"{self.log_tail()}"
            )


def start_server() -> PostgresServer:
    """A running server, or a skip (a failure in CI) saying why there is none."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) not found; set PG_BIN or install postgresql"
        if in_ci:
            pytest.fail(f"CI must test PostgreSQL: {reason}", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix="kpops-pg-")))
    try:
        server.start()
    except (RuntimeError, OSError, LookupError) as exc:
        server.stop()
        if in_ci:
            pytest.fail(f"CI must test PostgreSQL, but it did not start: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL did not start: {exc}")
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@asynccontextmanager
async def fresh_database(server: PostgresServer, template: str = "template0") -> AsyncIterator[str]:
    """A new database copied from ``template``, its URL, and dropped afterwards (even if a test
    left connections open)."""
    name = server.new_database_name()
    admin = await asyncpg.connect(server.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    try:
        yield server.url(name)
    finally:
        admin = await asyncpg.connect(server.url())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def _make_migrated_template(server: PostgresServer) -> None:
    admin = await asyncpg.connect(server.url())
    try:
        await admin.execute(f'CREATE DATABASE "{MIGRATED_TEMPLATE}" TEMPLATE template0')
    finally:
        await admin.close()
    db = await Database.open(server.url(MIGRATED_TEMPLATE))
    await db.close()  # a template must have no connections when it is copied


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """The name of a database holding every migration, to copy per test."""
    asyncio.run(_make_migrated_template(postgres_server))
    return MIGRATED_TEMPLATE


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database on the session's server."""
    async with fresh_database(postgres_server) as url:
        yield url


@pytest.fixture
async def postgres_migrated_url(
    postgres_server: PostgresServer, postgres_template: str
) -> AsyncIterator[str]:
    """A fresh database with every migration applied (a copy of the session's template)."""
    async with fresh_database(postgres_server, postgres_template) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_target(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a test's database lives: a SQLite file, or a fresh, empty PostgreSQL database's URL."""
    if engine == "sqlite":
        return tmp_path / "kpops.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def migrated_target(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """As ``db_target``, but a PostgreSQL database starts migrated (copied from the template)."""
    if engine == "sqlite":
        return tmp_path / "kpops.sqlite3"
    return str(request.getfixturevalue("postgres_migrated_url"))


@pytest.fixture
async def engine_db(migrated_target: str | Path) -> AsyncIterator[Database]:
    """An open, migrated database on each engine in turn (the test runs once per engine)."""
    db = await Database.open(migrated_target)
    try:
        yield db
    finally:
        await db.close()
