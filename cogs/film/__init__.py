"""/film: the film card, sourced facts and trivia with a leaderboard, and the daily fact.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from bot.privacy import PrivacyHooks
from bot.storage import Database
from cogs.film.cog import FilmCog
from cogs.film.content import load_film
from cogs.film.store import FilmStore


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(FilmCog(bot, load_film()))


def privacy_hooks(db: Database) -> PrivacyHooks:
    """This feature's member data, for ``python -m bot purge`` (no cog loaded there)."""
    return FilmStore(db)
