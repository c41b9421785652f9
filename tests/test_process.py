"""``python -m bot`` as a real process: start-up errors, the real bot against the emulator, signals."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.sandbox import Driver
from tests.conftest import World

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "DEV_GUILD_ID",
    "LOG_LEVEL",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def spawn_bot(
    *args: str, env: dict[str, str], cwd: Path, stderr: int = asyncio.subprocess.STDOUT
) -> asyncio.subprocess.Process:
    """``python -m bot *args`` with its output on a pipe (stderr on the same one unless told)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )


async def kill_if_running(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL a process a test leaves behind, and reap it."""
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


async def run_cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await spawn_bot(*args, env=env, cwd=cwd, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_no_token_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    code, out, err = await run_cli(env=clean_env(), cwd=tmp_path)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "DISCORD_TOKEN" in err
    assert "Traceback" not in err + out


async def test_unparsable_setting(tmp_path: Path) -> None:
    code, _, err = await run_cli(env=clean_env(DISCORD_TOKEN="t", DEV_GUILD_ID="abc"), cwd=tmp_path)
    assert code == 2 and "DEV_GUILD_ID" in err and len(err.strip().splitlines()) == 1


async def test_database_that_is_not_sqlite(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_text("hello, I am a text file " * 50)
    code, _, err = await run_cli(
        env=clean_env(DISCORD_TOKEN="t", DATABASE_PATH=str(bogus)), cwd=tmp_path
    )
    assert code == 2 and "DATABASE_PATH" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@asynccontextmanager
async def bot_process(
    driver: Driver, db: Path, cwd: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = clean_env(**driver.env(), DATABASE_PATH=str(db), LOG_LEVEL="DEBUG")
    proc = await spawn_bot(env=env, cwd=cwd)
    try:
        yield proc
    finally:
        await kill_if_running(proc)


async def wait_until(predicate: object, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_real_process_connects_syncs_answers_and_stops_on_sigterm(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    db = tmp_path / "kpops.sqlite3"
    async with bot_process(driver, db, tmp_path) as proc:
        await wait_until(lambda: driver.command_syncs and driver.connected)
        await asyncio.sleep(2.5)  # the real process waits guild_ready_timeout (2 s) before READY
        result = await driver.invoke("help", member=world.fan, channel=world.general)
        assert result.message.embeds and "/help" in result.text
        facts = [await driver.invoke("film fact", member=world.fan, channel=world.general)]
        facts += [await driver.invoke("film fact", member=world.fan, channel=world.general)]
        proc.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(proc.communicate(), 20))[0].decode()
        assert proc.returncode == 0, output
        assert driver.token not in output
        assert "Traceback" not in output
    assert driver.command_syncs == ["global"]
    # The fact rotation, written behind, was written on the way out.
    with sqlite3.connect(db) as conn:
        shown = conn.execute("SELECT SUM(times) FROM film_fact_shows").fetchone()[0]
    assert shown == len(facts)

    # Restart with an unchanged tree: no second sync.
    async with bot_process(driver, db, tmp_path) as proc:
        await wait_until(lambda: driver.identifies == 2)
        await asyncio.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 20)
        assert proc.returncode == 0
    assert driver.command_syncs == ["global"]


async def test_sandbox_script_prints_the_replies(tmp_path: Path) -> None:
    script = tmp_path / "try.txt"
    script.write_text("/help\nas fan\n/help\n")
    code, out, err = await run_cli(
        "sandbox", "--script", str(script), env=clean_env(), cwd=tmp_path
    )
    assert code == 0, err
    assert out.count("== kpops-bot commands ==") == 2
    assert "(you are now fan)" in out


async def test_sync_subcommand_forces_a_sync_and_exits(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    env = clean_env(**driver.env(), DATABASE_PATH=str(tmp_path / "kpops.sqlite3"))
    for expected in (1, 2):  # the first run would sync anyway; the second only because it is forced
        code, _, err = await run_cli("sync", env=env, cwd=tmp_path)
        assert code == 0, err
        assert len(driver.command_syncs) == expected
    assert driver.identifies == 0  # a sync needs no gateway connection
