"""What users see when something goes wrong: a friendly ephemeral line with a reference code.

The traceback goes to the log under the same code; raw exception text never reaches Discord.
Every line is a catalog message, shown in the member's own language (bot.i18n).
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.i18n import N_, Language, format_number, reply_locale, t

log = logging.getLogger("bot.errors")
_NOT_A_NAME = re.compile(r"[^A-Za-z0-9_:]")

MODERATORS_ONLY = N_("Only moderators can use this command.")
SLOW_DOWN = N_("Slow down a little: try again in {seconds}s.")
SERVERS_ONLY = N_("This command works in servers only.")
SOMETHING_WENT_WRONG = N_(
    "Sorry, something went wrong on our side. If it keeps happening, tell a moderator "
    "the reference code `{code}`."
)


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is written for the user (bad input, missing setup, not allowed).

    ``message`` is a catalog msgid with ``{fields}``; the reply shows it in the member's language.
    ``str(error)`` is the English, for logs. ``view`` (optional) goes with the reply, e.g.
    buttons offering the closest names for one that was not found.
    """

    def __init__(
        self, message: str, /, *, view: discord.ui.View | None = None, **fields: Any
    ) -> None:
        self.message = message
        self.fields = fields
        self.view = view
        super().__init__(message.format(**fields) if fields else message)

    def text(self, language: Language) -> str:
        return t(language, self.message, **self.fields)


def guild_id_of(interaction: discord.Interaction[Any], refusal: str = SERVERS_ONLY) -> int:
    """The server an interaction came from; outside one, ``refusal`` (a msgid) is the reply."""
    if interaction.guild_id is None:
        raise UserFacingError(refusal)
    return interaction.guild_id


def reference_code() -> str:
    return secrets.token_hex(3).upper()


async def send_ephemeral(
    interaction: discord.Interaction[Any], text: str, view: discord.ui.View | None = None
) -> None:
    """Reply privately, whether or not the interaction was already acknowledged."""
    extra: dict[str, Any] = {} if view is None else {"view": view}
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, **extra)
        else:
            await interaction.response.send_message(text, ephemeral=True, **extra)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction %s)", interaction.id)


def describe(interaction: discord.Interaction[Any]) -> str:
    """What failed, for the log: the command's name, or a button's custom_id namespace only (a
    modified client can put any text in a custom_id, and logs keep nothing members wrote)."""
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data = interaction.data or {}
    namespace = ":".join(str(data.get("custom_id", "?")).split(":")[:2])
    return f"component {_NOT_A_NAME.sub('', namespace)[:40]!r}"


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer any failed interaction; unexpected errors are logged with a reference code."""
    original = getattr(error, "original", error)
    language = reply_locale(interaction)
    if isinstance(original, UserFacingError):
        await send_ephemeral(interaction, original.text(language), original.view)
        return
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        await send_ephemeral(interaction, t(language, MODERATORS_ONLY))
        return
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = format_number(language, round(error.retry_after))
        await send_ephemeral(interaction, t(language, SLOW_DOWN, seconds=seconds))
        return
    code = reference_code()
    log.error(
        "%s failed for user %s in guild %s [ref %s]",
        describe(interaction),
        interaction.user.id,
        interaction.guild_id,
        code,
        exc_info=original,
    )
    await send_ephemeral(interaction, t(language, SOMETHING_WENT_WRONG, code=code))
