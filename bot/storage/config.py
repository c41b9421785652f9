"""Server configuration: moderator role, time zone, and each feature's channel, time and switch."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    guild_id: int
    feature: str
    channel_id: int | None
    post_time: str | None
    enabled: bool


class ConfigStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def mod_role(self, guild_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT mod_role_id FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None or row["mod_role_id"] is None else int(row["mod_role_id"])

    async def set_mod_role(self, guild_id: int, role_id: int | None) -> None:
        await self.db.execute(
            "INSERT INTO guild_settings(guild_id, mod_role_id) VALUES (?, ?) "
            "ON CONFLICT(guild_id) DO UPDATE SET mod_role_id = excluded.mod_role_id",
            (guild_id, role_id),
        )

    async def timezone_name(self, guild_id: int) -> str:
        row = await self.db.fetchone(
            "SELECT timezone FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return "UTC" if row is None else str(row["timezone"])

    async def timezone(self, guild_id: int) -> ZoneInfo:
        """The server's time zone (UTC until a moderator sets one)."""
        try:
            return ZoneInfo(await self.timezone_name(guild_id))
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    async def feature(self, guild_id: int, feature: str) -> FeatureSettings:
        row = await self.db.fetchone(
            "SELECT channel_id, post_time, enabled FROM feature_settings WHERE guild_id = ? AND feature = ?",
            (guild_id, feature),
        )
        if row is None:
            return FeatureSettings(guild_id, feature, None, None, True)
        return FeatureSettings(
            guild_id,
            feature,
            None if row["channel_id"] is None else int(row["channel_id"]),
            row["post_time"],
            bool(row["enabled"]),
        )
