"""No Docker engine runs here: the Dockerfile and the unit file are checked by reading them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")
    ]
    return [(ln.split()[0].upper(), ln.split(None, 1)[1] if " " in ln else "") for ln in lines]


def test_base_image_is_slim_and_pinned() -> None:
    base = next(arg for op, arg in instructions() if op == "FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base


def test_runs_as_a_non_root_user() -> None:
    users = [arg for op, arg in instructions() if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    ops = [op for op, _ in instructions()]
    assert ops.index("USER") < ops.index("CMD")


def test_database_on_a_volume() -> None:
    volumes = " ".join(arg for op, arg in instructions() if op == "VOLUME")
    env = " ".join(arg for op, arg in instructions() if op == "ENV")
    match = re.search(r"DATABASE_PATH=(\S+)", env)
    assert match and Path(match.group(1)).parent.as_posix() in volumes


def test_healthcheck_uses_the_bots_own_health_command() -> None:
    checks = [arg for op, arg in instructions() if op == "HEALTHCHECK"]
    assert checks and '"bot", "health"' in checks[0]


def test_no_secrets_are_copied_in() -> None:
    copied = " ".join(arg for op, arg in instructions() if op in ("COPY", "ADD"))
    assert ".env" not in copied.replace(".env.example", "") and "*.sqlite3" not in copied
    assert not re.search(
        r"DISCORD_TOKEN\s*=", " ".join(arg for op, arg in instructions() if op == "ENV")
    )
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_systemd_unit_restarts_on_failure_and_stops_with_sigterm() -> None:
    unit = (ROOT / "deploy" / "kpops-bot.service").read_text()
    assert "Restart=on-failure" in unit and "KillSignal=SIGTERM" in unit
    assert "ExecStart=" in unit and "-m bot" in unit
