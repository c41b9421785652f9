"""/poll: the K-pop vs classic listening poll.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from cogs.poll.cog import PollCog
from cogs.poll.content import load_matchups


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(PollCog(bot, load_matchups()))
