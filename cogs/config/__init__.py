"""/config: moderators set kpops-bot up for their server.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from cogs.config.cog import Config


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Config(bot))
