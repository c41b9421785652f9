"""Settings from the environment and ``.env`` (the real environment wins), checked once at start."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

import bot
from bot.shards import ShardSettingError, format_shard_ids, pacing, parse_shard_ids

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
DATABASE_FILE = "kpops.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_GUILD_RETENTION_DAYS = 30


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    database_path: Path
    api_base: str
    gateway_url: str
    dev_guild_id: int | None
    log_level: int
    # DATABASE_URL (PostgreSQL): when set it wins over database_path
    database_url: str | None = None

    @property
    def database(self) -> Path | str:
        """What bot.storage.Database.open takes: the PostgreSQL URL if set, else the SQLite file."""
        return self.database_url or self.database_path

    guild_retention_days: int = DEFAULT_GUILD_RETENTION_DAYS  # kept after a server removes the bot
    # SHARD_COUNT (None: Discord's recommended count) and SHARD_IDS (None: every shard)
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None

    @property
    def shard_label(self) -> str:
        """Which shards this process holds, as SHARD_IDS writes them ('all' when not set)."""
        return "all" if self.shard_ids is None else format_shard_ids(self.shard_ids)

    def __repr__(self) -> str:  # never let the token reach a log line
        return (
            f"Settings(token=<hidden>, database_path={str(self.database_path)!r}, "
            f"api_base={self.api_base!r}, gateway_url={self.gateway_url!r}, "
            f"dev_guild_id={self.dev_guild_id!r}, log_level={logging.getLevelName(self.log_level)!r}, "
            f"shard_count={self.shard_count!r}, shard_ids={self.shard_ids!r})"
        )

    __str__ = __repr__


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise SettingsError(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)} "
            f"(got {value!r}); fix it in the environment or .env"
        )
    return value.rstrip("/") if name == "DISCORD_API_BASE" else value


def default_database_path() -> Path:
    """A checkout keeps the database in its git-ignored data/ folder; an installed bot (whose
    data/ is inside site-packages) keeps it in the working directory, which the systemd unit and
    the Docker image point at their state folder, so even an empty DATABASE_PATH stays there."""
    return bot.DATA_DIR / DATABASE_FILE if bot.FROM_CHECKOUT else Path.cwd() / DATABASE_FILE


def _optional(env: Mapping[str, str], name: str) -> str | None:
    """An optional setting: an empty or blank value means unset, as if the line were absent
    (a copied example file must not switch a default off)."""
    return env.get(name, "").strip() or None


def load_settings(*, require_token: bool = True, env_file: Path | None = None) -> Settings:
    """Read and check every setting; raises SettingsError naming the first bad one."""
    load_dotenv(env_file or Path.cwd() / ".env", override=False)
    env = os.environ
    token = env.get("DISCORD_TOKEN", "").strip()
    if require_token and not token:
        raise SettingsError(
            "DISCORD_TOKEN is missing or empty: set it to your bot token from "
            "https://discord.com/developers/applications (in the environment or .env)"
        )
    db_raw = _optional(env, "DATABASE_PATH")
    database_path = Path(db_raw).expanduser() if db_raw else default_database_path()
    url_raw = _optional(env, "DATABASE_URL")
    database_url = _url("DATABASE_URL", url_raw, ("postgresql", "postgres")) if url_raw else None
    api_base = _url(
        "DISCORD_API_BASE",
        _optional(env, "DISCORD_API_BASE") or DEFAULT_API_BASE,
        ("https", "http"),
    )
    gateway = _url(
        "DISCORD_GATEWAY_URL",
        _optional(env, "DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY_URL,
        ("wss", "ws"),
    )
    dev_raw = _optional(env, "DEV_GUILD_ID")
    dev_guild_id: int | None = None
    if dev_raw:
        if not dev_raw.isdigit() or int(dev_raw) <= 0:
            raise SettingsError(
                f"DEV_GUILD_ID must be a server id (digits only, got {dev_raw!r}); "
                "copy it with Developer Mode on, or leave it empty"
            )
        dev_guild_id = int(dev_raw)
    level_raw = (_optional(env, "LOG_LEVEL") or "INFO").upper()
    if level_raw not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {level_raw!r})")
    retention_raw = _optional(env, "GUILD_RETENTION_DAYS") or ""
    if retention_raw and not (retention_raw.isdigit() and 1 <= int(retention_raw) <= 3650):
        raise SettingsError(
            f"GUILD_RETENTION_DAYS must be a number of days from 1 to 3650 (got {retention_raw!r}); "
            "leave it empty for 30"
        )
    shard_count, shard_ids = _shards(env)
    return Settings(
        token=token,
        database_path=database_path,
        api_base=api_base,
        gateway_url=gateway,
        dev_guild_id=dev_guild_id,
        log_level=getattr(logging, level_raw),
        database_url=database_url,
        guild_retention_days=int(retention_raw or DEFAULT_GUILD_RETENTION_DAYS),
        shard_count=shard_count,
        shard_ids=shard_ids,
    )


MAX_SHARD_COUNT = 10_000


def _shards(env: Mapping[str, str]) -> tuple[int | None, tuple[int, ...] | None]:
    """SHARD_COUNT and SHARD_IDS: both empty means one process holding every shard at Discord's
    recommended count; SHARD_IDS needs SHARD_COUNT (every process must agree on the count)."""
    count_raw = _optional(env, "SHARD_COUNT")
    ids_raw = _optional(env, "SHARD_IDS")
    if count_raw is None:
        if ids_raw is not None:
            raise SettingsError(
                f"SHARD_IDS is set ({ids_raw!r}) but SHARD_COUNT is not: set SHARD_COUNT to the "
                "total number of shards, the same in every process"
            )
        return None, None
    if not count_raw.isdigit() or not 1 <= int(count_raw) <= MAX_SHARD_COUNT:
        raise SettingsError(
            f"SHARD_COUNT must be a number of shards from 1 to {MAX_SHARD_COUNT} "
            f"(got {count_raw!r}); leave it empty for Discord's recommended count"
        )
    count = int(count_raw)
    if ids_raw is None:
        return count, None
    try:
        ids = parse_shard_ids(ids_raw, count)
        pacing(len(ids), count)  # too small a share: too many processes for one token's limit
    except ShardSettingError as exc:
        raise SettingsError(str(exc)) from None
    return count, ids
