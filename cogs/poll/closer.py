"""Closing polls: at the deadline, on /poll end, and for the weekly poll alike.

One place decides how a poll ends: it is closed (soft: rows stay for results and standings), its
message gets disabled buttons and the final bars, the result is posted in its channel, and the
server's closed record (standings, the season chart's data) is dropped from memory (``PollBoard.close``)
so the next read sees the new round. ``/poll end`` and the deadline loop may race for one poll: the board's close
returns the poll only to the first, and a per-poll lock keeps the result from posting twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import discord

from bot.client import KpopsBot
from bot.i18n import Language
from bot.i18n.server import server_language
from cogs.poll.batcher import Debouncer
from cogs.poll.board import PollBoard
from cogs.poll.content import Matchup
from cogs.poll.render import poll_embed, result_embed
from cogs.poll.store import Poll, PollStore

log = logging.getLogger(__name__)

#: Interaction tokens live 15 minutes; older ones are not used for edits.
TOKEN_MAX_AGE = timedelta(minutes=14)

#: Builds a poll's vote buttons (the view lives with the buttons in ``cogs.poll.cog``).
ViewFactory = Callable[..., discord.ui.View]


class PollCloser:
    """Closes polls and announces their results; owns the per-poll edit locks and tokens."""

    def __init__(
        self,
        bot: KpopsBot,
        store: PollStore,
        board: PollBoard,
        turnout: Debouncer[discord.Interaction[Any]],
        *,
        matchup_of: Callable[[Poll], Matchup | None],
        view_of: ViewFactory,
    ) -> None:
        self.bot = bot
        self.store = store
        self.board = board
        self.turnout = turnout
        self.matchup_of = matchup_of
        self.view_of = view_of
        self.message_edits = 0
        self._edit_locks: dict[int, asyncio.Lock] = {}
        self._latest_token: dict[int, discord.Interaction[Any]] = {}

    # ------------------------------------------------------------------ shared state
    def lock(self, poll_id: int) -> asyncio.Lock:
        """One edit of a poll's message at a time (the live turnout, the close)."""
        return self._edit_locks.setdefault(poll_id, asyncio.Lock())

    def remember_token(self, poll_id: int, interaction: discord.Interaction[Any]) -> None:
        self._latest_token[poll_id] = interaction

    def fresh_token(self, poll_id: int) -> discord.Interaction[Any] | None:
        interaction = self._latest_token.get(poll_id)
        if interaction is None:
            return None
        if discord.utils.utcnow() - interaction.created_at > TOKEN_MAX_AGE:
            return None
        return interaction

    # ------------------------------------------------------------------ closing
    async def close_due(self) -> None:
        """Close every poll past its deadline, then post any result not posted yet."""
        for poll in await self.store.due(self.bot.clock.now()):
            await self.finish(poll.id, "deadline")
        for poll in await self.store.unannounced():
            await self.announce(poll)

    async def finish(self, poll_id: int, reason: str) -> tuple[Poll, bool] | None:
        """Close a poll (soft) and announce it; None if it was already closed."""
        closed = await self.board.close(poll_id, self.bot.clock.now(), reason)
        if closed is None:
            return None
        self.turnout.forget(poll_id)
        return closed, await self.announce(closed)

    async def announce(self, poll: Poll) -> bool:
        """Disable the buttons, show the result on the poll message and post it; True if posted.

        A transient failure leaves the poll unannounced for the next pass; a channel that is gone
        or closed to the bot is given up on (retrying would only pile up refused requests).
        """
        final = poll.final
        if final is None:
            return False
        guild = self.bot.get_guild(poll.guild_id)
        if guild is None:
            return False  # not in the cache (unavailable, or the bot left): try again later
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        async with self.lock(poll.id):
            # /poll end and the closer may both reach here: only the first one posts.
            current = await self.store.get(poll.id)
            if current is None or current.announced:
                return current is not None
            if not can_post(guild, poll.channel_id):
                log.warning("poll %s: cannot post the result in %s", poll.id, poll.channel_id)
                await self.store.mark_announced(poll.id)
                return False
            language = await server_language(self.bot, guild)  # a public post stays
            if poll.message_id is not None:
                await self._edit_closed_message(poll, channel, language)
            try:
                await channel.send(embed=result_embed(poll, final, language))
            except (discord.Forbidden, discord.NotFound) as exc:
                log.warning(
                    "poll %s: cannot post the result in %s (%s)", poll.id, poll.channel_id, exc
                )
                await self.store.mark_announced(poll.id)
                return False
            except discord.HTTPException as exc:
                log.warning("poll %s: posting the result failed (%s); will retry", poll.id, exc)
                return False
            await self.store.mark_announced(poll.id)
        self._latest_token.pop(poll.id, None)
        self._edit_locks.pop(poll.id, None)
        return True

    async def _edit_closed_message(
        self, poll: Poll, channel: discord.PartialMessageable, language: Language
    ) -> None:
        assert poll.message_id is not None and poll.final is not None
        embed = poll_embed(
            poll,
            self.matchup_of(poll),
            turnout=poll.final.total,
            final=poll.final,
            language=language,
        )
        view = self.view_of(poll, disabled=True, language=language)
        token = self.fresh_token(poll.id)
        try:
            if token is not None:
                await token.followup.edit_message(poll.message_id, embed=embed, view=view)
            else:
                await channel.get_partial_message(poll.message_id).edit(embed=embed, view=view)
            self.message_edits += 1
        except discord.HTTPException as exc:
            # The result post still goes out; a stale poll message only keeps old buttons, which
            # answer "closed".
            log.warning("poll %s: could not close the poll message (%s)", poll.id, exc)


def can_post(guild: discord.Guild, channel_id: int) -> bool:
    """Whether the bot can post an embed in the channel (it exists, and the bot may)."""
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        return False
    perms = channel.permissions_for(guild.me)
    return perms.view_channel and perms.send_messages and perms.embed_links
