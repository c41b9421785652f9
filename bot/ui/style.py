"""The brand: one colour for every card, one for what has closed, and how moments are shown."""

from __future__ import annotations

from datetime import date, datetime

import discord
from babel.dates import format_date

from bot.i18n import ENGLISH, Language

BRAND = discord.Colour.from_rgb(255, 94, 154)  # the film's poster pink
CLOSED = discord.Colour.from_rgb(120, 120, 140)  # a poll or question that has ended
BRAND_FOOTER = "K-Pops!"


def card(
    title: str | None = None, description: str | None = None, *, closed: bool = False
) -> discord.Embed:
    """An embed in the brand style (the caller keeps each text within Discord's limits)."""
    return discord.Embed(title=title, description=description, colour=CLOSED if closed else BRAND)


def moment(when: datetime, style: discord.utils.TimestampStyle = "f") -> str:
    """A moment every reader sees in their own time zone and language."""
    return discord.utils.format_dt(when, style)


def calendar_day(day: date, language: Language = ENGLISH) -> str:
    """A calendar day where a timestamp cannot render (titles, footers): Wednesday 2 December
    2026, 2026년 12월 2일 수요일 (a server's local day, so not a Discord timestamp, which each
    reader would shift)."""
    if language == ENGLISH:
        return f"{day:%A} {day.day} {day:%B %Y}"
    return format_date(day, "full", locale=language)
