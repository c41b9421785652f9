from __future__ import annotations

import logging
from pathlib import Path

import pytest
from dotenv import dotenv_values

import bot
from bot.settings import DEFAULT_API_BASE, SettingsError, default_database_path, load_settings
from tests.test_process import SETTINGS


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in SETTINGS:
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


OPTIONAL = ("DATABASE_PATH", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL", "DEV_GUILD_ID", "LOG_LEVEL")


@pytest.mark.parametrize("key", OPTIONAL)
@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_optional_setting_means_unset(
    monkeypatch: pytest.MonkeyPatch, key: str, empty: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    unset = load_settings()
    monkeypatch.setenv(key, empty)
    assert load_settings() == unset


def test_an_empty_line_in_dotenv_does_not_move_the_deployments_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # systemd's Environment= or Docker's ENV set the path; a copied .env has "DATABASE_PATH=".
    (tmp_path / ".env").write_text("DISCORD_TOKEN=t\nDATABASE_PATH=\n")
    monkeypatch.setenv("DATABASE_PATH", "/var/lib/kpops-bot/kpops.sqlite3")
    assert load_settings().database_path == Path("/var/lib/kpops-bot/kpops.sqlite3")


def test_the_example_file_sets_nothing_but_the_token() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    assert dict(dotenv_values(example)) == {"DISCORD_TOKEN": ""}
    # Every setting the bot reads is documented in it (commented out when optional).
    text = example.read_text()
    assert all(f"# {key}=" in text for key in OPTIONAL)


def test_the_default_database_is_in_the_checkouts_data_folder() -> None:
    assert bot.FROM_CHECKOUT  # the tests run from a checkout
    assert default_database_path() == bot.PROJECT_ROOT / "data" / "kpops.sqlite3"


def test_an_installed_bot_keeps_its_database_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(bot, "FROM_CHECKOUT", False)
    assert default_database_path() == tmp_path / "kpops.sqlite3"
