"""The polls as `/poll results` and `/poll standings` see them, answered from memory.

Every read is a hand-off to the database thread (~80 µs of CPU, more than a whole command's own
work), so these two commands read nothing per call once warm:

- ``OpenPolls``: a mirror of every open poll and its votes (member -> side), per server. Loaded
  once at start-up, then kept in step by every write: a poll created, given its message,
  discarded or closed, and every vote group the ``VoteBatcher`` commits.
- ``ClosedRecord``: a server's closed rounds boiled down to what the commands show (the latest
  result and the standings), loaded on first use and dropped whenever a poll of that server
  closes or is discarded, in a bounded LRU so thousands of servers do not all stay in memory.

The database stays the only source of truth: ``PollBoard`` makes each poll write through
``PollStore`` and updates memory only after the commit returned. Poll writes made behind its back
(by another process, or another ``PollStore``) are not seen: an open poll until the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.storage.cache import ReadCache
from cogs.poll.logic import Round, Side, Standings, standings
from cogs.poll.store import Poll, PollStore, VoteOutcome, VoteRequest

log = logging.getLogger(__name__)

#: Servers whose closed record stays in memory (the least recently asked about are dropped).
MAX_CLOSED_SERVERS = 512


@dataclass(slots=True)
class LivePoll:
    """An open poll and the side each member's stored vote is on."""

    poll: Poll
    votes: dict[int, Side] = field(default_factory=dict)

    @property
    def turnout(self) -> int:
        return len(self.votes)

    def vote_of(self, user_id: int) -> Side | None:
        return self.votes.get(user_id)


def _recency(live: LivePoll) -> tuple[datetime, int]:
    return live.poll.opened_at, live.poll.id


class OpenPolls:
    """Every open poll with its votes, by id, by server and by channel (at most one per channel,
    as the database's unique index holds). No I/O: its owner feeds it commits."""

    def __init__(self) -> None:
        self._by_id: dict[int, LivePoll] = {}
        self._by_guild: dict[int, dict[int, LivePoll]] = {}
        self._by_channel: dict[int, LivePoll] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, polls: Iterable[Poll], votes: Iterable[tuple[int, int, Side]]) -> None:
        """Replace everything with the open polls and their (poll id, member, side) votes."""
        self._by_id.clear()
        self._by_guild.clear()
        self._by_channel.clear()
        for poll in polls:
            self.opened(poll)
        for poll_id, user_id, side in votes:
            live = self._by_id.get(poll_id)
            if live is not None:
                live.votes[user_id] = side

    def opened(self, poll: Poll) -> None:
        """A poll created, or its row changed while open (its message posted): votes are kept."""
        if not poll.is_open:
            self.closed(poll.id)
            return
        live = self._by_id.get(poll.id)
        if live is None:
            live = self._by_id[poll.id] = LivePoll(poll)
            self._by_guild.setdefault(poll.guild_id, {})[poll.id] = live
            self._by_channel[poll.channel_id] = live
        else:
            live.poll = poll

    def closed(self, poll_id: int) -> Poll | None:
        """Forget a poll that closed or was discarded; its last open row, if it was known."""
        live = self._by_id.pop(poll_id, None)
        if live is None:
            return None
        if self._by_channel.get(live.poll.channel_id) is live:
            del self._by_channel[live.poll.channel_id]
        guild_polls = self._by_guild.get(live.poll.guild_id)
        if guild_polls is not None:
            guild_polls.pop(poll_id, None)
            if not guild_polls:
                del self._by_guild[live.poll.guild_id]
        return live.poll

    def apply(self, votes: Sequence[VoteRequest], outcomes: Sequence[VoteOutcome]) -> None:
        """Committed votes: each stored one sets its member's side (idempotent, so a group applied
        twice or late changes nothing). Votes for polls not (or no longer) open are ignored: a
        poll closed meanwhile keeps its final tally, and is never brought back."""
        for vote, outcome in zip(votes, outcomes, strict=True):
            live = self._by_id.get(vote.poll_id)
            if live is None:
                continue
            if outcome.stored:
                live.votes[vote.user_id] = vote.side
            learnt = outcome.poll
            if live.poll.message_id is None and learnt is not None and learnt.is_open:
                live.poll = replace(live.poll, message_id=learnt.message_id)  # from the click

    def get(self, poll_id: int) -> LivePoll | None:
        return self._by_id.get(poll_id)

    def in_channel(self, channel_id: int) -> Poll | None:
        """The poll open in a channel, if any."""
        live = self._by_channel.get(channel_id)
        return None if live is None else live.poll

    def forget(self, guild_id: int, user_id: int | None) -> None:
        """A deletion committed: the member's votes in the server go (``user_id`` None: its
        polls go)."""
        for live in list(self._by_guild.get(guild_id, {}).values()):
            if user_id is None:
                self.closed(live.poll.id)
            else:
                live.votes.pop(user_id, None)

    def in_guild(self, guild_id: int) -> list[LivePoll]:
        """A server's open polls, the most recently opened first (as ``PollStore.open_in_guild``)."""
        polls = self._by_guild.get(guild_id)
        if not polls:
            return []
        if len(polls) == 1:
            return list(polls.values())
        return sorted(polls.values(), key=_recency, reverse=True)


