"""``/config language``: the language of a server's public posts, in words a moderator reads.

Kept beside the cog so that /config's other settings and this one change independently. Replies
follow the moderator's own Discord language; the setting decides only what stays in the server
(daily posts, polls, trivia questions), through ``bot.i18n.server.server_language``.
"""

from __future__ import annotations

import discord
from discord.app_commands import Choice

from bot.i18n import ENGLISH, KOREAN, LANGUAGE_SETTINGS, N_, Language, server_locale, t

# Static choices: their names are translated at sync by the tree's Translator (msgctxt entries).
LANGUAGE_CHOICES = [
    Choice(name="Automatic: the server's Discord language", value="auto"),
    Choice(name="English", value=ENGLISH),
    Choice(name="Korean", value=KOREAN),
]

LANGUAGE_FIELD = N_("Public posts language")
ENGLISH_NAME = N_("English")
KOREAN_NAME = N_("Korean")
AUTOMATIC = N_("Automatic: the server's Discord language (now {language})")
NOW_FIXED = N_(
    "Public posts (daily posts, polls, trivia) are in {language} from now on. Replies still "
    "follow each member's own Discord language."
)
NOW_AUTOMATIC = N_(
    "Public posts (daily posts, polls, trivia) now follow the server's Discord language "
    "(now {language}). Replies still follow each member's own Discord language."
)
ALREADY = N_("That is already the setting: {setting}. Nothing was changed.")
NOT_A_SETTING = N_("Choose auto, en or ko. Nothing was changed.")


def is_setting(value: str) -> bool:
    return value in LANGUAGE_SETTINGS


def language_name(reader: Language, language: Language) -> str:
    """``language``'s name, written in the reader's language."""
    if language == KOREAN:
        return t(reader, KOREAN_NAME)
    return t(reader, ENGLISH_NAME)


def describe_setting(reader: Language, setting: str, guild: discord.Guild) -> str:
    """A setting as /config show and the replies state it: "Korean", "Automatic: … (now English)"."""
    posts_in = server_locale(setting, guild.preferred_locale)
    if setting == "auto":
        return t(reader, AUTOMATIC, language=language_name(reader, posts_in))
    return language_name(reader, posts_in)


def changed_reply(reader: Language, setting: str, guild: discord.Guild) -> str:
    posts_in = language_name(reader, server_locale(setting, guild.preferred_locale))
    if setting == "auto":
        return t(reader, NOW_AUTOMATIC, language=posts_in)
    return t(reader, NOW_FIXED, language=posts_in)


def unchanged_reply(reader: Language, setting: str, guild: discord.Guild) -> str:
    return t(reader, ALREADY, setting=describe_setting(reader, setting, guild))
