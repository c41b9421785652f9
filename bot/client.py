"""The bot class: thin on purpose. Features live in cogs/, state in bot.storage."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import pkgutil
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

import cogs
from bot.clock import Clock, SystemClock
from bot.connection import install_log_filter
from bot.content.common import ContentError, content_failure
from bot.daily import DailyRegistry
from bot.errors import report_error, send_ephemeral
from bot.health import heartbeat
from bot.i18n import N_, CatalogTranslator, reply_locale, t
from bot.invite import ready_line
from bot.settings import Settings
from bot.shards import NotOwnedError, assert_owns, recommended_shard_count
from bot.storage import Database, MetaStore
from bot.ui.buttons import ClickNamespace, clicked_custom_id

log = logging.getLogger(__name__)

UNKNOWN_BUTTON = N_("That button doesn't work any more: run the command again for a fresh one.")


def use_endpoints(api_base: str, gateway_url: str) -> None:
    """Point discord.py at a REST/gateway proxy or the local emulator (its documented class settings)."""
    Route.BASE = api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def extension_names() -> list[str]:
    """Every cog module in the cogs package, found by walking it (no hand-kept list)."""
    return sorted(
        f"{cogs.__name__}.{mod.name}"
        for mod in pkgutil.iter_modules(cogs.__path__)
        if not mod.name.startswith("_")
    )


class OwnedTree(app_commands.CommandTree["KpopsBot"]):
    """The command tree, refusing any command or autocomplete for a server this process does not
    hold (Discord never sends one; a routing bug must not touch another process's memory)."""

    async def interaction_check(self, interaction: discord.Interaction[KpopsBot], /) -> bool:
        return self.client.check_owned(interaction.guild_id, interaction)


class KpopsBot(commands.AutoShardedBot):
    """discord.py's own sharding: one process holds SHARD_IDS of SHARD_COUNT (by default every
    shard, at Discord's recommended count)."""

    db: Database
    meta: MetaStore

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        catch_up_at_start: bool = True,
        **options: Any,
    ) -> None:
        # Only the GUILDS intent: channels and roles for configuration. No privileged intents,
        # no member cache; interactions arrive without any intent.
        intents = discord.Intents.none()
        intents.guilds = True
        options.setdefault("guild_ready_timeout", 2.0)
        # A text-only bot: the voice-library warnings would only alarm self-hosters.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        install_log_filter()  # one line per failed reconnect, not a traceback
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
        if settings.shard_ids is not None:
            options.setdefault("shard_ids", list(settings.shard_ids))
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            max_messages=None,
            tree_cls=OwnedTree,
            **options,
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        #: The daily scheduler runs once as soon as the gateway is ready, not a minute later.
        self.catch_up_at_start = catch_up_at_start
        self.synced: bool | None = None  # None until the start-up sync check has run
        self.force_sync = False  # set by `python -m bot sync`
        self.freeze_gc = False  # set by `python -m bot` (one bot per process, unlike the tests)
        self._heartbeat: asyncio.Task[None] | None = None
        self.daily = DailyRegistry()  # daily features register here; the scheduler posts them
        self._click_namespaces: dict[str, ClickNamespace] = {}
        self._login_started = False
        #: Interactions that reached this process for a server it does not hold (always a bug).
        self.ownership_errors: list[NotOwnedError] = []

    def check_owned(self, guild_id: int | None, interaction: discord.Interaction[Any]) -> bool:
        """False (logged loudly, recorded) when ``guild_id`` belongs to another process's shard."""
        try:
            assert_owns(self, guild_id)
        except NotOwnedError as exc:
            self.ownership_errors.append(exc)
            log.error("refusing interaction %s: %s", interaction.id, exc)
            return False
        return True

    async def open_storage(self) -> None:
        """Open the database (and apply migrations); done before connecting so a bad file fails fast."""
        if getattr(self, "db", None) is None:
            self.db = await Database.open(self.settings.database)
            self.meta = MetaStore(self.db)

    async def resolve_shard_count(self) -> None:
        """No SHARD_COUNT: ask Discord for its recommended count ourselves, before discord.py would,
        so the gateway stays the configured DISCORD_GATEWAY_URL (discord.py would switch to the
        URL /gateway/bot names) and the request goes through DISCORD_API_BASE like every other."""
        if self.shard_count is None:
            self.shard_count = await recommended_shard_count(
                self.settings.api_base, self.settings.token
            )

    async def setup_hook(self) -> None:
        await self.open_storage()
        await self.resolve_shard_count()
        for name in extension_names():
            try:
                await self.load_extension(name)
            except commands.ExtensionFailed as exc:
                # Content that cannot load stops the bot with one line, whichever feature it is.
                if isinstance(exc.original, ContentError | OSError | ValueError):
                    await self.close()  # the database thread would keep the process alive
                    raise ContentError(content_failure(name, exc.original)) from exc.original
                raise
        self.tree.on_error = report_error
        await self.tree.set_translator(CatalogTranslator())  # Korean names and descriptions
        self.synced = await self.sync_commands(force=self.force_sync)
        self._heartbeat = asyncio.create_task(heartbeat(self, self.meta), name="gateway-heartbeat")
        if self.freeze_gc:
            # What start-up loaded (content, search indexes, the command tree) lives as long as
            # the process: keep it out of the garbage collector's full scans, which a burst of
            # interactions triggers again and again (benchmarks/vote_storm.py: ~5-10% of the
            # CPU per vote). Not in tests: they start many bots in one process.
            gc.collect()
            gc.freeze()

    async def on_ready(self) -> None:
        log.info("%s", ready_line(self))

    # ------------------------------------------------------------------ command sync
    def _sync_target(self) -> discord.Object | None:
        dev = self.settings.dev_guild_id
        return discord.Object(dev) if dev else None

    async def command_payload(
        self, guild: discord.abc.Snowflake | None = None
    ) -> list[dict[str, Any]]:
        """What a sync sends, localizations included (so a changed translation re-syncs)."""
        commands = self.tree.get_commands(guild=guild)
        translator = self.tree.translator
        if translator is None:
            return [cmd.to_dict(self.tree) for cmd in commands]
        return [await cmd.get_translated_payload(self.tree, translator) for cmd in commands]

    async def sync_commands(self, *, force: bool) -> bool:
        """Sync the command tree if it changed since the last successful sync (or if forced).

        A development guild (DEV_GUILD_ID) gets the commands at once as guild commands.
        """
        target = self._sync_target()
        if target is not None:
            self.tree.copy_global_to(guild=target)
        scope = "global" if target is None else f"guild:{target.id}"
        payload = await self.command_payload(target)
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        if not force and await self.meta.command_hash(scope) == digest:
            log.info("command tree unchanged since the last sync (%s); not syncing", scope)
            return False
        synced = await self.tree.sync(guild=target)
        await self.meta.set_command_hash(scope, digest)
        log.info("synced %d commands (%s)", len(synced), scope)
        return True

    # ------------------------------------------------------------------ buttons
    def add_buttons(self, namespace: ClickNamespace) -> None:
        """Register a feature's buttons, and its answer to clicks none of them will take.

        discord.py silently drops a click whose custom_id matches no button template or is not
        on the clicked message (forged, garbled, or from a removed button); the member would see
        "This interaction failed". One listener for the whole bot (not one per cog: every
        listener is a task on every interaction) answers such clicks by prefix.
        """
        super().add_dynamic_items(*namespace.buttons)
        for prefix in namespace.prefixes:
            self._click_namespaces[prefix] = namespace

    def remove_buttons(self, namespace: ClickNamespace) -> None:
        super().remove_dynamic_items(*namespace.buttons)
        for prefix in namespace.prefixes:
            self._click_namespaces.pop(prefix, None)

    def _namespace_of(self, custom_id: str) -> ClickNamespace | None:
        for prefix, namespace in self._click_namespaces.items():
            if custom_id.startswith(prefix):
                return namespace
        return None

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        if not self.check_owned(interaction.guild_id, interaction):
            return
        custom_id = clicked_custom_id(interaction)
        namespace = None if custom_id is None else self._namespace_of(custom_id)
        if custom_id is not None and namespace is not None:
            if not namespace.answers(interaction, custom_id):
                await namespace.refuse(interaction)
            return
        persistent = custom_id is not None and any(
            getattr(item, "custom_id", None) == custom_id
            for view in self.persistent_views
            for item in view.children
        )
        if not persistent:
            await send_ephemeral(interaction, t(reply_locale(interaction), UNKNOWN_BUTTON))

    async def login(self, token: str) -> None:
        self._login_started = True
        await super().login(token)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        # AutoShardedClient.close() needs what login() sets up first; before it (a database that
        # cannot open) there is no HTTP session or gateway to close, only the database.
        if self._login_started:
            await super().close()
        db = getattr(self, "db", None)
        if db is not None:
            await db.close()