@dataclass(frozen=True, slots=True)
class ClosedRecord:
    """A server's closed rounds as the commands show them: the latest result and the standings."""

    latest: Poll | None
    standings: Standings
    rounds: tuple[Round, ...] = ()  # in closing order: the season chart's columns

    @classmethod
    def of(cls, closed: Sequence[Poll]) -> ClosedRecord:
        """From the closed polls in closing order (``PollStore.closed_polls``)."""
        rounds = [Round(p.id, p.label, p.final) for p in closed if p.final is not None]
        latest = closed[-1] if closed and closed[-1].final is not None else None
        return cls(latest, standings(rounds), tuple(rounds))


class PollBoard:
    """Poll writes through the store, mirrored in memory once committed; reads from memory."""

    def __init__(self, store: PollStore, *, max_servers: int = MAX_CLOSED_SERVERS) -> None:
        self.store = store
        self.open = OpenPolls()
        self._closed: ReadCache[int, ClosedRecord] = ReadCache(max_entries=max_servers)

    async def load(self) -> None:
        """Read every open poll and its votes (one hand-off); run before any vote can arrive."""
        polls, votes = await self.store.open_polls_with_votes()
        self.open.load(polls, votes)
        log.info("%d open polls loaded with %d votes", len(polls), len(votes))

    # ------------------------------------------------------------------ reads
    def open_in_guild(self, guild_id: int) -> list[LivePoll]:
        return self.open.in_guild(guild_id)

    def live(self, poll_id: int) -> LivePoll | None:
        return self.open.get(poll_id)

    async def closed(self, guild_id: int) -> ClosedRecord:
        """The server's closed record: one read the first time, from memory after that."""
        return await self._closed.get(guild_id, lambda: self._load_closed(guild_id))

    async def _load_closed(self, guild_id: int) -> ClosedRecord:
        return ClosedRecord.of(await self.store.closed_polls(guild_id))

    # ------------------------------------------------------------------ writes
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
        """A new open poll (see ``PollStore.create``), in memory from now on.

        In memory before its message is posted: a click may land between the post and
        ``set_message``, and its vote must count.
        """
        poll = await self.store.create(
            guild_id=guild_id,
            channel_id=channel_id,
            matchup_id=matchup_id,
            kpop_label=kpop_label,
            classic_label=classic_label,
            started_by=started_by,
            opened_at=opened_at,
            closes_at=closes_at,
        )
        self.open.opened(poll)
        return poll

    async def set_message(self, poll: Poll, message_id: int) -> Poll:
        await self.store.set_message(poll.id, message_id)
        live = self.open.get(poll.id)
        posted = replace(live.poll if live else poll, message_id=message_id)
        if live is not None:
            self.open.opened(posted)
        return posted

    async def discard(self, poll_id: int, now: datetime) -> None:
        """A poll whose message could not be posted (see ``PollStore.discard``): gone from memory."""
        await self.store.discard(poll_id, now)
        forgotten = self.open.closed(poll_id)
        if forgotten is not None:
            self._closed.forget(forgotten.guild_id)

    async def close(self, poll_id: int, now: datetime, reason: str) -> Poll | None:
        """Close a poll (see ``PollStore.close``); None if it was already closed."""
        closed = await self.store.close(poll_id, now, reason)
        forgotten = self.open.closed(poll_id)
        guild_id = closed.guild_id if closed else forgotten.guild_id if forgotten else None
        if guild_id is not None:
            # Dropped, not patched: a load already under way is not kept either (ReadCache).
            self._closed.forget(guild_id)
        return closed

    def forget(self, guild_id: int, user_id: int | None) -> None:
        """A member's (or the whole server's) data was deleted: memory follows the database."""
        self.open.forget(guild_id, user_id)
        self._closed.forget(guild_id)

    def committed(self, votes: Sequence[VoteRequest], outcomes: Sequence[VoteOutcome]) -> None:
        """A vote group's outcomes, once its transaction committed (the ``VoteBatcher`` calls it)."""
        self.open.apply(votes, outcomes)
