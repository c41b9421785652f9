"""Shared pieces for the benchmarks: an emulated Discord, bot subprocesses, and /proc readings.

The bot under test and the bare baseline bot each run as their own process against the same
emulator, so CPU time and memory are the bot's alone (read from /proc), not the driver's.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot import limits
from bot.sandbox import Channel, Driver, Guild, Member
from bot.sandbox.interactions import InteractionError

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


@dataclass
class Scene:
    guild: Guild
    channel: Channel  # where the measured commands run
    side_channel: Channel  # where other things happen (past polls, trivia)
    members: list[Member]
    moderator: Member


def build_scene(driver: Driver, members: int = 50, channels: int = 2) -> Scene:
    guild = driver.add_guild("Bench", channels=tuple(f"c{i}" for i in range(max(2, channels))))
    mods = driver.add_role(guild, "Mods", limits.MANAGE_GUILD)
    first, second, *_ = guild.channels.values()
    return Scene(
        guild,
        first,
        second,
        [driver.add_member(guild, f"m{i}") for i in range(members)],
        driver.add_member(guild, "mod", roles=(mods,)),
    )


def database_env(db: Path | str) -> dict[str, str]:
    """The bot's database setting for a SQLite file or a PostgreSQL URL."""
    if isinstance(db, str) and db.startswith(("postgresql://", "postgres://")):
        return {"DATABASE_URL": db}
    return {"DATABASE_PATH": str(db)}


@asynccontextmanager
async def postgres_databases() -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """A throwaway PostgreSQL server (the tests' own, tests/postgres.py) on loopback, and a
    function that creates an empty database on it and returns its URL."""
    import asyncpg

    from tests.postgres import PostgresServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) not found; set PG_BIN")
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix="kpops-bench-pg-")))
    await asyncio.to_thread(server.start)

    async def create(name: str) -> str:
        admin = await asyncpg.connect(server.url())
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        finally:
            await admin.close()
        return server.url(name)

    try:
        yield create
    finally:
        await asyncio.to_thread(server.stop)


class BotProcess:
    """``python -m bot`` (or the bare baseline bot) as a subprocess against the emulator."""

    def __init__(
        self,
        driver: Driver,
        db: Path | str,
        *,
        bare: bool = False,
        env: dict[str, str] | None = None,
        root: Path = ROOT,
    ) -> None:
        """``db``: a SQLite file, or a ``postgresql://`` URL (given as DATABASE_URL); ``root``: the
        checkout whose bot (or bare bot) runs, this one unless another is compared."""
        self.driver, self.db, self.bare, self.root = driver, db, bare, root
        self.extra_env = env or {}
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {
            **os.environ,
            **self.driver.env(),
            **database_env(self.db),
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        env["PYTHONPATH"] = str(self.root)
        args = [str(self.root / "benchmarks" / "bare_bot.py")] if self.bare else ["-m", "bot"]
        before = self.driver.identifies
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, cwd=self.root, stdout=asyncio.subprocess.DEVNULL
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while self.driver.identifies == before:
            if loop.time() > deadline or self.proc.returncode is not None:
                raise RuntimeError("the bot process did not connect")
            await asyncio.sleep(0.05)

    async def wait_ready(self, probe: Callable[[], Awaitable[object]]) -> None:
        """Ready once a probe interaction is answered (the process may still be waiting for guilds)."""
        for _ in range(600):
            try:
                await probe()
                return
            except (InteractionError, TimeoutError):
                await asyncio.sleep(0.1)
        raise RuntimeError("the bot never answered the probe")

    def _proc_file(self, name: str) -> str:
        assert self.proc is not None
        return Path(f"/proc/{self.proc.pid}/{name}").read_text()

    def cpu_seconds(self) -> float:
        fields = self._proc_file("stat").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def page_faults(self) -> int:
        """Minor page faults so far: memory the process keeps handing back to the system and
        taking again, which costs it system time (a baseline that does this is a slow one)."""
        return int(self._proc_file("stat").rsplit(")", 1)[1].split()[7])

    def rss_mib(self) -> float:
        for line in self._proc_file("status").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self.driver.violations.clear()  # the bare bot answers anything with "ok": not our concern


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 50) * 1000:6.2f} ms  p99 {percentile(values, 99) * 1000:6.2f} ms"
        f"  mean {statistics.fmean(values) * 1000 if values else float('nan'):6.2f} ms"
    )
