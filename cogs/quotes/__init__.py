"""/quote: the quote of the day, random quotes, search, and moderators' own quotes.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from cogs.quotes.cog import Quotes
from cogs.quotes.content import load_quotes


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Quotes(bot, load_quotes()))
