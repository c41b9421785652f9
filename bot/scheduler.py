"""One scheduler for every daily feature: each server's post, on time, exactly once per local day.

Every minute (aligned to the minute) ``run_due()`` looks at the injected clock, finds each server
whose local post time for a feature has passed, and posts what the feature's builder returns
(``bot.daily``). Exactly-once is kept by the database, not by memory: the server/feature/local-date
row is claimed in a transaction before sending, and the sent message id recorded after, so a
restart, a second process or an overlapping run never posts the same day twice.

- Downtime: a post still due within ``CATCH_UP_WINDOW`` goes out late, once; older ones are
  recorded as missed.
- Daylight saving: a local time that does not exist that day posts at the first valid minute after
  it; a repeated hour posts once (the claim is per local date).
- Fan-out: at most ``MAX_IN_FLIGHT`` posts at once, paced by a token bucket below Discord's global
  50 requests/second; a process holding some of the shards paces at its share (``bot.shards``).
- Shards: a process posts only for the servers whose shard it holds; the claim row decides the
  rest, so shards moving between processes at a restart never post a day twice.
- Start-up: one run as soon as the gateway is ready (posts due while stopped, or for shards just
  taken over, go out at once), then every minute. In-process tests, which drive ``run_due`` with
  a manual clock, turn that first run off (``KpopsBot(catch_up_at_start=False)``).
- A deleted channel or a missing permission is detected before any request, recorded (shown in
  ``/config show``) and not retried that day; the next day, or a fix, resumes posting.
- What went wrong is recorded as a catalog message with its fields (``bot.i18n.stored``), so
  `/config show` gives it in the moderator's language; logs and ``PostOutcome.detail`` are English.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time as systime
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord

from bot import limits, shards
from bot.daily import DailyPost, framed
from bot.errors import reference_code
from bot.i18n import ENGLISH, N_, Language, t
from bot.i18n.server import server_language
from bot.i18n.stored import shown, stored
from bot.storage.config import (
    FAILED,
    MISSED,
    SENT,
    ConfigStore,
    DailyPostStore,
    ScheduledFeature,
)

if TYPE_CHECKING:
    from bot.client import KpopsBot

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=6)
MAX_IN_FLIGHT = 5
# A process alone paces below Discord's 50 requests/second (bot/shards.py says how); several
# processes each pace at their share of the shards.
POSTS_PER_SECOND = shards.pacing(1, 1).posts_per_second
POST_BURST = shards.pacing(1, 1).burst
BUILD_TIMEOUT_SECONDS = 30.0
TICK_SECONDS = 60.0
STOP_GRACE_SECONDS = 15.0  # on shutdown, let posts already claimed finish
# A claim still unfinished after this long belongs to a process that stopped mid-post.
UNFINISHED_AFTER = timedelta(minutes=10)
# Stored with the day (``bot.i18n.stored``): shown to moderators in their language.
INTERRUPTED = stored(
    N_("interrupted: kpops-bot stopped while posting; the post may not have gone out")
)
MISSED_DETAIL = N_("due at {time} ({zone}) but kpops-bot could not post within {hours} hours")
CHANNEL_GONE = N_("the channel no longer exists; set a new one")
MISSING_PERMISSIONS = N_("kpops-bot is missing {permissions} in {channel}")
NOT_PREPARED = {
    "quote": N_("the quote could not be prepared (ref {code})"),
    "fact": N_("the fact could not be prepared (ref {code})"),
}
NOT_PREPARED_OTHER = N_("the post could not be prepared (ref {code})")
TOO_LONG = {
    "quote": N_("the quote was too long for Discord (ref {code})"),
    "fact": N_("the fact was too long for Discord (ref {code})"),
}
TOO_LONG_OTHER = N_("the post was too long for Discord (ref {code})")
REFUSED = N_("Discord refused the post in {channel}")
NOT_FOUND = N_("Discord says the channel no longer exists")
DISCORD_ERROR = N_("Discord error {status} while posting")
NETWORK_ERROR = N_("a network error interrupted the post")
# The change log's line for a channel deleted while kpops-bot was offline (the same words as the
# config cog's, written in the server's language like every change-log line).
CHANNEL_GONE_SUMMARY = N_(
    "{channel} was deleted: {features} will not post until a new channel is set"
)
GONE_CHANNEL = N_("channel {id}")  # its name went with it
# Every feature a channel can be set for (the config cog's labels: the same words).
FEATURE_NAMES = {
    "quote": N_("Quote of the day"),
    "fact": N_("Daily fact"),
    "poll": N_("Listening polls"),
}

SKIPPED = "skipped"  # an outcome only: another process (or run) had already claimed the day

_HHMM = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})\s*$")

# What a channel must allow kpops-bot, in the order a moderator fixes them.
# The labels are Discord's own names of the permissions (Korean: Discord's Korean names).
POSTING_NEEDS: tuple[tuple[str, str], ...] = (
    ("view_channel", N_("View Channel")),
    ("send_messages", N_("Send Messages")),
    ("embed_links", N_("Embed Links")),
)


def parse_post_time(text: str) -> time | None:
    """'09:00' or '9:00' on a 24-hour clock; None for anything else."""
    match = _HHMM.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r in the database; using UTC", name)
        return ZoneInfo("UTC")


def due_at(local_date: date, post_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``post_time`` on ``local_date`` in ``tz``.

    A local time skipped by a daylight-saving change (02:30 on the spring-forward day in New York)
    becomes the first minute after it that exists (03:00). In a repeated hour the first occurrence
    counts (fold=0); the claim on the local date keeps the second from posting again.
    """
    wanted = datetime.combine(local_date, post_time)
    for minutes in range(0, 48 * 60):
        candidate = wanted + timedelta(minutes=minutes)
        aware = candidate.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
    raise ValueError(f"no valid local time after {wanted} in {tz}")  # no zone skips two days


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def seconds_to_next_minute(now: datetime, tick_seconds: float) -> float:
    """How long to sleep to wake just after the next minute boundary of ``now`` (at most
    ``tick_seconds``)."""
    into_minute = now.second + now.microsecond / 1_000_000
    return min(tick_seconds, 60.0 - into_minute + 0.05)


