"""/privacy: members see and erase what kpops-bot keeps about them; servers that left are forgotten.

The features' stores provide the data (``bot.privacy.PrivacyHooks``), collected from the loaded
cogs at each use, so a new feature is covered as soon as its cog offers ``privacy_hooks()``.

The delete confirmation is a ``DynamicItem`` whose custom_id carries who asked, whose data it is
and when it expires (``privacy:delete:<caller>:<target>:<expires>``): nothing to remember between
the command and the click, and a click by anyone else, after the expiry, or forged onto another
message deletes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from typing import Any, Self

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_moderator, not_a_moderator
from bot.client import KpopsBot
from bot.errors import UserFacingError, guild_id_of
from bot.i18n import Language, reply_locale, t
from bot.privacy import FeatureData, PrivacyHooks, delete_guild, delete_member, hooks_of_cogs
from bot.storage.config import ConfigStore
from bot.ui.buttons import Button, ClickNamespace
from bot.views import static_view
from cogs.privacy import render

log = logging.getLogger(__name__)

CONFIRM_TTL = timedelta(minutes=5)
#: How often servers past the retention are looked for (the clock decides what is past it).
PURGE_INTERVAL_SECONDS = 3600.0
CUSTOM_ID_PREFIX = "privacy:"
CONFIRM_TEMPLATE = (
    r"privacy:delete:(?P<caller>[0-9]{1,20}):(?P<target>[0-9]{1,20}):(?P<expires>[0-9]{1,11})"
)


class ConfirmDelete(Button, template=CONFIRM_TEMPLATE):
    def __init__(
        self, caller_id: int, target_id: int, expires: int, language: Language = "en"
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=t(language, render.CONFIRM_LABEL),
                style=discord.ButtonStyle.danger,
                custom_id=f"privacy:delete:{caller_id}:{target_id}:{expires}",
            )
        )
        self.caller_id = caller_id
        self.target_id = target_id
        self.expires = expires

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        return cls(int(match["caller"]), int(match["target"]), int(match["expires"]))

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog(Privacy.__cog_name__)
        if not isinstance(cog, Privacy):
            raise UserFacingError(render.NOT_LOADED)
        await cog.confirm(interaction, self.caller_id, self.target_id, self.expires)


BUTTONS = ClickNamespace(
    prefixes=(CUSTOM_ID_PREFIX,), buttons=(ConfirmDelete,), stale_reply=render.UNKNOWN_BUTTON
)


class Privacy(commands.Cog):
    privacy = app_commands.Group(
        name="privacy",
        description="See or delete what kpops-bot keeps about you in this server.",
        guild_only=True,
    )

    def __init__(self, bot: KpopsBot) -> None:
        self.bot = bot
        self.config = ConfigStore(bot.db)
        self._purger: asyncio.Task[None] | None = None
        self._policy_url: str | None = None
        self._policy_known = False

    async def cog_load(self) -> None:
        self.bot.add_buttons(BUTTONS)
        self._purger = asyncio.get_running_loop().create_task(
            self._purge_loop(), name="privacy-retention"
        )

    async def cog_unload(self) -> None:
        self.bot.remove_buttons(BUTTONS)
        if self._purger is not None:
            self._purger.cancel()
            await asyncio.gather(self._purger, return_exceptions=True)

    # ------------------------------------------------------------------ helpers
    def hooks(self) -> list[PrivacyHooks]:
        return hooks_of_cogs(self.bot.cogs.values())

    async def member_data(self, guild_id: int, user_id: int) -> list[FeatureData]:
        return [await hooks.member_data(guild_id, user_id) for hooks in self.hooks()]

    async def policy_url(self) -> str | None:
        """The privacy policy link set in the Discord Developer Portal, asked for once."""
        if not self._policy_known:
            try:
                info = await self.bot.application_info()
            except discord.HTTPException as exc:
                log.warning("could not read the application's privacy policy link: %s", exc.status)
                return None
            self._policy_url, self._policy_known = info.privacy_policy_url, True
        return self._policy_url

    # ------------------------------------------------------------------ /privacy show
    @privacy.command(name="show", description="See what kpops-bot keeps about you in this server.")
    async def show(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, render.SERVERS_ONLY)
        data = await self.member_data(guild_id, interaction.user.id)
        language = reply_locale(interaction)
        embed = render.show_embed(data, await self.policy_url(), language, own=True)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # ------------------------------------------------------------------ /privacy delete
    @privacy.command(
        name="delete",
        description="Delete what kpops-bot keeps about you in this server (you confirm first).",
    )
    @app_commands.describe(
        member="Moderators only: a member (one who left, too) whose data to delete"
    )
    async def delete(
        self, interaction: discord.Interaction[KpopsBot], member: discord.User | None = None
    ) -> None:
        guild_id = guild_id_of(interaction, render.SERVERS_ONLY)
        caller = interaction.user.id
        target = caller if member is None else member.id
        own = target == caller
        if not own and not await is_moderator(interaction):
            raise not_a_moderator(reply_locale(interaction))
        data = await self.member_data(guild_id, target)
        language = reply_locale(interaction)
        if all(d.empty for d in data):
            await interaction.response.send_message(
                render.nothing_to_delete(language, own=own), ephemeral=True
            )
            return
        expires = self.bot.clock.now() + CONFIRM_TTL
        button = ConfirmDelete(caller, target, int(expires.timestamp()), language)
        embed = render.confirm_embed(data, language, own=own, expires=expires)
        await interaction.response.send_message(
            embed=embed, view=static_view([button]), ephemeral=True
        )

    async def confirm(
        self, interaction: discord.Interaction[Any], caller: int, target: int, expires: int
    ) -> None:
        guild_id = guild_id_of(interaction, render.SERVERS_ONLY)
        if interaction.user.id != caller:
            raise UserFacingError(render.NOT_YOURS)
        now = self.bot.clock.now()
        deadline = datetime.fromtimestamp(expires, now.tzinfo)
        # A deadline further away than any real button's was forged: refused like an expired one.
        if not now < deadline <= now + CONFIRM_TTL:
            raise UserFacingError(render.EXPIRED)
        if target != caller and not await is_moderator(interaction):
            raise not_a_moderator(reply_locale(interaction))
        removed = await delete_member(self.bot.db, self.hooks(), guild_id, target)
        log.info(
            "deleted the data of member %s in guild %s (asked by %s)", target, guild_id, caller
        )
        embed = render.deleted_embed(removed, reply_locale(interaction))
        await interaction.response.edit_message(embed=embed, view=None)

    # ------------------------------------------------------------------ servers that left
    async def purge_expired(self) -> list[int]:
        """Delete every server that removed the bot longer ago than GUILD_RETENTION_DAYS."""
        cutoff = self.bot.clock.now() - timedelta(days=self.bot.settings.guild_retention_days)
        purged: list[int] = []
        for guild_id in await self.config.left_before(cutoff):
            rows = await delete_guild(
                self.bot.db,
                self.hooks(),
                guild_id,
                still_due=lambda tx, g=guild_id: ConfigStore.still_left_before(tx, g, cutoff),
            )
            if rows is not None:
                purged.append(guild_id)
                log.info("forgot guild %s (%d rows): it removed kpops-bot", guild_id, rows)
        return purged

    async def _purge_loop(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            try:
                await self.purge_expired()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the loop must survive a bad moment
                log.exception("purging servers past the retention failed; retrying later")
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)
