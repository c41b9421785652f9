"""The weekly listening poll: every week, in each server that set it up, the next pairing.

Every minute ``run_due()`` finds the servers whose weekly time has passed this local week and
opens their poll, once: the (server, local week) row is claimed in the database first
(``WeeklyStore.record``), so a restart, a second process or an overlapping run never opens a
week twice. Closing is the ordinary deadline close (``cogs.poll.closer``), which posts the result
and updates the standings.

- Downtime: a week still due within ``CATCH_UP_WINDOW`` opens late, once; later it is missed.
- Daylight saving: the week is the local calendar week; a local time skipped by a DST change
  opens at the first minute after it (``bot.scheduler.due_at``, the daily posts' rule).
- A poll already open in the channel (a moderator's own ``/poll start``): the week waits for it
  to close while the catch-up window lasts, then is skipped. Never two open polls in a channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import discord

from bot.client import KpopsBot
from bot.i18n import N_
from bot.i18n.server import server_language
from bot.scheduler import (
    CATCH_UP_WINDOW,
    UNFINISHED_AFTER,
    due_at,
    parse_post_time,
    seconds_to_next_minute,
    zone,
)
from cogs.poll.board import PollBoard
from cogs.poll.closer import can_post
from cogs.poll.content import Matchup, Matchups
from cogs.poll.logic import next_matchup
from cogs.poll.render import poll_embed
from cogs.poll.store import Poll, PollAlreadyOpen, PollStore
from cogs.poll.weekly_store import (
    CLAIMED,
    FAILED,
    MISSED,
    OPENED,
    SKIPPED,
    ScheduledWeekly,
    WeeklyStore,
)

# Why a week did not open, stored with it and shown by /config show in the reader's language.
MISSED_DETAIL = N_("missed: kpops-bot could not open it in time")
SKIPPED_DETAIL = N_("skipped: another poll stayed open in the poll channel")
CANNOT_POST_DETAIL = N_("failed: kpops-bot cannot post in the poll channel")
NO_PAIRINGS_DETAIL = N_("failed: there are no pairings to poll on")
REFUSED_DETAIL = N_("failed: Discord refused the poll message")

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
INTERRUPTED = N_("interrupted: kpops-bot stopped while opening the weekly poll")  # shown with t
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week_of(day: date) -> date:
    """The Monday of ``day``'s week: the key a week's poll is claimed under."""
    return day - timedelta(days=day.weekday())


def weekly_due(week: date, weekday: int, post_time: time, tz_name: str) -> datetime:
    """The UTC instant the weekly poll of ``week`` opens."""
    return due_at(week + timedelta(days=weekday), post_time, zone(tz_name))


def next_weekly_at(
    now: datetime, weekday: int, post_time: time, tz_name: str, taken: set[date]
) -> datetime:
    """When the next weekly poll opens (now, if one is due within the catch-up window)."""
    this_week = week_of(now.astimezone(zone(tz_name)).date())
    for offset in (-1, 0, 1, 2):
        week = this_week + timedelta(weeks=offset)
        due = weekly_due(week, weekday, post_time, tz_name)
        if week in taken or now - due > CATCH_UP_WINDOW:
            continue
        return max(due, now)
    return weekly_due(this_week + timedelta(weeks=3), weekday, post_time, tz_name)


@dataclass(frozen=True, slots=True)
class WeeklyOutcome:
    guild_id: int
    week: date
    status: str  # OPENED, SKIPPED, MISSED, FAILED, or "deferred" (waiting for the channel)
    poll_id: int | None = None
    detail: str | None = None


DEFERRED = "deferred"


class WeeklyPolls:
    """Opens each server's weekly poll on time, exactly once per local week."""

    def __init__(
        self,
        bot: KpopsBot,
        store: PollStore,
        board: PollBoard,
        matchups: Matchups,
        *,
        view_of: Callable[..., discord.ui.View],
        opened: Callable[[], None],
        catch_up: timedelta = CATCH_UP_WINDOW,
    ) -> None:
        self.bot = bot
        self.polls = store
        self.ledger = WeeklyStore(bot.db)  # the schedule and the per-week claims
        self.board = board
        self.matchups = matchups
        self.view_of = view_of
        self.opened = opened  # wakes the deadline loop
        self.catch_up = catch_up
        self.tick_seconds = TICK_SECONDS
        self._run_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._deferred: set[tuple[int, date]] = set()  # logged once per server and week

    # ------------------------------------------------------------------ the loop
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run_forever(), name="weekly-poll"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def seconds_until_next_tick(self) -> float:
        """Sleep to just after the next minute boundary of the bot's clock (at most a tick)."""
        return seconds_to_next_minute(self.bot.clock.now(), self.tick_seconds)

    async def _run_forever(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            # First wait, then run: as the daily scheduler does, on the minute.
            await asyncio.sleep(self.seconds_until_next_tick())
            try:
                await self.run_due()
            except Exception:  # noqa: BLE001 - the loop must survive a bad minute
                log.exception("weekly polls failed; trying again at the next minute")

    # ------------------------------------------------------------------ one run
    async def run_due(self) -> list[WeeklyOutcome]:
        """Open every weekly poll due now; returns what happened to each server due."""
        async with self._run_lock:
            now = self.bot.clock.now()
            stale = await self.ledger.fail_unfinished(
                claimed_before=now - UNFINISHED_AFTER, detail=INTERRUPTED
            )
            if stale:
                log.warning("%d weekly polls were interrupted by a stop; not reopening", stale)
            outcomes: list[WeeklyOutcome] = []
            for item in await self.ledger.scheduled():
                if self.bot.get_guild(item.settings.guild_id) is None:
                    continue  # another shard's server, or not in the cache yet
                outcomes += await self._run_one(item, now)
            return outcomes

    async def _run_one(self, item: ScheduledWeekly, now: datetime) -> list[WeeklyOutcome]:
        """Last week's poll (still within the catch-up window, or to record as missed), then
        this week's."""
        settings = item.settings
        post_time = parse_post_time(settings.post_time or "")
        if settings.weekday is None or post_time is None or not settings.timezone:
            return []
        outcomes: list[WeeklyOutcome] = []
        this_week = week_of(now.astimezone(zone(settings.timezone)).date())
        for week in (this_week - timedelta(weeks=1), this_week):
            due = weekly_due(week, settings.weekday, post_time, settings.timezone)
            if due > now or (settings.since is not None and due < settings.since):
                continue
            if await self.ledger.taken(settings.guild_id, week) is not None:
                continue
            busy = self._open_poll_in(item.channel_id)
            if now - due > self.catch_up:
                outcome = await self._give_up(settings.guild_id, week, now, busy)
            elif busy is not None:
                outcome = self._defer(settings.guild_id, week, busy)
            else:
                outcome = await self._open(item, week, now)
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def _give_up(
        self, guild_id: int, week: date, now: datetime, busy: Poll | None
    ) -> WeeklyOutcome | None:
        """A week past its catch-up window: skipped (a poll held the channel) or missed."""
        status, detail = MISSED, MISSED_DETAIL
        if busy is not None or (guild_id, week) in self._deferred:
            status, detail = SKIPPED, SKIPPED_DETAIL
        self._deferred.discard((guild_id, week))
        if not await self.ledger.record(guild_id, week, status, at=now, detail=detail):
            return None  # recorded by another process meanwhile
        log.warning("weekly poll of guild %s, week %s: %s", guild_id, week, detail)
        return WeeklyOutcome(guild_id, week, status, detail=detail)

    def _open_poll_in(self, channel_id: int) -> Poll | None:
        """The poll open in the channel, from the board's per-channel index (no database read)."""
        return self.board.open.in_channel(channel_id)

    def _defer(self, guild_id: int, week: date, busy: Poll) -> WeeklyOutcome:
        if (guild_id, week) not in self._deferred:
            self._deferred.add((guild_id, week))
            log.info(
                "weekly poll of guild %s, week %s: deferred, poll %s is open in channel %s",
                guild_id,
                week,
                busy.id,
                busy.channel_id,
            )
        return WeeklyOutcome(guild_id, week, DEFERRED, poll_id=busy.id)

    async def _open(self, item: ScheduledWeekly, week: date, now: datetime) -> WeeklyOutcome:
        guild_id = item.settings.guild_id
        if not await self.ledger.record(guild_id, week, CLAIMED, at=now):
            return WeeklyOutcome(guild_id, week, SKIPPED, detail="claimed elsewhere")
        guild = self.bot.get_guild(guild_id)
        me = self.bot.user
        if guild is None or me is None or not can_post(guild, item.channel_id):
            detail = CANNOT_POST_DETAIL
            await self.ledger.finish(guild_id, week, FAILED, detail=detail)
            log.warning("weekly poll of guild %s, week %s: %s", guild_id, week, detail)
            return WeeklyOutcome(guild_id, week, FAILED, detail=detail)
        chosen = await self._next_matchup(guild_id)
        if chosen is None:
            detail = NO_PAIRINGS_DETAIL
            await self.ledger.finish(guild_id, week, FAILED, detail=detail)
            return WeeklyOutcome(guild_id, week, FAILED, detail=detail)
        kpop_label, classic_label = side_labels(chosen)
        try:
            poll = await self.board.create(
                guild_id=guild_id,
                channel_id=item.channel_id,
                matchup_id=chosen.id,
                kpop_label=kpop_label,
                classic_label=classic_label,
                started_by=me.id,
                opened_at=now,
                closes_at=now + timedelta(hours=item.settings.length_hours),
            )
        except PollAlreadyOpen as exc:
            # A /poll start won the race for the channel: give the week back and wait.
            await self.ledger.release(guild_id, week)
            if exc.poll is None:
                return WeeklyOutcome(guild_id, week, DEFERRED)
            return self._defer(guild_id, week, exc.poll)
        channel = self.bot.get_partial_messageable(item.channel_id, guild_id=guild_id)
        language = await server_language(self.bot, guild)
        try:
            message = await channel.send(
                embed=poll_embed(poll, chosen, turnout=0, language=language),
                view=self.view_of(poll, language=language),
            )
        except discord.HTTPException as exc:
            await self.board.discard(poll.id, self.bot.clock.now())
            detail = REFUSED_DETAIL
            await self.ledger.finish(guild_id, week, FAILED, detail=detail)
            log.warning("weekly poll of guild %s, week %s: %s (%s)", guild_id, week, detail, exc)
            return WeeklyOutcome(guild_id, week, FAILED, detail=detail)
        await self.board.set_message(poll, message.id)
        await self.ledger.finish(guild_id, week, OPENED, poll_id=poll.id)
        self._deferred.discard((guild_id, week))
        self.opened()
        log.info("weekly poll of guild %s, week %s: opened poll %s", guild_id, week, poll.id)
        return WeeklyOutcome(guild_id, week, OPENED, poll_id=poll.id)

    async def _next_matchup(self, guild_id: int) -> Matchup | None:
        picked = await next_pairing(self.polls, self.matchups, guild_id)
        return None if picked is None else picked[0]


async def next_pairing(
    store: PollStore, matchups: Matchups, guild_id: int
) -> tuple[Matchup, bool] | None:
    """The pairing this server has not heard yet (or, once all have had a round, the least
    recent one: then True); None without pairings. /poll start and the weekly poll share it."""
    used = await store.matchups_used(guild_id)
    picked = next_matchup([m.id for m in matchups], used)
    return None if picked is None else (matchups.by_id(picked[0]), picked[1])


def side_labels(matchup: Matchup) -> tuple[str, str]:
    """A pairing's two sides as a poll shows them: ``artist “title”``."""
    kpop, classic = matchup.kpop, matchup.classic
    return f"{kpop.artist} “{kpop.title}”", f"{classic.artist} “{classic.title}”"
