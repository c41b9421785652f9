"""/quote: the quote of the day, random quotes, search, and moderators' own quotes.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from bot.privacy import PrivacyHooks
from bot.storage import Database
from cogs.quotes.cog import Quotes
from cogs.quotes.content import load_quotes
from cogs.quotes.store import QuoteStore


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Quotes(bot, load_quotes()))


def privacy_hooks(db: Database) -> PrivacyHooks:
    """This feature's member data, for ``python -m bot purge`` (no cog loaded there)."""
    return QuoteStore(db)
