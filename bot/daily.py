"""The interface between daily features and the scheduler.

A feature (quote of the day, daily fact) registers a builder under its feature name; the scheduler
decides when each server is due and posts what the builder returns to the configured channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

import discord

DAILY_FEATURES = ("quote", "fact")


@dataclass(frozen=True, slots=True)
class DailyPost:
    """What to post: an embed (and optional plain content)."""

    embed: discord.Embed
    content: str | None = None


# (guild_id, the server's local date) -> the post. The date lets a feature pick "today's" item.
DailyBuilder = Callable[[int, date], Awaitable[DailyPost]]


@dataclass
class DailyRegistry:
    builders: dict[str, DailyBuilder] = field(default_factory=dict)

    def register(self, feature: str, builder: DailyBuilder) -> None:
        if feature not in DAILY_FEATURES:
            raise ValueError(f"unknown daily feature {feature!r}; known: {DAILY_FEATURES}")
        self.builders[feature] = builder

    def unregister(self, feature: str) -> None:
        self.builders.pop(feature, None)
