"""Quotes a server added, and each server's quote-of-the-day rotation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.privacy import DELETED_MEMBER, FeatureData, Holding, feature_data
from bot.storage.database import Database, Tx
from bot.storage.engines import lock_key
from cogs.quotes.logic import new_seed, next_in_rotation, server_key

# What /privacy calls this feature's data about a member.
PRIVACY_FEATURE = "Quotes"
PRIVACY_ADDED = "quotes you added (the quote stays in the server's collection, your id goes)"
PRIVACY_LATEST = 3
PRIVACY_QUOTE_CHARS = 80


@dataclass(frozen=True, slots=True)
class ServerQuote:
    guild_id: int
    number: int
    text: str
    speaker: str
    source_url: str | None
    added_by: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Rotation:
    cycle: int
    seed: int


def _quote(row: Any) -> ServerQuote:
    return ServerQuote(
        guild_id=int(row["guild_id"]),
        number=int(row["number"]),
        text=str(row["text"]),
        speaker=str(row["speaker"]),
        source_url=row["source_url"],
        added_by=int(row["added_by"]),
        added_at=datetime.fromisoformat(row["added_at"]),
    )


async def _rows(tx: Tx, sql: str, params: Sequence[Any]) -> list[Any]:
    return await tx.fetchall(sql, params)


def _guild_lock(guild_id: int) -> int:
    """One server's quote numbering and rotation change in one process at a time."""
    return lock_key("quotes", guild_id)


class QuoteStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ server quotes
    async def add(
        self,
        guild_id: int,
        *,
        text: str,
        speaker: str,
        source_url: str | None,
        added_by: int,
        added_at: datetime,
        limit: int,
    ) -> ServerQuote | None:
        """Store a quote under the server's next number; None if the server already has ``limit``."""
        async with self.db.hold(_guild_lock(guild_id)) as tx:
            count = await _rows(
                tx, "SELECT COUNT(*) AS n FROM server_quotes WHERE guild_id = ?", (guild_id,)
            )
            if int(count[0]["n"]) >= limit:
                return None
            number = await _rows(
                tx,
                "INSERT INTO quote_rotation(guild_id, last_number) VALUES (?, 1) "
                "ON CONFLICT(guild_id) DO UPDATE "
                "SET last_number = quote_rotation.last_number + 1 RETURNING last_number",
                (guild_id,),
            )
            rows = await _rows(
                tx,
                "INSERT INTO server_quotes(guild_id, number, text, speaker, source_url, added_by, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                "RETURNING guild_id, number, text, speaker, source_url, added_by, added_at",
                (
                    guild_id,
                    int(number[0]["last_number"]),
                    text,
                    speaker,
                    source_url,
                    added_by,
                    added_at.isoformat(),
                ),
            )
        return _quote(rows[0])

    async def get(self, guild_id: int, number: int) -> ServerQuote | None:
        row = await self.db.fetchone(
            "SELECT guild_id, number, text, speaker, source_url, added_by, added_at "
            "FROM server_quotes WHERE guild_id = ? AND number = ?",
            (guild_id, number),
        )
        return None if row is None else _quote(row)

    async def remove(self, guild_id: int, number: int) -> ServerQuote | None:
        """Delete this server's quote ``number``; the removed quote, or None if it has none such."""
        async with self.db.begin() as tx:
            rows = await _rows(
                tx,
                "DELETE FROM server_quotes WHERE guild_id = ? AND number = ? "
                "RETURNING guild_id, number, text, speaker, source_url, added_by, added_at",
                (guild_id, number),
            )
        return _quote(rows[0]) if rows else None

    async def server_quotes(self, guild_id: int) -> list[ServerQuote]:
        rows = await self.db.fetchall(
            "SELECT guild_id, number, text, speaker, source_url, added_by, added_at "
            "FROM server_quotes WHERE guild_id = ? ORDER BY number",
            (guild_id,),
        )
        return [_quote(row) for row in rows]

    # ------------------------------------------------------------------ quote of the day
    async def day_pick(
        self,
        guild_id: int,
        local_date: date,
        curated_keys: Collection[str],
        *,
        seed_factory: Callable[[], int] = new_seed,
    ) -> str | None:
        """The rotation key of the server's quote for ``local_date``, picked once and kept.

        The first request for a date takes the next quote of the current cycle (curated keys plus
        this server's own quotes); when the cycle has shown them all, a new cycle with a new seed
        begins. A kept pick whose quote has since been removed is replaced. None: no quotes at all.
        """
        day = local_date.isoformat()
        async with self.db.hold(_guild_lock(guild_id)) as tx:
            numbers = await _rows(
                tx, "SELECT number FROM server_quotes WHERE guild_id = ?", (guild_id,)
            )
            pool = set(curated_keys) | {server_key(int(row["number"])) for row in numbers}
            if not pool:
                return None
            kept = await _rows(
                tx,
                "SELECT quote_key FROM quote_days WHERE guild_id = ? AND local_date = ?",
                (guild_id, day),
            )
            if kept and kept[0]["quote_key"] in pool:
                return str(kept[0]["quote_key"])

            rotation = await self._rotation(tx, guild_id)
            if rotation.cycle == 0:
                rotation = Rotation(1, seed_factory())
            shown = await _rows(
                tx,
                "SELECT quote_key FROM quote_days WHERE guild_id = ? AND cycle = ?",
                (guild_id, rotation.cycle),
            )
            pick = next_in_rotation(pool, {str(row["quote_key"]) for row in shown}, rotation.seed)
            if pick is None:
                previous = await _rows(
                    tx,
                    "SELECT quote_key FROM quote_days WHERE guild_id = ? AND local_date < ? "
                    "ORDER BY local_date DESC LIMIT 1",
                    (guild_id, day),
                )
                rotation = Rotation(rotation.cycle + 1, seed_factory())
                avoid = str(previous[0]["quote_key"]) if previous else None
                # Keep the cycle just finished (yesterday's pick lives there); older ones are
                # history nobody reads, so each server's table stays at most two cycles long.
                await tx.execute(
                    "DELETE FROM quote_days WHERE guild_id = ? AND cycle < ?",
                    (guild_id, rotation.cycle - 1),
                )
                pick = next_in_rotation(pool, (), rotation.seed, avoid=avoid)
            assert pick is not None  # the pool is not empty
            await tx.execute(
                "INSERT INTO quote_rotation(guild_id, cycle, seed) VALUES (?, ?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET cycle = excluded.cycle, seed = excluded.seed",
                (guild_id, rotation.cycle, rotation.seed),
            )
            await tx.execute(
                "INSERT INTO quote_days(guild_id, local_date, quote_key, cycle) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(guild_id, local_date) DO UPDATE "
                "SET quote_key = excluded.quote_key, cycle = excluded.cycle",
                (guild_id, day, pick, rotation.cycle),
            )
        return pick

    async def rotation(self, guild_id: int) -> Rotation:
        """The server's current cycle (0 before the first pick) and its seed."""
        row = await self.db.fetchone(
            "SELECT cycle, seed FROM quote_rotation WHERE guild_id = ?", (guild_id,)
        )
        return Rotation(0, 0) if row is None else Rotation(int(row["cycle"]), int(row["seed"]))

    async def picks(self, guild_id: int) -> list[tuple[date, str, int]]:
        """Every kept pick of the server: (local date, rotation key, cycle), oldest first."""
        rows = await self.db.fetchall(
            "SELECT local_date, quote_key, cycle FROM quote_days WHERE guild_id = ? "
            "ORDER BY local_date",
            (guild_id,),
        )
        return [
            (date.fromisoformat(row["local_date"]), str(row["quote_key"]), int(row["cycle"]))
            for row in rows
        ]

    @staticmethod
    async def _rotation(tx: Tx, guild_id: int) -> Rotation:
        rows = await _rows(
            tx, "SELECT cycle, seed FROM quote_rotation WHERE guild_id = ?", (guild_id,)
        )
        if not rows:
            return Rotation(0, 0)
        return Rotation(int(rows[0]["cycle"]), int(rows[0]["seed"]))

    # ------------------------------------------------------------------ members' data (bot.privacy)
    user_columns = frozenset({"server_quotes.added_by"})

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        rows = await self.db.fetchall(
            "SELECT number, text, speaker, COUNT(*) OVER () AS n FROM server_quotes "
            "WHERE guild_id = ? AND added_by = ? ORDER BY number DESC LIMIT ?",
            (guild_id, user_id, PRIVACY_LATEST),
        )
        latest = tuple(
            f"#{int(r['number'])} {str(r['text'])[:PRIVACY_QUOTE_CHARS]} ({str(r['speaker'])[:40]})"
            for r in rows
        )
        count = int(rows[0]["n"]) if rows else 0
        return feature_data(PRIVACY_FEATURE, Holding(PRIVACY_ADDED, count, latest, True))

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        # The quote belongs to the server's collection (moderators curated it): it stays, and
        # only who added it goes.
        changed = await tx.execute(
            "UPDATE server_quotes SET added_by = ? WHERE guild_id = ? AND added_by = ?",
            (DELETED_MEMBER, guild_id, user_id),
        )
        return feature_data(PRIVACY_FEATURE, Holding(PRIVACY_ADDED, changed))

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        deleted = 0
        for table in ("server_quotes", "quote_days", "quote_rotation"):
            deleted += await tx.execute(f"DELETE FROM {table} WHERE guild_id = ?", (guild_id,))  # noqa: S608 - fixed names
        return deleted

    def forget(self, guild_id: int, user_id: int | None) -> None:
        """The store keeps nothing in memory (the cog's caches are the cog's to drop)."""
