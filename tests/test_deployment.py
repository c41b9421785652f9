"""No Docker engine runs here: the Dockerfile and the unit file are checked by reading them."""

from __future__ import annotations

import re
from pathlib import Path

from bot import limits
from bot.invite import invite_permissions, invite_url

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


def unit_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / "kpops-bot.service").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_image_installs_the_package_not_the_checkout() -> None:
    runs = " ".join(arg for op, arg in instructions() if op == "RUN")
    assert "pip install" in runs and "pip install -e" not in runs
    copied = " ".join(arg for op, arg in instructions() if op == "COPY")
    for needed in ("pyproject.toml", "setup.py", "README.md", "bot", "cogs", "data"):
        assert needed in copied.split() or f"{needed}/" in copied, needed


def test_the_image_runs_in_its_volume_so_an_empty_database_path_stays_there() -> None:
    ops = instructions()
    cmd = max(i for i, (op, _) in enumerate(ops) if op == "CMD")
    workdir = [arg for op, arg in ops[:cmd] if op == "WORKDIR"][-1]
    volumes = " ".join(arg for op, arg in ops if op == "VOLUME")
    assert f'"{workdir}"' in volumes
    env = " ".join(arg for op, arg in ops if op == "ENV")
    assert f"DATABASE_PATH={workdir}/kpops.sqlite3" in env


def test_the_unit_runs_in_its_state_folder_with_the_database_there() -> None:
    unit = unit_settings()
    state = f"/var/lib/{unit['StateDirectory'][0]}"
    assert unit["WorkingDirectory"] == [state]
    assert unit["Environment"] == [f"DATABASE_PATH={state}/kpops.sqlite3"]
    assert unit["RestartPreventExitStatus"] == ["2"]
    assert unit["ExecStart"][0].startswith("/opt/kpops-bot/venv/bin/python -m bot")


def test_the_readme_operations_agree_with_the_unit_and_the_image() -> None:
    readme = (ROOT / "README.md").read_text()
    ops = readme[readme.index("## Operations") :]
    unit = unit_settings()
    assert "/etc/systemd/system/" in ops and unit["EnvironmentFile"][0] in ops
    assert "install -m 600" in ops and "journalctl -u kpops-bot" in ops
    assert unit["ExecStart"][0].split()[0].removesuffix("/bin/python") in ops
    assert "-v kpops-data:/var/lib/kpops-bot" in ops and "docker logs" in ops
    for topic in ("python -m bot backup", "To restore", "Upgrades", "downgrade is refused"):
        assert topic in ops, topic


def test_the_documented_invite_permissions_are_the_ones_the_bot_uses() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"permissions=(\d+)", readme))
    assert documented == {str(limits.POSTING_PERMISSIONS)}
    assert invite_url(1).endswith(f"permissions={limits.POSTING_PERMISSIONS}")
    needed = invite_permissions()
    assert needed.view_channel and needed.send_messages and needed.embed_links
    assert needed.read_message_history and not needed.administrator
