"""/config: moderators set kpops-bot up for their server.

Everything this feature owns lives in this package; ``setup`` is what discovery loads.
"""

from __future__ import annotations

from bot.client import KpopsBot
from bot.privacy import PrivacyHooks
from bot.storage import Database
from bot.storage.config import ConfigStore
from cogs.config.cog import Config


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Config(bot))


def privacy_hooks(db: Database) -> PrivacyHooks:
    """This feature's member data, for ``python -m bot purge`` (no cog loaded there)."""
    return ConfigStore(db)
