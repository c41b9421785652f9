"""The poll feature's data hooks (``bot.privacy``): its polls and votes, and its weekly schedule.

The weekly tables hold no member ids, so they only ever go with the whole server.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.privacy import FeatureData, PrivacyHooks
from bot.storage.database import Tx
from cogs.poll.weekly_store import WeeklyStore


@dataclass(frozen=True, slots=True)
class PollHooks:
    polls: PrivacyHooks
    weekly: WeeklyStore

    @property
    def user_columns(self) -> frozenset[str]:
        return self.polls.user_columns | self.weekly.user_columns

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        return await self.polls.member_data(guild_id, user_id)

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        return await self.polls.delete_member_data(tx, guild_id, user_id)

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        return await self.polls.delete_guild_data(
            tx, guild_id
        ) + await self.weekly.delete_guild_data(tx, guild_id)

    def forget(self, guild_id: int, user_id: int | None) -> None:
        self.polls.forget(guild_id, user_id)
        self.weekly.forget(guild_id, user_id)
