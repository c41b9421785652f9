"""The interface between daily features and the scheduler.

A feature (quote of the day, daily fact) registers a builder under its feature name; the scheduler
decides when each server is due and posts what the builder returns to the configured channel. The
framing around the feature's content (the post's title: "Quote of the day · Monday 2 March 2026")
is said here, once for every feature, in the server's language (``/config language``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

import discord

from bot.i18n import N_, Language, t
from bot.ui.style import calendar_day

DAILY_FEATURES = ("quote", "fact")
QUOTE_OF_THE_DAY = N_("Quote of the day · {day}")
FACT_OF_THE_DAY = N_("Fact of the day · {day}")


@dataclass(frozen=True, slots=True)
class DailyPost:
    """What to post: an embed (and optional plain content). The scheduler gives the embed its
    title (:func:`daily_title`); a builder that needs the server's language for its content calls
    ``bot.i18n.server.server_language``."""

    embed: discord.Embed
    content: str | None = None


# (guild_id, the server's local date) -> the post. The date lets a feature pick "today's" item.
DailyBuilder = Callable[[int, date], Awaitable[DailyPost]]


def daily_title(language: Language, feature: str, day: date) -> str:
    """The title of a feature's daily post for the server's local ``day``."""
    day_text = calendar_day(day, language)
    if feature == "quote":
        return t(language, QUOTE_OF_THE_DAY, day=day_text)
    return t(language, FACT_OF_THE_DAY, day=day_text)


def framed(post: DailyPost, language: Language, feature: str, day: date) -> DailyPost:
    """``post`` with the bot's own framing in ``language``. The embed is copied: builders may
    hand out an embed they keep (a rendered fact is cached)."""
    embed = post.embed.copy()
    embed.title = daily_title(language, feature, day)
    return DailyPost(embed=embed, content=post.content)


@dataclass
class DailyRegistry:
    builders: dict[str, DailyBuilder] = field(default_factory=dict)

    def register(self, feature: str, builder: DailyBuilder) -> None:
        if feature not in DAILY_FEATURES:
            raise ValueError(f"unknown daily feature {feature!r}; known: {DAILY_FEATURES}")
        self.builders[feature] = builder

    def unregister(self, feature: str) -> None:
        self.builders.pop(feature, None)
