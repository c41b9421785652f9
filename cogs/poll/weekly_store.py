"""The weekly poll's SQL: each server's schedule and length, and the per-week claims.

A week is claimed by inserting its (server, local week) row; the primary key refuses a second
claim from any process, which is what makes the weekly poll open once per week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.privacy import FeatureData, feature_data
from bot.storage.config import from_text, to_text
from bot.storage.database import Database, Row, Tx

CLAIMED, OPENED, SKIPPED, MISSED, FAILED = "claimed", "opened", "skipped", "missed", "failed"
DEFAULT_LENGTH_HOURS = 24
PRIVACY_FEATURE = "Weekly poll"


@dataclass(frozen=True, slots=True)
class WeeklySettings:
    guild_id: int
    weekday: int | None  # 0 = Monday; None: no weekly poll
    post_time: str | None
    timezone: str | None
    since: datetime | None
    length_hours: int = DEFAULT_LENGTH_HOURS

    @property
    def scheduled(self) -> bool:
        return self.weekday is not None and self.post_time is not None and bool(self.timezone)


@dataclass(frozen=True, slots=True)
class WeeklyRound:
    guild_id: int
    week: date
    status: str
    claimed_at: datetime
    poll_id: int | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class ScheduledWeekly:
    """A server whose weekly poll is due to run: schedule set, poll channel set, polls on."""

    settings: WeeklySettings
    channel_id: int


_SETTINGS = (
    "SELECT guild_id, weekday, post_time, timezone, schedule_since, length_hours "
    "FROM poll_weekly_settings"
)


def _settings(row: Row) -> WeeklySettings:
    return WeeklySettings(
        int(row["guild_id"]),
        None if row["weekday"] is None else int(row["weekday"]),
        row["post_time"],
        row["timezone"],
        from_text(row["schedule_since"]),
        int(row["length_hours"]),
    )


def _round(row: Row) -> WeeklyRound:
    claimed = from_text(row["claimed_at"])
    assert claimed is not None
    return WeeklyRound(
        int(row["guild_id"]),
        date.fromisoformat(str(row["week"])),
        str(row["status"]),
        claimed,
        None if row["poll_id"] is None else int(row["poll_id"]),
        row["detail"],
    )


class WeeklyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ settings
    async def settings(self, guild_id: int) -> WeeklySettings:
        async with self.db.snapshot() as tx:
            row = await tx.fetchone(_SETTINGS + " WHERE guild_id = ?", (guild_id,))
        return WeeklySettings(guild_id, None, None, None, None) if row is None else _settings(row)

    async def set_schedule(
        self, guild_id: int, weekday: int, post_time: str, timezone: str, *, at: datetime
    ) -> None:
        async with self.db.begin() as tx:
            await tx.execute(
                "INSERT INTO poll_weekly_settings(guild_id, weekday, post_time, timezone, "
                "schedule_since) VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET "
                "weekday = excluded.weekday, post_time = excluded.post_time, "
                "timezone = excluded.timezone, schedule_since = excluded.schedule_since",
                (guild_id, weekday, post_time, timezone, to_text(at)),
            )

    async def set_length(self, guild_id: int, hours: int) -> None:
        async with self.db.begin() as tx:
            await tx.execute(
                "INSERT INTO poll_weekly_settings(guild_id, length_hours) VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET length_hours = excluded.length_hours",
                (guild_id, hours),
            )

    async def scheduled(self) -> list[ScheduledWeekly]:
        """Every server in which the weekly poll is set up to run (still in, polls on)."""
        async with self.db.snapshot() as tx:
            rows = await tx.fetchall(
                "SELECT w.guild_id, w.weekday, w.post_time, w.timezone, w.schedule_since, "
                "w.length_hours, f.channel_id FROM poll_weekly_settings w "
                "JOIN feature_settings f ON f.guild_id = w.guild_id AND f.feature = 'poll' "
                "LEFT JOIN guild_settings g ON g.guild_id = w.guild_id "
                "WHERE w.weekday IS NOT NULL AND f.enabled = 1 AND f.channel_id IS NOT NULL "
                "AND g.left_at IS NULL ORDER BY w.guild_id"
            )
        return [ScheduledWeekly(_settings(row), int(row["channel_id"])) for row in rows]

    # ------------------------------------------------------------------ the weekly claims
    async def taken(self, guild_id: int, week: date) -> WeeklyRound | None:
        async with self.db.snapshot() as tx:
            row = await tx.fetchone(
                "SELECT guild_id, week, status, claimed_at, poll_id, detail "
                "FROM poll_weekly_rounds WHERE guild_id = ? AND week = ?",
                (guild_id, week.isoformat()),
            )
        return None if row is None else _round(row)

    async def record(
        self, guild_id: int, week: date, status: str, *, at: datetime, detail: str | None = None
    ) -> bool:
        """Claim the week (status CLAIMED) or record why it will not run; False if taken."""
        async with self.db.begin() as tx:
            inserted = await tx.execute(
                "INSERT INTO poll_weekly_rounds(guild_id, week, status, claimed_at, detail) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(guild_id, week) DO NOTHING",
                (guild_id, week.isoformat(), status, to_text(at), detail),
            )
        return inserted == 1

    async def finish(
        self,
        guild_id: int,
        week: date,
        status: str,
        *,
        poll_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        async with self.db.begin() as tx:
            await tx.execute(
                "UPDATE poll_weekly_rounds SET status = ?, poll_id = ?, detail = ? "
                "WHERE guild_id = ? AND week = ?",
                (status, poll_id, detail, guild_id, week.isoformat()),
            )

    async def release(self, guild_id: int, week: date) -> None:
        """Give back a claim that opened nothing (the channel was busy after all)."""
        async with self.db.begin() as tx:
            await tx.execute(
                "DELETE FROM poll_weekly_rounds WHERE guild_id = ? AND week = ? AND status = ?",
                (guild_id, week.isoformat(), CLAIMED),
            )

    async def fail_unfinished(self, *, claimed_before: datetime, detail: str) -> int:
        """Claims a stopped process left behind: not retried (a poll may have opened)."""
        async with self.db.begin() as tx:
            return await tx.execute(
                "UPDATE poll_weekly_rounds SET status = ?, detail = ? "
                "WHERE status = ? AND claimed_at < ?",
                (FAILED, detail, CLAIMED, to_text(claimed_before)),
            )

    async def history(self, guild_id: int, limit: int = 10) -> list[WeeklyRound]:
        async with self.db.snapshot() as tx:
            rows = await tx.fetchall(
                "SELECT guild_id, week, status, claimed_at, poll_id, detail "
                "FROM poll_weekly_rounds WHERE guild_id = ? ORDER BY week DESC LIMIT ?",
                (guild_id, limit),
            )
        return [_round(row) for row in rows]

    # ------------------------------------------------------------------ privacy (bot.privacy)
    # Keyed by server only: nothing about a member, so only the server purge deletes rows.
    user_columns: frozenset[str] = frozenset()

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        return feature_data(PRIVACY_FEATURE)

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        return feature_data(PRIVACY_FEATURE)

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        rounds = await tx.execute("DELETE FROM poll_weekly_rounds WHERE guild_id = ?", (guild_id,))
        settings = await tx.execute(
            "DELETE FROM poll_weekly_settings WHERE guild_id = ?", (guild_id,)
        )
        return rounds + settings

    def forget(self, guild_id: int, user_id: int | None) -> None:
        """Nothing is cached here."""
