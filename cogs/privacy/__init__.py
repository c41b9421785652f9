"""/privacy: members see and delete what kpops-bot keeps about them; servers that left are forgotten.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from cogs.privacy.cog import Privacy


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Privacy(bot))
