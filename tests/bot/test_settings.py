from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_BASE, SettingsError, load_settings

KEYS = (
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "DEV_GUILD_ID",
    "LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in KEYS:
        # setenv first so monkeypatch restores the original state, even for keys .env adds.
        monkeypatch.setenv(key, "")
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def")
    s = load_settings()
    assert s.api_base == DEFAULT_API_BASE and s.gateway_url.startswith("wss://")
    assert s.database_path.name.endswith(".sqlite3") and s.log_level == logging.INFO
    assert "abc.def" not in repr(s) and "abc.def" not in str(s)


def test_missing_token_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="DISCORD_TOKEN"):
        load_settings()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DEV_GUILD_ID", "12ab"),
        ("LOG_LEVEL", "LOUD"),
        ("DISCORD_API_BASE", "ftp://x"),
        ("DISCORD_GATEWAY_URL", "http://x"),
    ],
)
def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=key):
        load_settings()


def test_dotenv_is_read_but_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-file\nLOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    s = load_settings()
    assert s.token == "from-file" and s.log_level == logging.WARNING
