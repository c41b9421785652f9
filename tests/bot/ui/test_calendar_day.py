"""The one way a calendar day is written."""

from __future__ import annotations

from datetime import date

from bot.ui.style import calendar_day


def test_calendar_day() -> None:
    assert calendar_day(date(2026, 3, 2)) == "Monday 2 March 2026"
