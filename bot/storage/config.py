"""Server configuration and the daily-post ledger.

``ConfigStore``: moderator role, time zone, each feature's channel, time and switch, and the change
log (who changed what, when). ``DailyPostStore``: one claim per server/feature/local date, which is
what keeps daily posts exactly-once across restarts and across processes sharing the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import N_
from bot.privacy import DELETED_MEMBER, FeatureData, Holding, feature_data
from bot.storage.database import Database, Row, Tx

# Daily-post statuses
CLAIMED, SENT, FAILED, MISSED = "claimed", "sent", "failed", "missed"

# What /privacy calls this feature's data about a member.
PRIVACY_FEATURE = N_("Server settings")
PRIVACY_CHANGES = N_("settings changes you made (the change stays in the log, your id goes)")
PRIVACY_LATEST = 3
# On PostgreSQL, the checked server row stays locked until the deletion commits.
_LOCK_ROW = {"sqlite": "", "postgresql": " FOR UPDATE"}


def to_text(when: datetime) -> str:
    """UTC ISO text, the same width for every value so that text order is time order."""
    if when.tzinfo is None:
        raise ValueError("times are stored timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="seconds")


def from_text(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    guild_id: int
    feature: str
    channel_id: int | None
    post_time: str | None
    enabled: bool
    timezone: str | None = None  # None: the server's time zone
    schedule_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScheduledFeature:
    """A daily feature that is set up to post: channel, time and time zone known, switched on."""

    guild_id: int
    feature: str
    channel_id: int
    post_time: str
    timezone: str
    schedule_since: datetime | None


@dataclass(frozen=True, slots=True)
class ConfigChange:
    guild_id: int
    actor_id: int | None
    summary: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class DailyRecord:
    guild_id: int
    feature: str
    local_date: date
    status: str
    claimed_at: datetime
    channel_id: int | None
    message_id: int | None
    detail: str | None
    finished_at: datetime | None


def _feature_settings(guild_id: int, feature: str, row: Row | None) -> FeatureSettings:
    if row is None:
        return FeatureSettings(guild_id, feature, None, None, True)
    return FeatureSettings(
        guild_id,
        feature,
        None if row["channel_id"] is None else int(row["channel_id"]),
        row["post_time"],
        bool(row["enabled"]),
        row["timezone"],
        from_text(row["schedule_since"]),
    )


class ConfigStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ reading
    async def mod_role(self, guild_id: int) -> int | None:
        # Read on every moderator check: cached until a settings change (see _changed).
        return await self.db.cached(("mod_role", guild_id), lambda: self._mod_role(guild_id))

    async def _mod_role(self, guild_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT mod_role_id FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None or row["mod_role_id"] is None else int(row["mod_role_id"])

    async def language(self, guild_id: int) -> str:
        """The server's ``/config language`` setting: "auto" (the default), "en" or "ko"."""
        # Read for every public post: cached until a settings change (see _changed).
        return await self.db.cached(("language", guild_id), lambda: self._language(guild_id))

    async def _language(self, guild_id: int) -> str:
        row = await self.db.fetchone(
            "SELECT language FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return "auto" if row is None else str(row["language"])

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

    async def feature_timezone(self, guild_id: int, feature: str) -> ZoneInfo:
        """The time zone a feature's day follows (its own, else the server's, else UTC)."""
        # Read on every /quote today: cached until a settings change (see _changed).
        return await self.db.cached(
            ("feature_timezone", guild_id, feature),
            lambda: self._feature_timezone(guild_id, feature),
        )

    async def _feature_timezone(self, guild_id: int, feature: str) -> ZoneInfo:
        # One query for both settings: this runs on every /quote today.
        row = await self.db.fetchone(
            "SELECT "
            "(SELECT timezone FROM feature_settings WHERE guild_id = ? AND feature = ?) AS own, "
            "(SELECT timezone FROM guild_settings WHERE guild_id = ?) AS server",
            (guild_id, feature, guild_id),
        )
        for name in (row["own"], row["server"]) if row is not None else ():
            if name:
                try:
                    return ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return ZoneInfo("UTC")

    async def feature(self, guild_id: int, feature: str) -> FeatureSettings:
        row = await self.db.fetchone(
            "SELECT feature, channel_id, post_time, enabled, timezone, schedule_since "
            "FROM feature_settings WHERE guild_id = ? AND feature = ?",
            (guild_id, feature),
        )
        return _feature_settings(guild_id, feature, row)

    async def features(self, guild_id: int, names: Collection[str]) -> dict[str, FeatureSettings]:
        """Settings of each named feature (defaults for those never configured)."""
        rows = await self.db.fetchall(
            "SELECT feature, channel_id, post_time, enabled, timezone, schedule_since "
            "FROM feature_settings WHERE guild_id = ?",
            (guild_id,),
        )
        by_name = {str(row["feature"]): row for row in rows}
        return {name: _feature_settings(guild_id, name, by_name.get(name)) for name in names}

    async def features_in_channel(self, guild_id: int, channel_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT feature FROM feature_settings WHERE guild_id = ? AND channel_id = ? "
            "ORDER BY feature",
            (guild_id, channel_id),
        )
        return [str(row["feature"]) for row in rows]

    async def scheduled(self, features: Collection[str]) -> list[ScheduledFeature]:
        """Every feature, in every server the bot is still in, that is set up to post daily."""
        rows = await self.db.fetchall(
            "SELECT f.guild_id, f.feature, f.channel_id, f.post_time, f.schedule_since, "
            "COALESCE(f.timezone, g.timezone, 'UTC') AS tz "
            "FROM feature_settings f LEFT JOIN guild_settings g ON g.guild_id = f.guild_id "
            "WHERE f.enabled = 1 AND f.channel_id IS NOT NULL AND f.post_time IS NOT NULL "
            "AND g.left_at IS NULL ORDER BY f.guild_id, f.feature"
        )
        return [
            ScheduledFeature(
                int(row["guild_id"]),
                str(row["feature"]),
                int(row["channel_id"]),
                str(row["post_time"]),
                str(row["tz"]),
                from_text(row["schedule_since"]),
            )
            for row in rows
            if row["feature"] in features
        ]

    async def recent_changes(self, guild_id: int, limit: int = 5) -> list[ConfigChange]:
        rows = await self.db.fetchall(
            "SELECT actor_id, summary, changed_at FROM config_changes WHERE guild_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [
            ConfigChange(
                guild_id,
                None if row["actor_id"] is None else int(row["actor_id"]),
                str(row["summary"]),
                from_text(row["changed_at"]) or datetime.min.replace(tzinfo=UTC),
            )
            for row in rows
        ]

    async def has_left(self, guild_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT left_at FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return row is not None and row["left_at"] is not None

    async def left_before(self, cutoff: datetime) -> list[int]:
        """Servers that removed the bot before ``cutoff`` and did not add it back."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM guild_settings WHERE left_at IS NOT NULL AND left_at < ? "
            "ORDER BY guild_id",
            (to_text(cutoff),),
        )
        return [int(row["guild_id"]) for row in rows]

    @staticmethod
    async def still_left_before(tx: Tx, guild_id: int, cutoff: datetime) -> bool:
        """Inside a transaction: the server is still gone, and has been since before ``cutoff``
        (on PostgreSQL its row stays locked until the deletion commits, so a join waits)."""
        row = await tx.fetchone(
            "SELECT 1 FROM guild_settings WHERE guild_id = ? AND left_at IS NOT NULL "  # noqa: S608 - a fixed lock clause
            "AND left_at < ?" + _LOCK_ROW[tx.engine],
            (guild_id, to_text(cutoff)),
        )
        return row is not None

    # ------------------------------------------------------------------ members' data (bot.privacy)
    user_columns = frozenset({"config_changes.actor_id"})

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        rows = await self.db.fetchall(
            "SELECT summary, (SELECT COUNT(*) FROM config_changes "
            "WHERE guild_id = ? AND actor_id = ?) AS n FROM config_changes "
            "WHERE guild_id = ? AND actor_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, guild_id, user_id, PRIVACY_LATEST),
        )
        count = int(rows[0]["n"]) if rows else 0
        latest = tuple(str(row["summary"]) for row in rows)
        return feature_data(PRIVACY_FEATURE, Holding(PRIVACY_CHANGES, count, latest))

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        # Moderators keep the log of what changed; who did it is the member's to remove.
        changed = await tx.execute(
            "UPDATE config_changes SET actor_id = ? WHERE guild_id = ? AND actor_id = ?",
            (DELETED_MEMBER, guild_id, user_id),
        )
        return feature_data(PRIVACY_FEATURE, Holding(PRIVACY_CHANGES, changed))

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        deleted = 0
        for table in ("config_changes", "daily_posts", "feature_settings", "guild_settings"):
            deleted += await tx.execute(f"DELETE FROM {table} WHERE guild_id = ?", (guild_id,))  # noqa: S608 - fixed names
        return deleted

    def forget(self, guild_id: int, user_id: int | None) -> None:
        self.db.forget()

    # ------------------------------------------------------------------ changing (each one logged)
    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[Tx]:
        """A settings transaction; afterwards (committed or not) cached settings are dropped."""
        try:
            async with self.db.begin() as tx:
                yield tx
        finally:
            self.db.forget()  # see Database.cached

    async def set_mod_role(
        self,
        guild_id: int,
        role_id: int | None,
        *,
        actor_id: int | None = None,
        at: datetime | None = None,
        summary: str | None = None,
    ) -> None:
        async with self._changing() as tx:
            await tx.execute(
                "INSERT INTO guild_settings(guild_id, mod_role_id) VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET mod_role_id = excluded.mod_role_id",
                (guild_id, role_id),
            )
            if summary is not None and at is not None:
                await self._log(tx, guild_id, actor_id, summary, at)

    async def set_language(
        self, guild_id: int, language: str, *, actor_id: int | None, at: datetime, summary: str
    ) -> None:
        async with self._changing() as tx:
            await tx.execute(
                "INSERT INTO guild_settings(guild_id, language) VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET language = excluded.language",
                (guild_id, language),
            )
            await self._log(tx, guild_id, actor_id, summary, at)

    async def set_channel(
        self,
        guild_id: int,
        feature: str,
        channel_id: int,
        *,
        actor_id: int | None,
        at: datetime,
        summary: str,
    ) -> None:
        async with self._changing() as tx:
            await tx.execute(
                "INSERT INTO feature_settings(guild_id, feature, channel_id) VALUES (?, ?, ?) "
                "ON CONFLICT(guild_id, feature) DO UPDATE SET channel_id = excluded.channel_id",
                (guild_id, feature, channel_id),
            )
            await self._log(tx, guild_id, actor_id, summary, at)

    async def set_schedule(
        self,
        guild_id: int,
        feature: str,
        post_time: str,
        timezone: str,
        *,
        actor_id: int | None,
        at: datetime,
        summary: str,
    ) -> None:
        """Set a feature's time; the time zone also becomes the server's (for 'today' elsewhere)."""
        async with self._changing() as tx:
            await tx.execute(
                "INSERT INTO feature_settings(guild_id, feature, post_time, timezone, schedule_since) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id, feature) DO UPDATE SET "
                "post_time = excluded.post_time, timezone = excluded.timezone, "
                "schedule_since = excluded.schedule_since",
                (guild_id, feature, post_time, timezone, to_text(at)),
            )
            await tx.execute(
                "INSERT INTO guild_settings(guild_id, timezone) VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET timezone = excluded.timezone",
                (guild_id, timezone),
            )
            await self._log(tx, guild_id, actor_id, summary, at)

    async def set_enabled(
        self,
        guild_id: int,
        feature: str,
        enabled: bool,
        *,
        actor_id: int | None,
        at: datetime,
        summary: str,
    ) -> None:
        async with self._changing() as tx:
            await tx.execute(
                "INSERT INTO feature_settings(guild_id, feature, enabled) VALUES (?, ?, ?) "
                "ON CONFLICT(guild_id, feature) DO UPDATE SET enabled = excluded.enabled",
                (guild_id, feature, int(enabled)),
            )
            await self._log(tx, guild_id, actor_id, summary, at)

    async def detach_channel(
        self, guild_id: int, channel_id: int, *, at: datetime, describe: Callable[[list[str]], str]
    ) -> list[str]:
        """Unset a (deleted) channel for every feature using it; logs ``describe(features)``."""
        async with self._changing() as tx:
            rows = await tx.fetchall(
                "SELECT feature FROM feature_settings WHERE guild_id = ? AND channel_id = ? "
                "ORDER BY feature",
                (guild_id, channel_id),
            )
            features = [str(row["feature"]) for row in rows]
            if features:
                await tx.execute(
                    "UPDATE feature_settings SET channel_id = NULL "
                    "WHERE guild_id = ? AND channel_id = ?",
                    (guild_id, channel_id),
                )
                await self._log(tx, guild_id, None, describe(features), at)
        return features

    async def mark_left(self, guild_id: int, *, at: datetime, summary: str) -> None:
        """The bot was removed from the server: no daily posts there until it is added back."""
        async with self._changing() as tx:
            await tx.execute(
                "INSERT INTO guild_settings(guild_id, left_at) VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET left_at = excluded.left_at",
                (guild_id, to_text(at)),
            )
            await self._log(tx, guild_id, None, summary, at)

    async def mark_joined(self, guild_id: int, *, at: datetime, summary: str) -> bool:
        """The bot is back in a server it had left; returns whether it had left."""
        async with self._changing() as tx:
            changed = await tx.execute(
                "UPDATE guild_settings SET left_at = NULL WHERE guild_id = ? AND left_at IS NOT NULL",
                (guild_id,),
            )
            if changed:
                await self._log(tx, guild_id, None, summary, at)
            return bool(changed)

    async def record_change(
        self, guild_id: int, actor_id: int | None, summary: str, *, at: datetime
    ) -> None:
        async with self.db.begin() as tx:
            await self._log(tx, guild_id, actor_id, summary, at)

    @staticmethod
    async def _log(tx: Tx, guild_id: int, actor_id: int | None, summary: str, at: datetime) -> None:
        await tx.execute(
            "INSERT INTO config_changes(guild_id, actor_id, summary, changed_at) VALUES (?, ?, ?, ?)",
            (guild_id, actor_id, summary, to_text(at)),
        )


def _record(row: Row) -> DailyRecord:
    return DailyRecord(
        int(row["guild_id"]),
        str(row["feature"]),
        date.fromisoformat(row["local_date"]),
        str(row["status"]),
        from_text(row["claimed_at"]) or datetime.min.replace(tzinfo=UTC),
        None if row["channel_id"] is None else int(row["channel_id"]),
        None if row["message_id"] is None else int(row["message_id"]),
        row["detail"],
        from_text(row["finished_at"]),
    )


class DailyPostStore:
    """The ledger of daily posts: claim before sending, then record what happened."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def taken_since(self, earliest: date) -> set[tuple[int, str, date]]:
        """(guild, feature, local date) of every row from ``earliest`` on: those days are done."""
        rows = await self.db.fetchall(
            "SELECT guild_id, feature, local_date FROM daily_posts WHERE local_date >= ?",
            (earliest.isoformat(),),
        )
        return {
            (int(r["guild_id"]), str(r["feature"]), date.fromisoformat(r["local_date"]))
            for r in rows
        }

    async def claim(
        self, guild_id: int, feature: str, local_date: date, *, channel_id: int, at: datetime
    ) -> bool:
        """Take the day's post for this process; False if anyone (any process) already has."""
        inserted = await self.db.execute(
            "INSERT INTO daily_posts(guild_id, feature, local_date, status, claimed_at, channel_id) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(guild_id, feature, local_date) DO NOTHING",
            (guild_id, feature, local_date.isoformat(), CLAIMED, to_text(at), channel_id),
        )
        return inserted == 1

    async def mark_sent(
        self, guild_id: int, feature: str, local_date: date, *, message_id: int, at: datetime
    ) -> None:
        await self.db.execute(
            "UPDATE daily_posts SET status = ?, message_id = ?, finished_at = ?, detail = NULL "
            "WHERE guild_id = ? AND feature = ? AND local_date = ?",
            (SENT, message_id, to_text(at), guild_id, feature, local_date.isoformat()),
        )

    async def mark_failed(
        self, guild_id: int, feature: str, local_date: date, *, detail: str, at: datetime
    ) -> None:
        await self.db.execute(
            "UPDATE daily_posts SET status = ?, detail = ?, finished_at = ? "
            "WHERE guild_id = ? AND feature = ? AND local_date = ?",
            (FAILED, detail, to_text(at), guild_id, feature, local_date.isoformat()),
        )

    async def record_missed(
        self, guild_id: int, feature: str, local_date: date, *, detail: str, at: datetime
    ) -> bool:
        """Note a day whose post came too late to send (only if nothing else was recorded)."""
        async with self.db.begin() as tx:
            inserted = await tx.execute(
                "INSERT INTO daily_posts(guild_id, feature, local_date, status, claimed_at, detail, "
                "finished_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(guild_id, feature, local_date) DO NOTHING",
                (
                    guild_id,
                    feature,
                    local_date.isoformat(),
                    MISSED,
                    to_text(at),
                    detail,
                    to_text(at),
                ),
            )
            return inserted == 1

    async def release_claim(self, guild_id: int, feature: str, local_date: date) -> bool:
        """Give back a claim whose post Discord did not take (rate limited), so that a later run
        can post the day; a day already sent, failed or missed is never released here."""
        changed = await self.db.execute(
            "DELETE FROM daily_posts WHERE guild_id = ? AND feature = ? AND local_date = ? "
            "AND status = ?",
            (guild_id, feature, local_date.isoformat(), CLAIMED),
        )
        return changed == 1

    async def fail_unfinished(self, *, claimed_before: datetime, detail: str, at: datetime) -> int:
        """Record claims left unfinished (the process stopped between claim and send) as failed:
        the post may or may not have gone out, so it is not sent again, but it is shown."""
        return await self.db.execute(
            "UPDATE daily_posts SET status = ?, detail = ?, finished_at = ? "
            "WHERE status = ? AND claimed_at < ?",
            (FAILED, detail, to_text(at), CLAIMED, to_text(claimed_before)),
        )

    async def release_failed(self, guild_id: int, feature: str, local_date: date) -> bool:
        """Forget a failed day after its cause was fixed, so the post can still go out."""
        changed = await self.db.execute(
            "DELETE FROM daily_posts WHERE guild_id = ? AND feature = ? AND local_date = ? "
            "AND status = ?",
            (guild_id, feature, local_date.isoformat(), FAILED),
        )
        return changed == 1

    async def get(self, guild_id: int, feature: str, local_date: date) -> DailyRecord | None:
        row = await self.db.fetchone(
            "SELECT guild_id, feature, local_date, status, claimed_at, channel_id, message_id, "
            "detail, finished_at FROM daily_posts "
            "WHERE guild_id = ? AND feature = ? AND local_date = ?",
            (guild_id, feature, local_date.isoformat()),
        )
        return None if row is None else _record(row)

    async def last_sent(self, guild_id: int, feature: str) -> DailyRecord | None:
        row = await self.db.fetchone(
            "SELECT guild_id, feature, local_date, status, claimed_at, channel_id, message_id, "
            "detail, finished_at FROM daily_posts WHERE guild_id = ? AND feature = ? "
            "AND status = ? ORDER BY local_date DESC LIMIT 1",
            (guild_id, feature, SENT),
        )
        return None if row is None else _record(row)

    async def last_problem(self, guild_id: int, feature: str) -> DailyRecord | None:
        """The latest day that failed or was missed."""
        row = await self.db.fetchone(
            "SELECT guild_id, feature, local_date, status, claimed_at, channel_id, message_id, "
            "detail, finished_at FROM daily_posts WHERE guild_id = ? AND feature = ? "
            "AND status IN (?, ?) ORDER BY local_date DESC LIMIT 1",
            (guild_id, feature, FAILED, MISSED),
        )
        return None if row is None else _record(row)

    async def history(self, guild_id: int, feature: str) -> list[DailyRecord]:
        rows = await self.db.fetchall(
            "SELECT guild_id, feature, local_date, status, claimed_at, channel_id, message_id, "
            "detail, finished_at FROM daily_posts WHERE guild_id = ? AND feature = ? "
            "ORDER BY local_date",
            (guild_id, feature),
        )
        return [_record(row) for row in rows]
