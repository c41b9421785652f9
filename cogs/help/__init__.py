"""/help: every command and what it does, generated from the command tree.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from cogs.help.cog import Help


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Help(bot))
