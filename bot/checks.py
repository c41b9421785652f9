"""Who may do what, checked at run time (Discord's default_member_permissions can be overridden)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.i18n import N_, Language, command_name, reply_locale
from bot.storage.config import ConfigStore

NOT_A_MODERATOR = N_(
    "Only moderators can do that: you need Manage Server, Administrator, "
    "or the moderator role set with `{command}`."
)


def not_a_moderator(language: Language) -> UserFacingError:
    """The refusal, naming /config modrole as the reader's Discord shows it (/설정 모더레이터역할)."""
    return UserFacingError(NOT_A_MODERATOR, command=command_name(language, "config modrole"))


async def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server or Administrator in this channel, or the configured moderator role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    perms = interaction.permissions  # the member's permissions in this channel, from Discord
    if perms.administrator or perms.manage_guild:
        return True
    role_id = await ConfigStore(interaction.client.db).mod_role(interaction.guild_id)
    return role_id is not None and any(r.id == role_id for r in interaction.user.roles)


def moderator_only() -> Any:
    """An app-command check: refuses non-moderators with a friendly ephemeral reply."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        if await is_moderator(interaction):
            return True
        raise not_a_moderator(reply_locale(interaction))

    # Marked so /help can flag moderator sub-commands of mixed groups such as /quote, where Discord
    # applies default_member_permissions only to the whole top-level command.
    predicate.moderator_only = True  # type: ignore[attr-defined]
    return app_commands.check(predicate)


def requires_moderator(command: app_commands.Command[Any, ..., Any]) -> bool:
    """True for a command guarded by :func:`moderator_only` or hidden behind Manage Server."""
    root = command.root_parent or command
    hidden = root.default_permissions is not None and bool(root.default_permissions.value)
    return hidden or any(getattr(check, "moderator_only", False) for check in command.checks)
