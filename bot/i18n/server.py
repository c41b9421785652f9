"""The language of a server's public posts, from its ``/config language`` setting.

Kept apart from ``bot.i18n``'s package exports because it reads storage, which the pure lookup
machinery must not depend on. Features import it as ``from bot.i18n.server import server_language``.
"""

from __future__ import annotations

from typing import Protocol

import discord

from bot.i18n.catalog import Language
from bot.i18n.choice import server_locale
from bot.storage.config import ConfigStore
from bot.storage.database import Database


class HasDatabase(Protocol):
    """The bot, a ConfigStore, or any store: whatever holds the database."""

    @property
    def db(self) -> Database: ...


async def server_language(bot_or_store: HasDatabase, guild: discord.Guild) -> Language:
    """The language of a public message that stays in ``guild`` (a daily post, a poll).

    The server's ``/config language`` choice; "auto" (the default) follows the server's
    preferred locale in Discord: Korean for ``ko``, English for every other.
    """
    setting = await ConfigStore(bot_or_store.db).language(guild.id)
    return server_locale(setting, guild.preferred_locale)
