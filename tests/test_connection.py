"""``python -m bot`` when Discord cannot be reached: one line per failure, retries, prompt stops.

Real processes against the emulator (or against a port where nothing listens). The bounds on how
long a stop may take are generous failure guards, not measurements.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot import limits
from bot.sandbox import Driver
from tests.conftest import World
from tests.test_process import clean_env, kill_if_running, run_cli, spawn_bot

STOP_WITHIN = 10.0  # seconds; the bot needs well under one


@dataclass
class Bot:
    """A running ``python -m bot`` and every line it has logged so far."""

    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for_line(self, match: Callable[[str], bool], timeout: float = 120) -> str:
        async def first() -> str:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if match(line):
                        return line
                seen = len(self.lines)
                assert self.proc.returncode is None, "\n".join(self.lines)
                self.changed.clear()
                await self.changed.wait()

        try:
            return await asyncio.wait_for(first(), timeout)
        except TimeoutError:
            raise AssertionError("no such line in:\n" + "\n".join(self.lines)) from None

    async def stop(self) -> int:
        """SIGTERM, then the exit status, which must come within STOP_WITHIN seconds."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), STOP_WITHIN)
        except TimeoutError:
            raise AssertionError(f"still running {STOP_WITHIN} s after SIGTERM") from None

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@asynccontextmanager
async def bot_process(env: dict[str, str], cwd: Path) -> AsyncIterator[Bot]:
    proc = await spawn_bot(env=env, cwd=cwd)
    bot = Bot(proc)

    async def read() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            bot.lines.append(raw.decode(errors="replace").rstrip("\n"))
            bot.changed.set()
        bot.changed.set()

    reader = asyncio.create_task(read())
    try:
        yield bot
    finally:
        await kill_if_running(proc)
        await reader


def closed_port() -> int:
    """A local port where nothing listens (connection refused, at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_unreachable_at_start_logs_one_line_per_attempt_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port = closed_port()
    env = clean_env(
        DISCORD_TOKEN="a-token",
        DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/gateway",
        DATABASE_PATH=str(tmp_path / "kpops.sqlite3"),
    )
    async with bot_process(env, tmp_path) as bot:
        failures: list[str] = []
        for _ in range(2):  # a second attempt proves it retried rather than gave up
            failures.append(
                await bot.wait_for_line(
                    lambda line: "cannot reach Discord" in line and line not in failures
                )
            )
        assert all("Connection refused" in line and "retrying in" in line for line in failures)
        assert await bot.stop() == 0, bot.output
    assert "Traceback" not in bot.output
    assert "a-token" not in bot.output


async def test_a_5xx_at_login_is_retried_and_ready_says_who_where_and_how_to_invite(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    driver.fail("GET", r"^/users/@me$", status=503, times=2)
    env = clean_env(**driver.env(), DATABASE_PATH=str(tmp_path / "kpops.sqlite3"))
    async with bot_process(env, tmp_path) as bot:
        ready = await bot.wait_for_line(lambda line: "ready as" in line)
        assert bot.output.count("Discord answered HTTP 503") == 2
        user = driver.bot_user
        assert f"ready as {user.username}" in ready and f"(id {user.id})" in ready
        assert "shard 0 of 1" in ready and "1 server;" in ready
        invite = re.search(r"invite: (\S+)", ready)
        assert invite is not None
        assert invite[1] == (
            f"https://discord.com/oauth2/authorize?client_id={user.id}"
            f"&scope=bot+applications.commands&permissions={limits.POSTING_PERMISSIONS}"
        )
        assert await bot.stop() == 0, bot.output
    assert "Traceback" not in bot.output


async def test_sigterm_during_a_long_reconnect_backoff_stops_at_once(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    env = clean_env(**driver.env(), DATABASE_PATH=str(tmp_path / "kpops.sqlite3"))
    async with bot_process(env, tmp_path) as bot:
        await bot.wait_for_line(lambda line: "ready as" in line)
        await driver.stop()  # Discord goes away: every reconnect is refused

        def long_backoff(line: str) -> bool:
            found = re.search(r"reconnecting in (\d+(?:\.\d+)?) s", line)
            # Longer than the stop bound, so waiting it out would fail the test.
            return found is not None and float(found[1]) > STOP_WITHIN + 2

        await bot.wait_for_line(long_backoff, timeout=300)
        assert await bot.stop() == 0, bot.output
    reconnects = [line for line in bot.lines if "reconnecting in" in line]
    assert reconnects and all("gateway connection failed" in line for line in reconnects)
    assert any("Connection refused" in line for line in reconnects)
    assert "Traceback" not in bot.output


async def test_a_rejected_token_is_not_retried_one_line_and_exit_2(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    env = clean_env(
        **{**driver.env(), "DISCORD_TOKEN": "not-the-token"},
        DATABASE_PATH=str(tmp_path / "kpops.sqlite3"),
    )
    code, out, err = await run_cli(env=env, cwd=tmp_path)
    assert code == 2, out + err
    ours = [line for line in err.splitlines() if line.startswith("kpops-bot:")]
    assert len(ours) == 1 and "DISCORD_TOKEN was rejected" in ours[0]
    assert "Traceback" not in err and "cannot reach Discord" not in err
    assert [v.status for v in driver.violations] == [401]  # the one refused login, expected here
    driver.violations.clear()
