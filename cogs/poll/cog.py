"""/poll: the K-pop vs classic listening poll.

Vote buttons are a ``DynamicItem`` (custom_id ``poll:vote:<poll_id>:<side>``), so buttons on any
open poll keep working after a restart without per-message registration. A click is acknowledged
only after its vote is committed; clicks are stored in groups (see ``cogs.poll.batcher``). The live
turnout is edited at most once every few seconds, through the most recent click's interaction token
(webhook edits are not subject to the cap on edits to messages older than an hour).
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import re
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import moderator_only
from bot.client import KpopsBot
from bot.errors import UserFacingError, guild_id_of
from bot.i18n import ENGLISH, N_, Language, command_name, reply_locale, t, tn
from bot.i18n.server import server_language
from bot.privacy import CachedHooks, PrivacyHooks
from bot.storage.config import ConfigStore
from bot.ui.buttons import Button, ClickNamespace
from bot.ui.style import moment
from bot.ui.text import literal
from cogs.poll import batcher as poll_runtime
from cogs.poll.batcher import Debouncer, VoteBatcher
from cogs.poll.board import PollBoard
from cogs.poll.chart import FILENAME as CHART_FILE
from cogs.poll.chart import ChartPictures, season_chart
from cogs.poll.closer import PollCloser
from cogs.poll.content import Matchup, Matchups
from cogs.poll.hooks import PollHooks
from cogs.poll.logic import (
    SIDES,
    Side,
    Standings,
    clean_pick,
    parse_side,
    side_name,
)
from cogs.poll.options import MatchupIndex, MatchupOption
from cogs.poll.render import (
    channel_mention,
    open_status_embed,
    poll_embed,
    result_embed,
    standings_embed,
    vote_button_label,
)
from cogs.poll.store import Poll, PollAlreadyOpen, PollStore, VoteOutcome, VoteRequest, VoteStatus
from cogs.poll.weekly import WeeklyPolls, next_pairing, side_labels

log = logging.getLogger(__name__)

CUSTOM_PICK_MAX = 100
VOTE_PREFIX = "poll:"
SERVERS_ONLY = N_("Polls run in servers only.")
VOTE_TEMPLATE = r"poll:vote:(?P<poll>[0-9]{1,18}):(?P<side>kpop|classic)"
_VOTE_RE = re.compile(VOTE_TEMPLATE)

NO_CHART = N_("Give kpops-bot Attach Files in this channel to see the season chart.")
UNKNOWN_POLL = N_("Unknown poll: this button does not belong to a poll in this server.")
CLOSED_POLL = N_(
    "This poll is closed: votes are no longer counted. `{command}` shows how it ended."
)
POLLS_OFF = N_(
    "Listening polls are switched off in this server. "
    "A moderator can switch them on with `{command}`."
)
RESTARTING = N_("Polls are restarting; try again in a moment.")


@functools.lru_cache(maxsize=256)
def shown_label(label: str) -> str:
    """A track label as shown in a vote reply (the same few labels, thousands of clicks)."""
    return literal(label, 200)


# Rendered once per closed poll / per record: the same answer is asked for again and again, and
# building an embed costs more than the rest of the command. Sent embeds are only read, never changed.
@functools.lru_cache(maxsize=512)
def shown_result(poll: Poll, language: Language) -> discord.Embed:
    final = poll.final
    assert final is not None, "only a closed poll has a result"
    return result_embed(poll, final, language)


@functools.lru_cache(maxsize=512)
def shown_standings(guild_name: str, record: Standings, language: Language) -> discord.Embed:
    return standings_embed(guild_name, record, language)


def vote_text(outcome: VoteOutcome, side: Side, language: Language = ENGLISH) -> str:
    """The private reply to a click, written after the vote is stored (or refused)."""
    poll = outcome.poll
    if outcome.status is VoteStatus.UNKNOWN or poll is None:
        return t(language, UNKNOWN_POLL)
    if outcome.status is VoteStatus.CLOSED:
        return t(language, CLOSED_POLL, command=command_name(language, "poll results"))
    fields = {"side": side_name(language, side), "label": shown_label(poll.side_label(side))}
    if outcome.status is VoteStatus.RECORDED:
        return t(
            language,
            "✅ Your vote is in for **{side}**: {label}. Sides stay hidden until the close; "
            "click the other side to switch.",
            **fields,
        )
    if outcome.status is VoteStatus.MOVED:
        return t(language, "🔁 Your vote moved to **{side}**: {label}.", **fields)
    return t(
        language,
        "You already voted for **{side}**: {label}: nothing changed. "
        "Click the other side to switch.",
        **fields,
    )


def vote_view(
    poll: Poll, *, disabled: bool = False, language: Language = ENGLISH
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for side in SIDES:
        button = VoteButton(poll.id, side, label=vote_button_label(poll, side, language))
        button.item.disabled = disabled
        view.add_item(button)
    return view


class VoteButton(Button, template=VOTE_TEMPLATE):
    def __init__(
        self,
        poll_id: int,
        side: Side,
        *,
        label: str | None = None,
        button: discord.ui.Button[discord.ui.View] | None = None,
    ) -> None:
        if button is None:
            style = discord.ButtonStyle.primary if side == "kpop" else discord.ButtonStyle.success
            button = discord.ui.Button(
                label=label, style=style, custom_id=f"poll:vote:{poll_id}:{side}"
            )
        super().__init__(button)
        self.poll_id = poll_id
        self.side: Side = side

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        side = parse_side(match["side"]) or "kpop"  # the template admits only the two sides
        # Reuse the button discord.py already rebuilt from the message (cheaper than a new one).
        button = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["poll"]), side, button=button)

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog(PollCog.__cog_name__)
        if not isinstance(cog, PollCog):
            raise UserFacingError(RESTARTING)
        await cog.handle_vote(interaction, self.poll_id, self.side)


BUTTONS = ClickNamespace(prefixes=(VOTE_PREFIX,), buttons=(VoteButton,), stale_reply=UNKNOWN_POLL)


class PollCog(commands.Cog, name="Poll"):
    poll = app_commands.Group(
        name="poll",
        description="The K-pop vs classic listening poll.",
        guild_only=True,
    )

    def __init__(self, bot: KpopsBot, matchups: Matchups) -> None:
        self.bot = bot
        self.matchups = matchups
        self.charts = ChartPictures()
        self.matchup_index = MatchupIndex(matchups)  # read by the matchup option (options.py)
        self.store = PollStore(bot.db)
        # Open polls and closed records in memory: /poll results and standings read no database.
        self.board = PollBoard(self.store)
        self.timings = poll_runtime.TIMINGS
        self.batcher = VoteBatcher(
            self.store,
            bot.clock,
            window=self.timings.vote_window,
            on_commit=self.board.committed,
        )
        self.turnout: Debouncer[discord.Interaction[Any]] = Debouncer(
            self._edit_turnout,
            interval=self.timings.turnout_interval,
            settle=self.timings.turnout_settle,
        )
        self.closer = PollCloser(
            bot, self.store, self.board, self.turnout, matchup_of=self._matchup, view_of=vote_view
        )
        self._wake = asyncio.Event()
        self.weekly = WeeklyPolls(
            bot, self.store, self.board, matchups, view_of=vote_view, opened=self._wake.set
        )
        self._closer: asyncio.Task[None] | None = None

    def privacy_hooks(self) -> PrivacyHooks:
        return PollHooks(CachedHooks(self.store, self.board.forget), self.weekly.ledger)

    async def cog_load(self) -> None:
        # Before the gateway connects (setup_hook), so no vote can slip past the load.
        await self.board.load()
        self.bot.add_buttons(BUTTONS)
        self.batcher.start()
        self._closer = asyncio.get_running_loop().create_task(
            self._closer_loop(), name="poll-closer"
        )
        self.weekly.start()

    async def cog_unload(self) -> None:
        await self.weekly.stop()
        if self._closer is not None:
            self._closer.cancel()
            await asyncio.gather(self._closer, return_exceptions=True)
        await self.turnout.close()
        await self.batcher.stop()  # commits whatever was queued
        self.bot.remove_buttons(BUTTONS)

    # ------------------------------------------------------------------ voting
    async def handle_vote(
        self, interaction: discord.Interaction[Any], poll_id: int, side: Side
    ) -> None:
        message_id = interaction.message.id if interaction.message is not None else None
        vote = VoteRequest(poll_id, interaction.guild_id, interaction.user.id, side, message_id)
        future = self.batcher.submit(vote)
        loop = asyncio.get_running_loop()
        deferred: list[asyncio.Task[Any]] = []

        def slow_commit() -> None:
            if not future.done():
                deferred.append(
                    loop.create_task(interaction.response.defer(ephemeral=True, thinking=True))
                )

        timer = loop.call_later(self.timings.ack_budget, slow_commit)
        try:
            outcome = await future
        except Exception:
            # A deferral already on its way must land first, so that the error is reported as
            # its follow-up instead of racing it as a second initial response (40060).
            if deferred:
                await asyncio.gather(deferred[0], return_exceptions=True)
            raise
        finally:
            timer.cancel()
        text = vote_text(outcome, side, reply_locale(interaction))
        if deferred:
            await deferred[0]
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
        if outcome.stored and outcome.poll is not None:
            self.closer.remember_token(poll_id, interaction)
            self.turnout.touch(poll_id, interaction)

    async def _edit_turnout(self, poll_id: int, interaction: discord.Interaction[Any]) -> None:
        """The debounced live edit: the turnout only, through a recent click's token."""
        async with self.closer.lock(poll_id):
            live = self.board.live(poll_id)  # None once the poll closed
            if live is None:
                return
            poll = live.poll
            if poll.message_id is None:
                return
            language = await self._server_language(poll.guild_id)
            embed = poll_embed(poll, self._matchup(poll), turnout=live.turnout, language=language)
            try:
                await interaction.followup.edit_message(poll.message_id, embed=embed)
                self.closer.message_edits += 1
            except discord.HTTPException as exc:
                log.warning("could not update the turnout of poll %s: %s", poll_id, exc)

    async def _server_language(self, guild_id: int) -> Language:
        """The language of a server's public poll messages (English if it is not cached)."""
        guild = self.bot.get_guild(guild_id)
        return ENGLISH if guild is None else await server_language(self.bot, guild)

    def _matchup(self, poll: Poll) -> Matchup | None:
        if poll.matchup_id is None:
            return None
        try:
            return self.matchups.by_id(poll.matchup_id)
        except KeyError:
            return None

    # ------------------------------------------------------------------ closing
    async def _closer_loop(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            try:
                await self.close_due()
                delay = self.timings.check_interval
                deadline = await self.store.next_deadline()
                if deadline is not None:
                    until = (deadline - self.bot.clock.now()).total_seconds()
                    delay = min(delay, max(until, 0.05))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the loop must survive a bad moment
                log.exception("closing due polls failed; retrying later")
                delay = self.timings.check_interval
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass

    async def close_due(self) -> None:
        """Close every poll past its deadline and post what is not posted (see ``closer``)."""
        await self.closer.close_due()

    async def finish(self, poll_id: int, reason: str) -> tuple[Poll, bool] | None:
        return await self.closer.finish(poll_id, reason)

    @property
    def message_edits(self) -> int:
        return self.closer.message_edits

    # ------------------------------------------------------------------ commands
    async def _pick(
        self,
        guild_id: int,
        matchup: Matchup | None,
        kpop: str | None,
        classic: str | None,
        language: Language,
    ) -> tuple[Matchup | None, str, str, bool]:
        """(pairing or None, K-pop label, classic label, whether the rounds started again)."""
        custom = kpop is not None or classic is not None
        if custom and matchup is not None:
            raise UserFacingError(
                "Choose either a `{matchup}` or your own `{kpop}` and `{classic}` tracks, "
                "not both.",
                matchup=option_name(language, "matchup"),
                kpop=option_name(language, "kpop"),
                classic=option_name(language, "classic"),
            )
        if custom:
            kpop_label = clean_pick(kpop or "", CUSTOM_PICK_MAX)
            classic_label = clean_pick(classic or "", CUSTOM_PICK_MAX)
            if not kpop_label or not classic_label:
                raise UserFacingError(
                    "To pit two tracks of your own, give both `{kpop}` and `{classic}` "
                    "(for example: `{kpop}: NewJeans - Super Shy`, `{classic}: Jackson 5 - ABC`).",
                    kpop=option_name(language, "kpop"),
                    classic=option_name(language, "classic"),
                )
            return None, kpop_label, classic_label, False
        if matchup is not None:
            chosen = matchup
            again = False
        else:
            picked = await next_pairing(self.store, self.matchups, guild_id)
            if picked is None:
                raise UserFacingError("There are no pairings to poll on yet.")
            chosen, again = picked
        kpop_label, classic_label = side_labels(chosen)
        return chosen, kpop_label, classic_label, again

    async def _target_channel(
        self, interaction: discord.Interaction[Any], language: Language
    ) -> discord.abc.Messageable:
        guild = interaction.guild
        if guild is None or interaction.guild_id is None:
            # The server is not in the cache yet (the bot is still starting up).
            raise UserFacingError("I'm still starting up in this server: try again in a moment.")
        settings = await ConfigStore(self.bot.db).feature(interaction.guild_id, "poll")
        config_channel = command_name(language, "config channel")
        if settings.channel_id is None:
            channel = interaction.channel
            if not isinstance(channel, discord.abc.Messageable) or channel.id is None:
                raise UserFacingError("I can't post a poll here; try a text channel.")
            mine = interaction.app_permissions  # the bot's permissions here, sent by Discord
            if not (mine.view_channel and mine.send_messages and mine.embed_links):
                raise UserFacingError(
                    "I can't post in this channel: I need View Channel, Send Messages and "
                    "Embed Links here (or set a poll channel with `{command}`).",
                    command=config_channel,
                )
            return channel
        configured = guild.get_channel(settings.channel_id)
        if not isinstance(configured, discord.TextChannel):
            raise UserFacingError(
                "The poll channel set with `{command}` no longer exists: "
                "set a new one, then start the poll again.",
                command=config_channel,
            )
        perms = configured.permissions_for(guild.me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            raise UserFacingError(
                "I can't post in {channel}: I need View Channel, Send Messages and "
                "Embed Links there.",
                channel=configured.mention,
            )
        return configured

    @poll.command(
        name="start",
        description="Start a listening poll: a K-pop track vs the classic it draws on.",
    )
    @app_commands.describe(
        matchup="A pairing from the list (leave empty for the next one not yet used here)",
        kpop="Your own pick: the K-pop track (use with classic)",
        classic="Your own pick: the classic track (use with kpop)",
        hours="How long the poll stays open, 1 to 168 hours (default 24)",
    )
    @moderator_only()
    async def start(
        self,
        interaction: discord.Interaction[KpopsBot],
        matchup: app_commands.Transform[Matchup, MatchupOption] | None = None,
        kpop: str | None = None,
        classic: str | None = None,
        hours: app_commands.Range[int, 1, 168] = 24,
    ) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        reader = reply_locale(interaction)
        if not (await ConfigStore(self.bot.db).feature(guild_id, "poll")).enabled:
            raise UserFacingError(POLLS_OFF, command=command_name(reader, "config toggle"))
        chosen, kpop_label, classic_label, again = await self._pick(
            guild_id, matchup, kpop, classic, reader
        )
        channel = await self._target_channel(interaction, reader)
        channel_id = getattr(channel, "id", None)
        assert isinstance(channel_id, int)
        existing = self.board.open.in_channel(channel_id)  # memory: the board mirrors commits
        if existing is not None:
            raise self._already_open(existing, reader)
        await interaction.response.defer(ephemeral=True, thinking=True)
        public = await self._server_language(guild_id)
        now = self.bot.clock.now()
        try:
            poll = await self.board.create(
                guild_id=guild_id,
                channel_id=channel_id,
                matchup_id=chosen.id if chosen else None,
                kpop_label=kpop_label,
                classic_label=classic_label,
                started_by=interaction.user.id,
                opened_at=now,
                closes_at=now + timedelta(hours=hours),
            )
        except PollAlreadyOpen as exc:
            raise self._already_open(exc.poll, reader) from None
        try:
            message = await channel.send(
                embed=poll_embed(poll, chosen, turnout=0, language=public),
                view=vote_view(poll, language=public),
            )
        except discord.HTTPException as exc:
            await self.board.discard(poll.id, self.bot.clock.now())
            log.warning("poll %s: posting the poll message failed: %s", poll.id, exc)
            raise UserFacingError(
                "I couldn't post the poll in {channel} (Discord said: {status}). "
                "Check my permissions there and try again.",
                channel=channel_mention(channel_id),
                status=exc.status,
            ) from None
        await self.board.set_message(poll, message.id)
        self._wake.set()  # the closer recomputes its next deadline
        text = t(
            reader,
            "Poll started in {channel}: {kpop} vs {classic}. It closes {when} ({relative}).",
            channel=channel_mention(channel_id),
            kpop=literal(kpop_label, 200),
            classic=literal(classic_label, 200),
            when=moment(poll.closes_at),
            relative=moment(poll.closes_at, "R"),
        )
        if again:
            text = t(
                reader,
                "{started} Every pairing has had its round here, so the rounds start again "
                "with the least recent one.",
                started=text,
            )
        await interaction.followup.send(text, ephemeral=True)

    @staticmethod
    def _already_open(existing: Poll | None, language: Language) -> UserFacingError:
        if existing is None:
            return UserFacingError("A poll is already open in that channel.")
        return UserFacingError(
            "A poll is already open in {channel} (it closes {relative}). End it with "
            "`{command}` there first, or set another poll channel.",
            channel=channel_mention(existing.channel_id),
            relative=moment(existing.closes_at, "R"),
            command=command_name(language, "poll end"),
        )

    @poll.command(
        name="results", description="The open poll's turnout and time left, or the last result."
    )
    async def results(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        reader = reply_locale(interaction)
        open_polls = self.board.open_in_guild(guild_id)
        if open_polls:
            here = next(
                (p for p in open_polls if p.poll.channel_id == interaction.channel_id), None
            )
            live = here or open_polls[0]
            embed = open_status_embed(
                live.poll,
                turnout=live.turnout,
                now=self.bot.clock.now(),
                others=[p.poll for p in open_polls if p is not live],
                own_vote=live.vote_of(interaction.user.id),
                language=reader,
            )
            # Private: it may show the member's own vote.
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        last = (await self.board.closed(guild_id)).latest
        if last is None or last.final is None:
            raise UserFacingError(
                "No listening poll has run in this server yet. Moderators start one with "
                "`{command}`.",
                command=command_name(reader, "poll start"),
            )
        await interaction.response.send_message(embed=shown_result(last, reader))

    @poll.command(name="end", description="Close the open poll now and post its result.")
    @moderator_only()
    async def end(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        reader = reply_locale(interaction)
        open_polls = [live.poll for live in self.board.open_in_guild(guild_id)]
        here = next((p for p in open_polls if p.channel_id == interaction.channel_id), None)
        if here is None and len(open_polls) > 1:
            listed = ", ".join(channel_mention(p.channel_id) for p in open_polls[:10])
            raise UserFacingError(
                "Several polls are open ({channels}): run `{command}` in the poll's channel.",
                channels=listed,
                command=command_name(reader, "poll end"),
            )
        target = here or (open_polls[0] if open_polls else None)
        if target is None:
            raise UserFacingError("No poll is open in this server.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        finished = await self.finish(target.id, "ended")
        if finished is None:
            raise UserFacingError("That poll has just closed on its own.")
        closed, posted = finished
        final = closed.final
        assert final is not None
        votes = tn(reader, "{n} vote", "{n} votes", final.total)
        where = channel_mention(closed.channel_id)
        if posted:
            text = t(
                reader,
                "Poll closed early with {votes}. The result is posted in {channel}.",
                votes=votes,
                channel=where,
            )
        else:
            text = t(
                reader,
                "Poll closed early with {votes}. I couldn't post the result in {channel}; "
                "`{command}` shows it.",
                votes=votes,
                channel=where,
                command=command_name(reader, "poll results"),
            )
        await interaction.followup.send(text, ephemeral=True)

    @poll.command(
        name="standings", description="This server's record: K-pop wins, classic wins, ties."
    )
    async def standings_command(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        record = (await self.board.closed(guild_id)).standings
        if record.rounds == 0:
            raise UserFacingError(
                "No listening poll has closed in this server yet, so there are no standings."
            )
        language = reply_locale(interaction)
        name = interaction.guild.name if interaction.guild else t(language, "this server")
        embed = shown_standings(name, record, language).copy()  # the cached one stays as it was
        if not interaction.app_permissions.attach_files:
            # The record still helps without its picture; say what would bring the chart.
            embed.set_footer(text=t(language, NO_CHART))
            await interaction.response.send_message(embed=embed)
            return
        chart = season_chart((await self.board.closed(guild_id)).rounds, language)
        png = await self.charts.get(chart)
        embed.set_image(url=f"attachment://{CHART_FILE}")
        await interaction.response.send_message(
            embed=embed, file=discord.File(io.BytesIO(png), filename=CHART_FILE)
        )


def option_name(language: Language, name: str) -> str:
    """One of /poll start's option names as the reader's Discord shows it."""
    return command_name(language, name).removeprefix("/")
