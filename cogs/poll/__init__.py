"""/poll: the K-pop vs classic listening poll.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from bot.privacy import PrivacyHooks
from bot.storage import Database
from cogs.poll.cog import PollCog
from cogs.poll.content import load_matchups
from cogs.poll.hooks import PollHooks
from cogs.poll.store import PollStore
from cogs.poll.weekly_store import WeeklyStore


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(PollCog(bot, load_matchups()))


def privacy_hooks(db: Database) -> PrivacyHooks:
    """This feature's member data, for ``python -m bot purge`` (no cog loaded there)."""
    return PollHooks(PollStore(db), WeeklyStore(db))
