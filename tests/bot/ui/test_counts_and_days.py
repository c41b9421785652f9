"""Counts with their nouns in the right number, and the one way a calendar day is written."""

from __future__ import annotations

from datetime import date

from bot.ui.style import calendar_day
from bot.ui.text import counted


def test_counted_agrees_in_number() -> None:
    assert counted(1, "fact") == "1 fact"
    assert counted(0, "fact") == "0 facts"
    assert counted(2, "match", "matches") == "2 matches"
    assert counted(1200, "second") == "1,200 seconds"


def test_calendar_day() -> None:
    assert calendar_day(date(2026, 3, 2)) == "Monday 2 March 2026"
