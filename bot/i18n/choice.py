"""Which language to answer in: the member's for replies, the server's for posts that stay."""

from __future__ import annotations

from typing import Any, Literal

import discord

from bot.i18n.catalog import ENGLISH, KOREAN, Language

LanguageSetting = Literal["auto", "en", "ko"]
LANGUAGE_SETTINGS: tuple[LanguageSetting, ...] = ("auto", "en", "ko")


def language_of(locale: discord.Locale | str | None) -> Language:
    """Korean for Discord's Korean locale, English for every other (and for none)."""
    value = locale.value if isinstance(locale, discord.Locale) else locale
    return KOREAN if value == discord.Locale.korean.value else ENGLISH


def reply_locale(interaction: discord.Interaction[Any]) -> Language:
    """The language of a reply to this interaction: the member's own Discord language."""
    return language_of(interaction.locale)


def server_locale(
    setting: str | None, guild_preferred_locale: discord.Locale | str | None
) -> Language:
    """The language of a public post that stays (a poll, a daily post).

    ``setting`` is the server's ``/config language`` choice; "auto" (or nothing stored) follows
    the server's preferred locale in Discord.
    """
    if setting == KOREAN:
        return KOREAN
    if setting == ENGLISH:
        return ENGLISH
    return language_of(guild_preferred_locale)