def next_post_at(
    now: datetime,
    post_time: time,
    tz: ZoneInfo,
    since: datetime | None,
    taken: Iterable[date] = (),
) -> datetime:
    """When the next post goes out: the first day not yet taken whose time is still ahead
    (or still within the catch-up window, in which case it is due now)."""
    done = set(taken)
    today = local_today(now, tz)
    for offset in range(-1, 3):
        day = today + timedelta(days=offset)
        due = due_at(day, post_time, tz)
        if day in done or (since is not None and due < since) or now - due > CATCH_UP_WINDOW:
            continue
        return max(due, now)
    return due_at(today + timedelta(days=3), post_time, tz)  # pragma: no cover - unreachable


def permission_names(language: Language, labels: Iterable[str]) -> str:
    """Permission labels from :func:`missing_permissions` as a moderator's Discord names them."""
    return ", ".join(t(language, label) for label in labels)


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """The permission kpops-bot lacks to post an embed in ``channel`` (empty: it can).

    Only the first missing one is named: Discord takes the later ones away implicitly (no Send
    Messages means no Embed Links), so naming them too would send moderators after the wrong fix.
    """
    perms = channel.permissions_for(me)
    for attr, label in POSTING_NEEDS:
        if not getattr(perms, attr):
            return [label]
    return []


def feature_name(language: Language, feature: str) -> str:
    """A feature as moderators know it ("Quote of the day"); an unknown one by its key."""
    name = FEATURE_NAMES.get(feature)  # an N_ constant: extracted above
    return feature if name is None else t(language, name)


def channel_gone_summary(language: Language, channel: str, features: list[str]) -> str:
    """The change-log line for ``features`` losing their deleted ``channel``, in ``language``."""
    names = ", ".join(feature_name(language, f) for f in features)
    return t(language, CHANNEL_GONE_SUMMARY, channel=channel, features=names)


