"""Listening polls and their votes.

Votes are written in groups: :meth:`PollStore.record_votes` takes every vote that arrived while the
previous group was being committed, decides each vote's outcome (new, moved, unchanged, closed
poll, unknown poll) from one read, and stores them with ONE guarded statement. Closing is soft: the poll row keeps its
votes and gains the final tally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.privacy import DELETED_MEMBER, FeatureData, Holding, feature_data
from bot.storage.database import Database, Tx
from bot.storage.engines import is_integrity_error
from cogs.poll.logic import Side, Tally

# What /privacy calls this feature's data about a member.
PRIVACY_FEATURE = "Listening polls"
PRIVACY_VOTES = "poll votes (closed polls keep their final count)"
PRIVACY_STARTED = "polls you started (the poll stays, your id goes)"
PRIVACY_SIDES = {"kpop": "K-pop side", "classic": "classic side"}
PRIVACY_LATEST = 3

# The most votes stored in one transaction (a bigger storm is split into several groups).
MAX_GROUP = 400


def to_epoch(when: datetime) -> int:
    return int(when.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    matchup_id: str | None
    kpop_label: str
    classic_label: str
    started_by: int
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    final: Tally | None
    announced: bool

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def label(self) -> str:
        return f"{self.kpop_label} vs {self.classic_label}"

    def side_label(self, side: Side) -> str:
        return self.kpop_label if side == "kpop" else self.classic_label


def _poll(row: Any) -> Poll:
    final = (
        None
        if row["kpop_votes"] is None
        else Tally(int(row["kpop_votes"]), int(row["classic_votes"]))
    )
    return Poll(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        message_id=None if row["message_id"] is None else int(row["message_id"]),
        matchup_id=row["matchup_id"],
        kpop_label=row["kpop_label"],
        classic_label=row["classic_label"],
        started_by=int(row["started_by"]),
        opened_at=from_epoch(row["opened_at"]),
        closes_at=from_epoch(row["closes_at"]),
        closed_at=None if row["closed_at"] is None else from_epoch(row["closed_at"]),
        close_reason=row["close_reason"],
        final=final,
        announced=bool(row["announced"]),
    )


class PollAlreadyOpen(Exception):
    """The channel already has an open poll (the database's unique index said so)."""

    def __init__(self, poll: Poll | None) -> None:
        super().__init__("a poll is already open in this channel")
        self.poll = poll


class VoteStatus(StrEnum):
    RECORDED = "recorded"  # a first vote
    MOVED = "moved"  # the member switched sides
    UNCHANGED = "unchanged"  # the same side again
    CLOSED = "closed"  # the poll exists but no longer takes votes
    UNKNOWN = "unknown"  # no such poll in this server (forged or foreign custom_id)


@dataclass(frozen=True, slots=True)
class VoteRequest:
    """One click: who voted for which side of which poll, from which server and message."""

    poll_id: int
    guild_id: int | None
    user_id: int
    side: Side
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    status: VoteStatus
    poll: Poll | None = None

    @property
    def stored(self) -> bool:
        return self.status in (VoteStatus.RECORDED, VoteStatus.MOVED)


def _read_group_sql(db: Database, poll_ids: list[int], users: list[int]) -> tuple[str, list[Any]]:
    """One read for a group: its polls, and its members' current votes on them."""
    user_match, user_param = db.any_of(users)
    poll_match, poll_param = db.any_of(poll_ids)
    sql = (
        "SELECT p.*, v.user_id AS voter, v.side AS voted FROM polls AS p "  # noqa: S608 - fixed SQL fragments, values are parameters
        f"LEFT JOIN poll_votes AS v ON v.poll_id = p.id AND v.user_id {user_match} "
        f"WHERE p.id {poll_match}"
    )
    return sql, [user_param, poll_param]


def vote_upsert_sql(
    engine: str, writes: dict[tuple[int, int], str], stamp: int
) -> tuple[str, list[Any]]:
    """ONE statement storing a group's votes, only into polls still open; it returns the
    (poll, member) pairs it stored.

    The guard (``closed_at IS NULL``) is checked by the statement that writes, so a close that
    committed after the group's read leaves its votes out instead of counting them late. On
    PostgreSQL the statement also locks the polls' rows (``FOR NO KEY UPDATE``) and
    :meth:`PollStore.close` locks its poll (``FOR UPDATE``) before it counts, in a later statement:
    either the close waits for these votes and counts them, or the votes wait for the close and
    see the poll closed. SQLite runs one writer at a time, so the guard suffices there.
    """
    rows = ", ".join("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT))" for _ in writes)
    sql = (
        f"WITH v(poll_id, user_id, side) AS (VALUES {rows}) "  # noqa: S608 - one fixed row form per vote, values are parameters
        "INSERT INTO poll_votes(poll_id, user_id, side, voted_at) "
        "SELECT v.poll_id, v.user_id, v.side, CAST(? AS BIGINT) FROM v "
        "JOIN polls AS p ON p.id = v.poll_id WHERE p.closed_at IS NULL"
        + _LOCK_POLLS[engine]
        + " ON CONFLICT(poll_id, user_id) DO UPDATE SET side = excluded.side, "
        "voted_at = excluded.voted_at RETURNING poll_id, user_id"
    )
    params: list[Any] = [x for (pid, uid), side in writes.items() for x in (pid, uid, side)]
    return sql, [*params, stamp]


# The polls' row lock taken by a vote write on PostgreSQL (see vote_upsert_sql). The stronger
# lock rather than FOR SHARE: it never deadlocks with the message-id repair below, and votes on
# one poll come from the one process holding its server, so writes rarely wait on each other.
_LOCK_POLLS = {"sqlite": "", "postgresql": " FOR NO KEY UPDATE OF p"}


class PollStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ polls
    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        matchup_id: str | None,
        kpop_label: str,
        classic_label: str,
        started_by: int,
        opened_at: datetime,
        closes_at: datetime,
    ) -> Poll:
        """A new open poll (no message yet); raises PollAlreadyOpen if the channel has one."""
        try:
            async with self.db.begin() as tx:
                row = await tx.fetchone(
                    "INSERT INTO polls(guild_id, channel_id, matchup_id, kpop_label, classic_label, "
                    "started_by, opened_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (
                        guild_id,
                        channel_id,
                        matchup_id,
                        kpop_label,
                        classic_label,
                        started_by,
                        to_epoch(opened_at),
                        to_epoch(closes_at),
                    ),
                )
        except Exception as exc:
            if not is_integrity_error(exc):
                raise
            raise PollAlreadyOpen(await self.open_in_channel(channel_id)) from None
        assert row is not None
        return _poll(row)

    async def set_message(
        self, poll_id: int, message_id: int, *, only_if_unset: bool = False
    ) -> None:
        guard = " AND message_id IS NULL" if only_if_unset else ""
        await self.db.execute(
            f"UPDATE polls SET message_id = ? WHERE id = ?{guard}",  # noqa: S608 - a fixed guard
            (message_id, poll_id),
        )

    async def discard(self, poll_id: int, now: datetime) -> None:
        """A poll whose message could not be posted: closed as 'unposted', kept out of standings.

        The row stays so its id is never reused by a later poll.
        """
        await self.db.execute(
            "UPDATE polls SET closed_at = ?, close_reason = 'unposted', kpop_votes = 0, "
            "classic_votes = 0, announced = 1 WHERE id = ? AND closed_at IS NULL",
            (to_epoch(now), poll_id),
        )

    async def get(self, poll_id: int) -> Poll | None:
        row = await self.db.fetchone("SELECT * FROM polls WHERE id = ?", (poll_id,))
        return None if row is None else _poll(row)

    async def open_in_channel(self, channel_id: int) -> Poll | None:
        row = await self.db.fetchone(
            "SELECT * FROM polls WHERE channel_id = ? AND closed_at IS NULL",
            (channel_id,),
        )
        return None if row is None else _poll(row)

    async def open_in_guild(self, guild_id: int) -> list[Poll]:
        """Open polls of a server, the most recently opened first."""
        rows = await self.db.fetchall(
            "SELECT * FROM polls WHERE guild_id = ? AND closed_at IS NULL "
            "ORDER BY opened_at DESC, id DESC",
            (guild_id,),
        )
        return [_poll(r) for r in rows]

    async def open_polls_with_votes(self) -> tuple[list[Poll], list[tuple[int, int, Side]]]:
        """Every open poll, and every vote on them as (poll id, member, side): one hand-off."""

        async with self.db.snapshot() as tx:
            polls = [
                _poll(r) for r in await tx.fetchall("SELECT * FROM polls WHERE closed_at IS NULL")
            ]
            rows = await tx.fetchall(
                "SELECT v.poll_id, v.user_id, v.side FROM poll_votes AS v "
                "JOIN polls AS p ON p.id = v.poll_id WHERE p.closed_at IS NULL"
            )
        votes: list[tuple[int, int, Side]] = [
            (int(r["poll_id"]), int(r["user_id"]), "kpop" if r["side"] == "kpop" else "classic")
            for r in rows
        ]
        return polls, votes

    async def closed_polls(self, guild_id: int) -> list[Poll]:
        """A server's closed rounds (discarded ones left out), in the order they closed: the last
        one is the latest result, all of them make the standings."""
        rows = await self.db.fetchall(
            "SELECT * FROM polls WHERE guild_id = ? AND closed_at IS NOT NULL "
            "AND close_reason <> 'unposted' ORDER BY closed_at, id",
            (guild_id,),
        )
        return [_poll(r) for r in rows]

    async def matchups_used(self, guild_id: int) -> dict[str, datetime]:
        """Each pairing this server has polled on, with when it was last opened."""
        rows = await self.db.fetchall(
            "SELECT matchup_id, MAX(opened_at) AS last FROM polls "
            "WHERE guild_id = ? AND matchup_id IS NOT NULL AND (close_reason IS NULL OR close_reason <> 'unposted') "
            "GROUP BY matchup_id",
            (guild_id,),
        )
        return {str(r["matchup_id"]): from_epoch(r["last"]) for r in rows}

    # ------------------------------------------------------------------ votes
    async def record_votes(self, votes: Sequence[VoteRequest], now: datetime) -> list[VoteOutcome]:
        """Store a group of votes in one transaction; one outcome per vote, in order.

        When this returns, every stored vote is committed. Votes for a poll that is closed, that
        does not exist, or that belongs to another server store nothing. The group is two
        statements, each its own transaction: one read (to tell new, moved and repeated votes
        apart) and one guarded upsert that stores the whole group or none of it, correct with
        several processes voting and closing (see :func:`vote_upsert_sql`).
        """
        stamp = to_epoch(now)
        if not votes:
            return []
        if len(votes) > MAX_GROUP:
            raise ValueError(f"at most {MAX_GROUP} votes per group")
        poll_ids = sorted({v.poll_id for v in votes})
        users = sorted({v.user_id for v in votes})
        polls: dict[int, Poll] = {}
        current: dict[tuple[int, int], str] = {}
        for row in await self.db.fetchall(*_read_group_sql(self.db, poll_ids, users)):
            poll_id = int(row["id"])
            if poll_id not in polls:
                polls[poll_id] = _poll(row)
            if row["voter"] is not None:
                current[(poll_id, int(row["voter"]))] = str(row["voted"])
        outcomes: list[VoteOutcome] = []
        written_by: list[tuple[int, int] | None] = []  # the vote's write, for each outcome
        writes: dict[tuple[int, int], str] = {}
        for vote in votes:
            poll = polls.get(vote.poll_id)
            key = (vote.poll_id, vote.user_id)
            written_by.append(None)
            if (
                poll is None
                or poll.guild_id != vote.guild_id
                or poll.close_reason == "unposted"
                or (
                    vote.message_id is not None
                    and poll.message_id is not None
                    and poll.message_id != vote.message_id
                )
            ):
                outcomes.append(VoteOutcome(VoteStatus.UNKNOWN))
                continue
            if not poll.is_open:
                outcomes.append(VoteOutcome(VoteStatus.CLOSED, poll))
                continue
            if poll.message_id is None and vote.message_id is not None:
                # Posted, but its id never saved (the bot stopped in between). Discord only sends
                # a click for a button that is on the clicked message, so that message is the
                # poll's: remember it, so the turnout and the result can be shown on it (rare).
                await self.set_message(poll.id, vote.message_id, only_if_unset=True)
                poll = polls[vote.poll_id] = replace(poll, message_id=vote.message_id)
            before = current.get(key)
            if before == vote.side:
                status = VoteStatus.UNCHANGED
            elif before is None:
                status = VoteStatus.RECORDED
            else:
                status = VoteStatus.MOVED
            if status is not VoteStatus.UNCHANGED:
                current[key] = vote.side
                writes[key] = vote.side
                written_by[-1] = key
            outcomes.append(VoteOutcome(status, poll))
        if not writes:
            return outcomes
        stored = {
            (int(r["poll_id"]), int(r["user_id"]))
            for r in await self.db.fetchall(*vote_upsert_sql(self.db.engine, writes, stamp))
        }
        if len(stored) == len(writes):
            return outcomes
        # A poll closed between the read and the write: those votes were not stored.
        for index, key in enumerate(written_by):
            if key is not None and key not in stored:
                outcomes[index] = VoteOutcome(VoteStatus.CLOSED, await self.get(key[0]))
        return outcomes

    async def vote_of(self, poll_id: int, user_id: int) -> Side | None:
        row = await self.db.fetchone(
            "SELECT side FROM poll_votes WHERE poll_id = ? AND user_id = ?", (poll_id, user_id)
        )
        if row is None:
            return None
        return "kpop" if row["side"] == "kpop" else "classic"

    async def turnout(self, poll_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS n FROM poll_votes WHERE poll_id = ?", (poll_id,)
        )
        return 0 if row is None else int(row["n"])

    async def tally(self, poll_id: int) -> Tally:
        """The live count (the final one for a closed poll is ``Poll.final``)."""
        rows = await self.db.fetchall(
            "SELECT side, COUNT(*) AS n FROM poll_votes WHERE poll_id = ? GROUP BY side",
            (poll_id,),
        )
        counts = {str(r["side"]): int(r["n"]) for r in rows}
        return Tally(counts.get("kpop", 0), counts.get("classic", 0))

    # ------------------------------------------------------------------ closing
    async def due(self, now: datetime) -> list[Poll]:
        """Open polls whose deadline has passed."""
        rows = await self.db.fetchall(
            "SELECT * FROM polls WHERE closed_at IS NULL AND closes_at <= ? ORDER BY closes_at, id",
            (to_epoch(now),),
        )
        return [_poll(r) for r in rows]

    async def next_deadline(self) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT MIN(closes_at) AS next FROM polls WHERE closed_at IS NULL"
        )
        return None if row is None or row["next"] is None else from_epoch(row["next"])

    async def close(self, poll_id: int, now: datetime, reason: str) -> Poll | None:
        """Close a poll and freeze its tally; None if it was already closed (someone else won)."""
        if reason not in ("deadline", "ended"):
            raise ValueError(f"unknown close reason {reason!r}")
        async with self.db.begin() as tx:
            if tx.engine == "postgresql":
                # Wait for vote groups holding the row, then count in a NEW statement: one
                # UPDATE that waited would count with the snapshot it started with and miss the
                # votes those groups committed meanwhile.
                open_row = await tx.fetchone(
                    "SELECT id FROM polls WHERE id = ? AND closed_at IS NULL FOR UPDATE",
                    (poll_id,),
                )
                if open_row is None:
                    return None
            row = await tx.fetchone(
                "UPDATE polls SET closed_at = ?, close_reason = ?, "
                "kpop_votes = (SELECT COUNT(*) FROM poll_votes WHERE poll_id = polls.id "
                "AND side = 'kpop'), "
                "classic_votes = (SELECT COUNT(*) FROM poll_votes WHERE poll_id = polls.id "
                "AND side = 'classic') "
                "WHERE id = ? AND closed_at IS NULL RETURNING *",
                (to_epoch(now), reason, poll_id),
            )
        return None if row is None else _poll(row)

    async def unannounced(self) -> list[Poll]:
        """Closed polls whose result has not been posted yet (e.g. the bot stopped mid-close)."""
        rows = await self.db.fetchall(
            "SELECT * FROM polls WHERE closed_at IS NOT NULL AND announced = 0 "
            "ORDER BY closed_at, id"
        )
        return [_poll(r) for r in rows]

    async def mark_announced(self, poll_id: int) -> None:
        await self.db.execute("UPDATE polls SET announced = 1 WHERE id = ?", (poll_id,))

    # ------------------------------------------------------------------ members' data (bot.privacy)
    user_columns = frozenset({"polls.started_by", "poll_votes.user_id"})

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        async with self.db.snapshot() as tx:
            votes = await tx.fetchall(
                "SELECT p.kpop_label, p.classic_label, p.closed_at, v.side, COUNT(*) OVER () AS n "
                "FROM poll_votes AS v JOIN polls AS p ON p.id = v.poll_id "
                "WHERE p.guild_id = ? AND v.user_id = ? ORDER BY v.voted_at DESC, p.id DESC "
                "LIMIT ?",
                (guild_id, user_id, PRIVACY_LATEST),
            )
            started = await tx.fetchone(
                "SELECT COUNT(*) FROM polls WHERE guild_id = ? AND started_by = ?",
                (guild_id, user_id),
            )
        latest = tuple(
            f"{r['kpop_label']} vs {r['classic_label']}: {PRIVACY_SIDES[str(r['side'])]}"
            f"{'' if r['closed_at'] is None else ' (closed)'}"
            for r in votes
        )
        return feature_data(
            PRIVACY_FEATURE,
            Holding(PRIVACY_VOTES, int(votes[0]["n"]) if votes else 0, latest, True),
            Holding(PRIVACY_STARTED, int(started[0]) if started else 0),
        )

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        # A closed poll's result is the tally written at its close (polls.kpop_votes and
        # classic_votes), so removing its votes leaves the result and the standings as they were;
        # an open poll simply no longer counts the member's vote.
        votes = await tx.execute(
            "DELETE FROM poll_votes WHERE user_id = ? AND poll_id IN "
            "(SELECT id FROM polls WHERE guild_id = ?)",
            (user_id, guild_id),
        )
        started = await tx.execute(
            "UPDATE polls SET started_by = ? WHERE guild_id = ? AND started_by = ?",
            (DELETED_MEMBER, guild_id, user_id),
        )
        return feature_data(
            PRIVACY_FEATURE,
            Holding(PRIVACY_VOTES, votes),
            Holding(PRIVACY_STARTED, started),
        )

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        votes = await tx.execute(
            "DELETE FROM poll_votes WHERE poll_id IN (SELECT id FROM polls WHERE guild_id = ?)",
            (guild_id,),
        )
        polls = await tx.execute("DELETE FROM polls WHERE guild_id = ?", (guild_id,))
        return votes + polls

    def forget(self, guild_id: int, user_id: int | None) -> None:
        """The store keeps nothing in memory (the board does: see ``PollBoard.forget``)."""
