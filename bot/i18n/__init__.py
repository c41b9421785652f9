"""The bot in English and Korean: gettext catalogs read with Babel, one lookup for every string.

Use (see docs/i18n.md)::

    from bot.i18n import N_, reply_locale, t, tn

    language = reply_locale(interaction)              # "ko" for Korean Discord, else "en"
    await interaction.response.send_message(t(language, "Poll closed: {title}", title=title))
    tn(language, "{n} vote", "{n} votes", count)      # "1 vote", "2 votes"; "2표"

English is the msgid; Korean comes from ``bot/locales/ko.po`` and ``cogs/<feature>/locales/ko.po``.
"""

from bot.i18n.catalog import (
    ENGLISH,
    KOREAN,
    TRANSLATED,
    CatalogConflict,
    Language,
    catalog_files,
    merged_catalog,
    translated,
)
from bot.i18n.choice import (
    LANGUAGE_SETTINGS,
    LanguageSetting,
    language_of,
    reply_locale,
    server_locale,
)
from bot.i18n.messages import N_, format_day, format_number, t, tn
from bot.i18n.translator import (
    CatalogTranslator,
    command_messages,
    command_name,
    is_command_name,
)

__all__ = [
    "ENGLISH",
    "KOREAN",
    "LANGUAGE_SETTINGS",
    "TRANSLATED",
    "CatalogConflict",
    "CatalogTranslator",
    "Language",
    "LanguageSetting",
    "N_",
    "catalog_files",
    "command_messages",
    "command_name",
    "format_day",
    "format_number",
    "is_command_name",
    "language_of",
    "merged_catalog",
    "reply_locale",
    "server_locale",
    "t",
    "tn",
    "translated",
]
