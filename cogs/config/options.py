"""/config options typed by moderators: a time zone and a time of day, each one Transformer.

A Transformer resolves what was typed and (for the time zone) autocompletes it, so the command
receives a checked value and a bad one gets a friendly reply that changes nothing.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import discord
from discord import app_commands

from bot import limits
from bot.errors import UserFacingError
from bot.ui.text import in_code
from cogs.config import timezones

SHOWN_INPUT_MAX = 40

_24_HOUR = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_12_HOUR = re.compile(r"^([0-9]{1,2})(?::([0-9]{2}))?\s*([ap])\.?\s*m\.?$")


def parse_time_of_day(text: str) -> time | None:
    """'09:00', '9:00', '21:30' (24-hour) or '9am', '9:30 pm', '12am' (12-hour); else None."""
    cleaned = text.strip().casefold()
    if len(cleaned) > 12:
        return None
    if match := _24_HOUR.match(cleaned):
        hour, minute = int(match[1]), int(match[2])
    elif match := _12_HOUR.match(cleaned):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "p" else 0)
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TimeOfDayOption(app_commands.Transformer):
    """A time of day: '09:00', '21:30' or '9am'."""

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> time:
        parsed = parse_time_of_day(str(value))
        if parsed is None:
            raise UserFacingError(
                "`{typed}` is not a time kpops-bot understands. Use HH:MM on a 24-hour clock "
                "(for example `09:00` or `18:30`) or a time such as `9am`. Nothing was changed.",
                typed=in_code(str(value), SHOWN_INPUT_MAX),
            )
        return parsed


class TimeZoneOption(app_commands.Transformer):
    """An IANA time zone, typed as its name, a city, a country or an abbreviation (KST)."""

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        typed = str(value)
        name = timezones.resolve(typed)
        if name is not None:
            return name
        suggestions = timezones.search(typed, limit=1)
        shown_typed = in_code(typed, SHOWN_INPUT_MAX)
        if suggestions:
            raise UserFacingError(
                "`{typed}` is not an IANA time zone name. Did you mean `{closest}`? Pick one "
                "from the list as you type (a city, a country or an abbreviation such as KST). "
                "Nothing was changed.",
                typed=shown_typed,
                closest=suggestions[0],
            )
        raise UserFacingError(
            "`{typed}` is not an IANA time zone name. Pick one from the list as you type (a "
            "city, a country or an abbreviation such as KST). Nothing was changed.",
            typed=shown_typed,
        )

    async def autocomplete(  # type: ignore[override] - discord.py types the value loosely
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        now = discord.utils.utcnow()
        clock = getattr(interaction.client, "clock", None)
        if clock is not None:
            now = clock.now()
        return [
            app_commands.Choice(name=timezones.describe(name, now), value=name)
            for name in timezones.search(str(value), limit=limits.AUTOCOMPLETE_MAX_CHOICES)
        ]
