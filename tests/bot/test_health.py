from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from bot.client import KpopsBot
from bot.health import HEARTBEAT_KEY, STALE_AFTER_SECONDS, check, judge
from bot.sandbox import Driver
from tests.conftest import World
from tests.test_process import run_cli


def test_judge() -> None:
    now = 1_000_000.0
    assert judge(None, now)[0] is False
    assert judge(str(now - 5), now)[0] is True
    healthy, line = judge(str(now - STALE_AFTER_SECONDS - 1), now)
    assert not healthy and "no gateway heartbeat" in line


async def test_running_bot_is_healthy_and_a_dead_one_is_not(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path
) -> None:
    for _ in range(100):
        if await bot.meta.get(HEARTBEAT_KEY):
            break
        await asyncio.sleep(0.02)
    healthy, line = await check(str(db_path))
    assert healthy, line
    # A heartbeat from long ago (the bot lost the gateway and never came back) is unhealthy.
    await bot.meta.set(HEARTBEAT_KEY, str(time.time() - 10 * STALE_AFTER_SECONDS))
    healthy, line = await check(str(db_path))
    assert not healthy and "heartbeat" in line


async def test_health_command_fails_when_the_database_cannot_be_written(tmp_path: Path) -> None:
    # (Tests run as root, so file modes prove nothing: use a path whose folder is a plain file.)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = {
        **os.environ,
        "DATABASE_PATH": str(blocker / "kpops.sqlite3"),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    code, _, err = await run_cli("health", env=env, cwd=tmp_path)
    assert code == 1
    assert "unhealthy" in err and "DATABASE_PATH" in err
    assert "Traceback" not in err


async def test_a_wrong_path_is_named_and_not_created(tmp_path: Path) -> None:
    wrong = tmp_path / "typo" / "kpops.sqlite3"
    healthy, line = await check(str(wrong))
    assert not healthy and "no database at DATABASE_PATH" in line and str(wrong) in line
    assert not wrong.exists() and not wrong.parent.exists()
