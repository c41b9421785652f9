"""A plain (non-editable) install carries the curated content, and content that cannot load
stops the bot with one line.

The wheel is built from a clean copy of the sources (a stale build/ folder in the checkout could
hide a missing file) and installed without dependencies into a fresh venv, which borrows this
environment's dependencies through a .pth line. That keeps the test offline and quick (~10 s)
while the bot and its content come only from the wheel.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.content.checks import check_all
from bot.sandbox import Driver
from tests.conftest import World
from tests.test_process import clean_env

SOURCES = ("pyproject.toml", "setup.py", "README.md", "bot", "cogs", "data")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The python of a fresh venv with kpops-bot installed from a wheel."""
    root = tmp_path_factory.mktemp("install")
    src = root / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.sqlite3*", "*.egg-info")
    for name in SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, src / name, ignore=ignore)
        else:
            shutil.copy2(PROJECT_ROOT / name, src / name)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", root / "dist", src, cwd=root)
    (wheel,) = (root / "dist").glob("kpops_bot-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=root,
    )
    purelib = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root
        ).strip()
    )
    # Dependencies from this environment, after the venv's own packages (so `bot` is the wheel's).
    (purelib / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    yield python


def installed_env(**extra: str) -> dict[str, str]:
    env = clean_env(**extra)
    env.pop("PYTHONPATH")  # nothing from the checkout
    return env


def test_data_check_finds_the_real_content_in_the_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    out = run(installed, "-m", "bot", "data", "check", cwd=tmp_path, env=installed_env())
    first, *_, last = out.strip().splitlines()
    assert "site-packages" in first and first.endswith("/bot/data")
    assert last == check_all(PROJECT_ROOT / "data").summary()
    assert last.startswith("ok: ") and " 0 " not in last


@pytest.fixture
def broken_quotes(installed: Path, tmp_path: Path) -> Iterator[None]:
    """The installed quotes.toml made unreadable, for one test."""
    where = run(
        installed, "-c", "import bot; print(bot.DATA_DIR)", cwd=tmp_path, env=installed_env()
    )
    quotes = Path(where.strip()) / "quotes.toml"
    original = quotes.read_bytes()
    quotes.write_text("[[quotes]\nbroken = ")
    try:
        yield
    finally:
        quotes.write_bytes(original)


async def run_installed(
    python: Path, *args: str, env: dict[str, str], cwd: Path
) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        python, "-m", "bot", *args, cwd=cwd, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)  # a hang fails here
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def assert_one_line_about_quotes(code: int, err: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("kpops-bot: cogs.quotes cannot load its content"), lines
    assert "data check" in lines[-1] and "Traceback" not in err


@pytest.mark.usefixtures("broken_quotes")
async def test_content_that_cannot_load_stops_the_bot_with_one_line_and_exit_2(
    installed: Path, driver: Driver, world: World, tmp_path: Path
) -> None:
    env = installed_env(**driver.env(), DATABASE_PATH=str(tmp_path / "kpops.sqlite3"))
    assert_one_line_about_quotes(*await run_installed(installed, env=env, cwd=tmp_path))
    assert driver.identifies == 0  # stopped before connecting to the gateway


@pytest.mark.usefixtures("broken_quotes")
async def test_and_the_sandbox_too_without_hanging(installed: Path, tmp_path: Path) -> None:
    script = tmp_path / "try.txt"
    script.write_text("/help\n")
    result = await run_installed(
        installed, "sandbox", "--script", str(script), env=installed_env(), cwd=tmp_path
    )
    assert_one_line_about_quotes(*result)


def test_an_installed_bot_keeps_its_database_in_the_working_directory(
    installed: Path, tmp_path: Path
) -> None:
    code = "from bot.settings import load_settings; print(load_settings(require_token=False).database_path)"
    out = run(installed, "-c", code, cwd=tmp_path, env=installed_env(DATABASE_PATH=""))
    assert Path(out.strip()) == tmp_path / "kpops.sqlite3"
