"""Korean command names and descriptions for Discord, from the same catalogs as the replies.

discord.py asks the tree's ``app_commands.Translator`` for every name, description and choice of
every command, once per Discord locale, when it builds the payload it syncs. Korean entries live
in the catalogs under their own msgctxt (``command-name``, ``command-description``,
``command-choice``) so that a command called "fact" and the word "fact" in a reply can differ.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import discord
from babel.messages.catalog import Catalog
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n.catalog import (
    CHOICE_CONTEXT,
    DESCRIPTION_CONTEXT,
    KOREAN,
    NAME_CONTEXT,
    Language,
    translated,
)

log = logging.getLogger(__name__)

NAME_MAX = 32
DESCRIPTION_MAX = 100
CHOICE_NAME_MAX = 100
LANGUAGE_BY_LOCALE: dict[discord.Locale, Language] = {discord.Locale.korean: KOREAN}
CONTEXT_BY_LOCATION = {
    Where.command_name: NAME_CONTEXT,
    Where.group_name: NAME_CONTEXT,
    Where.parameter_name: NAME_CONTEXT,
    Where.command_description: DESCRIPTION_CONTEXT,
    Where.group_description: DESCRIPTION_CONTEXT,
    Where.parameter_description: DESCRIPTION_CONTEXT,
    Where.choice_name: CHOICE_CONTEXT,
}


def _name_character(ch: str) -> bool:
    # Discord's pattern: [-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]; Python's re has no \p{...}, and
    # the Unicode names of Devanagari and Thai characters start with their script's name.
    if ch in "-_'" or unicodedata.category(ch)[0] in "LN":
        return True
    return unicodedata.name(ch, "").startswith(("DEVANAGARI ", "THAI "))


def is_command_name(text: str) -> bool:
    """True if Discord accepts ``text`` as a slash-command or option name (or its localization).

    Discord's rule (developer docs, "Application Command Naming"): 1-32 characters matching
    ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, in lowercase wherever a letter has one.
    """
    return (
        1 <= len(text) <= NAME_MAX
        and text == text.lower()
        and all(_name_character(ch) for ch in text)
    )


def localized(context: str, msgid: str, language: Language) -> str | None:
    """The catalog's text for one piece of command metadata, or None where Discord should show
    the English: no entry, or an entry Discord would refuse (which is logged)."""
    text = translated(language, msgid, context)
    if text is None:
        return None
    if context == NAME_CONTEXT:
        fits = is_command_name(text)
    else:
        limit = DESCRIPTION_MAX if context == DESCRIPTION_CONTEXT else CHOICE_NAME_MAX
        fits = 1 <= len(text) <= limit
    if not fits:
        log.warning("%s translation of %r is not valid for Discord: %r", context, msgid, text)
        return None
    return text


class CatalogTranslator(app_commands.Translator):
    """Korean ``name_localizations``/``description_localizations`` from the catalogs."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LANGUAGE_BY_LOCALE.get(locale)
        where = CONTEXT_BY_LOCATION.get(context.location)
        if language is None or where is None:
            return None
        return localized(where, string.message, language)


class _Recorder(app_commands.Translator):
    """Notes every string discord.py would ask to translate, and translates none."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[tuple[str, str]] = set()

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        where = CONTEXT_BY_LOCATION.get(context.location)
        if where is not None and locale in LANGUAGE_BY_LOCALE:
            self.asked.add((where, string.message))
        return None


async def command_messages(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None = None
) -> set[tuple[str, str]]:
    """Every (msgctxt, msgid) of command metadata in ``tree``: the catalog entries the commands
    need. Collected the way discord.py builds the payload it syncs, so nothing is missed."""
    recorder = _Recorder()
    for command in tree.get_commands(guild=guild):
        await command.get_translated_payload(tree, recorder)
    return recorder.asked


async def command_template(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None = None
) -> Catalog:
    """The command metadata of ``tree`` as a gettext template, for ``untranslated()`` or a .pot.

    A name with no natural Korean form gets its English as msgstr: the entry says "decided",
    and Discord shows the English (the Translator returns None for an unchanged text).
    """
    template = Catalog(fuzzy=False)
    for context, msgid in sorted(await command_messages(tree, guild)):
        template.add(msgid, context=context)
    return template


def command_name(language: Language, path: str) -> str:
    """A slash command as the reader's Discord shows it: ``command_name("ko", "config modrole")``
    is ``/설정 모더레이터역할``; English (or a word without a valid Korean name) stays as written.

    Built from the catalog's command-name entries, the same ones the sync sends to Discord, so a
    reply that names a command can never disagree with the command list."""
    words = [localized(NAME_CONTEXT, word, language) or word for word in path.split()]
    return "/" + " ".join(words)