class TokenBucket:
    """Paces requests: ``rate`` per second on average, at most ``burst`` at once."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        monotonic: Callable[[], float] = systime.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate, self.burst = rate, burst
        self._monotonic, self._sleep = monotonic, sleep
        self._tokens = float(burst)
        self._updated = monotonic()
        self._lock = asyncio.Lock()  # first come, first served

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1 - 1e-9:  # tolerate float rounding after an exact wait
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._sleep((1 - self._tokens) / self.rate)


@dataclass(frozen=True, slots=True)
class PostOutcome:
    guild_id: int
    feature: str
    local_date: date
    status: str  # SENT, FAILED, MISSED or SKIPPED
    detail: str | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Job:
    item: ScheduledFeature
    local_date: date
    due: datetime


class DailyScheduler:
    def __init__(
        self,
        bot: KpopsBot,
        *,
        max_in_flight: int = MAX_IN_FLIGHT,
        posts_per_second: float | None = None,
        burst: int | None = None,
        catch_up: timedelta = CATCH_UP_WINDOW,
    ) -> None:
        self.bot = bot
        self.config = ConfigStore(bot.db)
        self.ledger = DailyPostStore(bot.db)
        self.catch_up = catch_up
        self.max_in_flight = max_in_flight
        # No pacing given: this process's share of the budget, known once its shards are.
        self._auto_pacing = posts_per_second is None and burst is None
        self.bucket = TokenBucket(posts_per_second or POSTS_PER_SECOND, burst or POST_BURST)
        self._default_bucket = self.bucket
        self.tick_seconds = TICK_SECONDS
        self.in_flight = 0
        self.peak_in_flight = 0  # the most posts ever in flight at once (for tests and logs)
        self.runs = 0
        self._slots = asyncio.Semaphore(max_in_flight)
        self._run_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # ------------------------------------------------------------------ the loop
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._run_forever(), name="daily-scheduler")
            self._task.add_done_callback(self._task_ended)

    async def stop(self) -> None:
        """Stop waking up; posts already claimed get a short grace period to finish."""
        self._stopping = True
        task, self._task = self._task, None
        if task is None:
            return
        if self._run_lock.locked():
            try:
                async with asyncio.timeout(STOP_GRACE_SECONDS):
                    async with self._run_lock:
                        pass
            except TimeoutError:
                log.warning("daily posts still running after %.0fs; stopping", STOP_GRACE_SECONDS)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def seconds_until_next_tick(self) -> float:
        """Sleep to just after the next minute boundary of the bot's clock (at most a tick)."""
        return seconds_to_next_minute(self.bot.clock.now(), self.tick_seconds)

    async def _run_forever(self) -> None:
        await self.bot.wait_until_ready()
        first = self.bot.catch_up_at_start
        while not self._stopping:
            if not first:
                await asyncio.sleep(self.seconds_until_next_tick())
            first = False
            try:
                await self.run_due()
            except Exception:  # noqa: BLE001 - an uncaught error would end the loop for everyone
                log.exception("daily scheduler run failed; trying again at the next minute")

    def _pace_for_shards(self) -> None:
        """Pace at this process's share of the shards (unless a caller chose the pacing, or
        replaced the bucket): all processes together then stay under the global limit."""
        if not self._auto_pacing or self.bucket is not self._default_bucket:
            return
        pace = shards.bot_pacing(self.bot)
        if (pace.posts_per_second, pace.burst) != (self.bucket.rate, self.bucket.burst):
            log.info(
                "daily posts paced at %.3g/s (burst %d): this process's share of the shards",
                pace.posts_per_second,
                pace.burst,
            )
            self.bucket = self._default_bucket = TokenBucket(pace.posts_per_second, pace.burst)

    def _task_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("the daily scheduler stopped", exc_info=task.exception())

    # ------------------------------------------------------------------ one run
    async def run_due(self) -> list[PostOutcome]:
        """Post everything due now; returns what happened (nothing due: an empty list)."""
        async with self._run_lock:
            self.runs += 1
            self._pace_for_shards()
            now = self.bot.clock.now()
            unfinished = await self.ledger.fail_unfinished(
                claimed_before=now - UNFINISHED_AFTER, detail=INTERRUPTED, at=now
            )
            if unfinished:
                log.warning("%d daily posts were interrupted by a stop; not resending", unfinished)
            jobs, missed = await self._find_due(now)
            outcomes = list(missed)
            if jobs:
                results = await asyncio.gather(
                    *(self._guarded(job) for job in jobs), return_exceptions=True
                )
                outcomes += [r for r in results if isinstance(r, PostOutcome)]
            if outcomes:
                counts: dict[str, int] = {}
                for outcome in outcomes:
                    counts[outcome.status] = counts.get(outcome.status, 0) + 1
                log.info("daily posts at %s: %s", now.isoformat(timespec="minutes"), counts)
            return outcomes

    async def _find_due(self, now: datetime) -> tuple[list[_Job], list[PostOutcome]]:
        features = set(self.bot.daily.builders)
        if not features:
            return [], []
        items = [
            item
            for item in await self.config.scheduled(features)
            # Ours (another process posts for its shards' servers) and still in it.
            if shards.owns(self.bot, item.guild_id)
            and self.bot.get_guild(item.guild_id) is not None
        ]
        if not items:
            return [], []
        earliest = (now - timedelta(days=2)).date()
        taken = await self.ledger.taken_since(earliest)
        jobs: list[_Job] = []
        missed: list[PostOutcome] = []
        for item in items:
            post_time = parse_post_time(item.post_time)
            if post_time is None:
                log.warning(
                    "bad post time %r for %s/%s", item.post_time, item.guild_id, item.feature
                )
                continue
            tz = zone(item.timezone)
            today = local_today(now, tz)
            for day in (today - timedelta(days=1), today):
                if (item.guild_id, item.feature, day) in taken:
                    continue
                due = due_at(day, post_time, tz)
                if due > now or (item.schedule_since is not None and due < item.schedule_since):
                    continue
                if now - due <= self.catch_up:
                    jobs.append(_Job(item, day, due))
                    continue
                detail = stored(
                    MISSED_DETAIL,
                    time=item.post_time,
                    zone=item.timezone,
                    hours=f"{self.catch_up.total_seconds() / 3600:g}",
                )
                if await self.ledger.record_missed(
                    item.guild_id, item.feature, day, detail=detail, at=now
                ):
                    english = shown(ENGLISH, detail)
                    log.warning("%s/%s %s missed: %s", item.guild_id, item.feature, day, english)
                    missed.append(PostOutcome(item.guild_id, item.feature, day, MISSED, english))
        return jobs, missed

    async def _guarded(self, job: _Job) -> PostOutcome | None:
        """One server's post; whatever goes wrong there stays there."""
        try:
            async with self._slots:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                try:
                    return await self._post(job)
                finally:
                    self.in_flight -= 1
        except Exception:  # noqa: BLE001 - one server's failure must not stop the others
            log.exception(
                "daily %s for guild %s failed unexpectedly", job.item.feature, job.item.guild_id
            )
            return None

    async def _fail(self, job: _Job, detail: str) -> PostOutcome:
        """Record the day as failed; ``detail`` is in the stored form (``bot.i18n.stored``)."""
        item = job.item
        english = shown(ENGLISH, detail)
        log.warning(
            "daily %s for guild %s on %s: %s", item.feature, item.guild_id, job.local_date, english
        )
        await self.ledger.mark_failed(
            item.guild_id, item.feature, job.local_date, detail=detail, at=self.bot.clock.now()
        )
        return PostOutcome(item.guild_id, item.feature, job.local_date, FAILED, english)

    async def _retry_later(self, job: _Job) -> None:
        """Still rate limited after discord.py's own retries: Discord did not take the post, so
        the claim is given back and the next minute's run tries again (within the catch-up
        window), instead of the whole day being recorded as failed."""
        item = job.item
        log.warning(
            "daily %s for guild %s on %s: still rate limited; retrying at the next minute",
            item.feature,
            item.guild_id,
            job.local_date,
        )
        await self.ledger.release_claim(item.guild_id, item.feature, job.local_date)

    async def _post(self, job: _Job) -> PostOutcome | None:
        item = job.item
        guild = self.bot.get_guild(item.guild_id)
        if self._stopping or guild is None or guild.unavailable or guild.me is None:
            return None  # not claimed: a later run (or the next start) takes it
        builder = self.bot.daily.builders.get(item.feature)
        if builder is None:
            return None
        shards.assert_owns(self.bot, item.guild_id)  # _find_due picked ours; never claim another's
        claimed = await self.ledger.claim(
            item.guild_id,
            item.feature,
            job.local_date,
            channel_id=item.channel_id,
            at=self.bot.clock.now(),
        )
        if not claimed:
            return PostOutcome(item.guild_id, item.feature, job.local_date, SKIPPED)

        channel = guild.get_channel(item.channel_id)
        if not isinstance(channel, discord.TextChannel):
            # Deleted while kpops-bot was offline (no gateway event reached it): forget it.
            record = await server_language(self.bot, guild)
            await self.config.detach_channel(
                guild.id,
                item.channel_id,
                at=self.bot.clock.now(),
                describe=lambda features: channel_gone_summary(
                    record, t(record, GONE_CHANNEL, id=item.channel_id), features
                ),
            )
            return await self._fail(job, stored(CHANNEL_GONE))
        missing = missing_permissions(channel, guild.me)
        if missing:
            return await self._fail(
                job,
                stored(
                    MISSING_PERMISSIONS,
                    terms={"permissions": missing},
                    channel=f"#{channel.name[:100]}",
                ),
            )

        try:
            post = await asyncio.wait_for(
                builder(item.guild_id, job.local_date), BUILD_TIMEOUT_SECONDS
            )
            language = await server_language(self.bot, guild)
            post = framed(post, language, item.feature, job.local_date)
            problem = _too_long(post)
        except Exception as exc:  # noqa: BLE001 - a feature's bug is logged, not spread
            code = reference_code()
            log.error(
                "daily %s builder failed for guild %s [ref %s]",
                item.feature,
                item.guild_id,
                code,
                exc_info=exc,
            )
            why = NOT_PREPARED.get(item.feature, NOT_PREPARED_OTHER)
            return await self._fail(job, stored(why, code=code))
        if problem:
            code = reference_code()
            log.error("daily %s for guild %s: %s [ref %s]", item.feature, guild.id, problem, code)
            why = TOO_LONG.get(item.feature, TOO_LONG_OTHER)
            return await self._fail(job, stored(why, code=code))

        await self.bucket.acquire()
        try:
            message = await channel.send(
                content=post.content,
                embed=post.embed,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden:
            return await self._fail(job, stored(REFUSED, channel=f"#{channel.name[:100]}"))
        except discord.NotFound:
            return await self._fail(job, stored(NOT_FOUND))
        except discord.HTTPException as exc:
            if exc.status == 429:
                return await self._retry_later(job)
            return await self._fail(job, stored(DISCORD_ERROR, status=exc.status))
        except discord.RateLimited:
            return await self._retry_later(job)
        except Exception:  # noqa: BLE001 - network trouble: the post may or may not be out
            log.exception("daily %s for guild %s: sending failed", item.feature, guild.id)
            return await self._fail(job, stored(NETWORK_ERROR))
        await self.ledger.mark_sent(
            item.guild_id,
            item.feature,
            job.local_date,
            message_id=message.id,
            at=self.bot.clock.now(),
        )
        return PostOutcome(item.guild_id, item.feature, job.local_date, SENT, message_id=message.id)


def _too_long(post: DailyPost) -> str | None:
    """What in a built post Discord would reject for its size (None: nothing)."""
    if post.content is not None and len(post.content) > limits.CONTENT_MAX:
        return f"content is {len(post.content)} characters"
    embed = post.embed
    if len(embed) > limits.EMBED_TOTAL_MAX:
        return f"embed is {len(embed)} characters"
    sized = [
        ("title", embed.title, limits.EMBED_TITLE_MAX),
        ("description", embed.description, limits.EMBED_DESCRIPTION_MAX),
        ("footer", embed.footer.text, limits.EMBED_FOOTER_MAX),
        ("author", embed.author.name, limits.EMBED_AUTHOR_MAX),
    ]
    if len(embed.fields) > limits.EMBED_FIELDS_MAX:
        return f"embed has {len(embed.fields)} fields"
    for i, field in enumerate(embed.fields):
        sized.append((f"field {i} name", field.name, limits.EMBED_FIELD_NAME_MAX))
        sized.append((f"field {i} value", field.value, limits.EMBED_FIELD_VALUE_MAX))
    for what, text, most in sized:
        if text is not None and len(text) > most:
            return f"{what} is {len(text)} characters (at most {most})"
    return None


__all__ = [
    "CATCH_UP_WINDOW",
    "FAILED",
    "MISSED",
    "SENT",
    "SKIPPED",
    "DailyScheduler",
    "PostOutcome",
    "TokenBucket",
    "due_at",
    "missing_permissions",
    "permission_names",
    "next_post_at",
    "parse_post_time",
]
