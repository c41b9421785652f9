"""/influence: who shaped whom, from Motown to K-pop, over a sourced graph.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from cogs.influence.cog import Influence
from cogs.influence.content import load_influence


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Influence(bot, load_influence()))
