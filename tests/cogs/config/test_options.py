"""The time-of-day and time-zone options: what moderators type, and what it becomes."""

from __future__ import annotations

from datetime import time

import pytest

from cogs.config.options import parse_time_of_day
from cogs.config.timezones import resolve


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("09:00", time(9)),
        ("9:00", time(9)),
        ("21:30", time(21, 30)),
        ("9am", time(9)),
        ("9 AM", time(9)),
        ("9:30pm", time(21, 30)),
        ("9:30 p.m.", time(21, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        (" 00:00 ", time(0)),
    ],
)
def test_times_people_type(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize(
    "typed", ["24:00", "12:60", "13pm", "0am", "noon", "09:00:00", "9", "", "`09:00`", "9" * 500]
)
def test_what_is_not_a_time(typed: str) -> None:
    assert parse_time_of_day(typed) is None


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Asia/Seoul", "Asia/Seoul"),
        ("asia/seoul", "Asia/Seoul"),
        ("KST", "Asia/Seoul"),
        ("seoul", "Asia/Seoul"),
        ("SEOUL", "Asia/Seoul"),
        ("Los Angeles", "America/Los_Angeles"),
        ("new york", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("UTC", "UTC"),
    ],
)
def test_zones_by_name_city_or_abbreviation(typed: str, zone: str) -> None:
    assert resolve(typed) == zone


@pytest.mark.parametrize("typed", ["seo", "Mars/Base", "", "@everyone", "한" * 6000])
def test_a_partial_or_unknown_zone_is_not_guessed(typed: str) -> None:
    assert resolve(typed) is None
