"""Time-zone validation and the autocomplete ranking (pure logic; the command is tested in cogs)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cogs.config import timezones

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("seoul", "Asia/Seoul"),
        ("Seoul", "Asia/Seoul"),
        ("KST", "Asia/Seoul"),
        ("korea", "Asia/Seoul"),
        ("서울", "Asia/Seoul"),
        ("los angeles", "America/Los_Angeles"),
        ("Los_Angeles", "America/Los_Angeles"),
        ("pst", "America/Los_Angeles"),
        ("est", "America/New_York"),  # not the fixed-offset 'EST' zone, which ignores summer time
        ("new york", "America/New_York"),
        ("cst", "America/Chicago"),
        ("japan", "Asia/Tokyo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao paulo", "America/Sao_Paulo"),
        ("asia/se", "Asia/Seoul"),
        ("utc", "UTC"),
        ("gmt", "UTC"),
        ("uk", "Europe/London"),
        ("manila", "Asia/Manila"),
    ],
)
def test_search_ranks_what_people_type_first(typed: str, expected: str) -> None:
    assert timezones.search(typed)[0] == expected


def test_search_results_are_valid_zones_within_discord_limits() -> None:
    for typed in ("", "a", "america", "st", "z"):
        found = timezones.search(typed)
        assert 0 < len(found) <= 25
        for name in found:
            ZoneInfo(name)
            assert len(name) <= 100
            assert len(timezones.describe(name, WINTER)) <= 100


@pytest.mark.parametrize(
    "typed", ["x" * 6000, "@everyone", "<@123>", "no such place", "`; DROP TABLE"]
)
def test_hostile_input_matches_nothing(typed: str) -> None:
    assert timezones.search(typed) == []


def test_invisible_characters_are_ignored() -> None:
    assert timezones.search("\u200b\u200b") == timezones.search("")
    assert timezones.search("se\u200boul")[0] == "Asia/Seoul"


def test_empty_input_offers_the_most_used_zones() -> None:
    found = timezones.search("")
    assert found[:4] == ["UTC", "Asia/Seoul", "America/New_York", "America/Los_Angeles"]


def test_host_specific_names_are_not_offered() -> None:
    assert "localtime" not in timezones.zone_index()
    assert "Factory" not in timezones.zone_index()
    assert timezones.canonical_name("localtime") is None


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Asia/Seoul", "Asia/Seoul"),
        ("asia/seoul", "Asia/Seoul"),
        (" America/Los Angeles ", "America/Los_Angeles"),
        ("utc", "UTC"),
        ("seoul", None),  # a search word, not a name: the command suggests Asia/Seoul instead
        ("", None),
        ("x" * 6000, None),
        ("Mars/Olympus_Mons", None),
    ],
)
def test_canonical_name(typed: str, name: str | None) -> None:
    assert timezones.canonical_name(typed) == name


def test_labels_show_the_abbreviation_and_offset_of_the_moment() -> None:
    assert timezones.describe("Asia/Seoul", WINTER) == "Asia/Seoul — KST, UTC+09:00"
    assert timezones.describe("America/New_York", WINTER) == "America/New_York — EST, UTC-05:00"
    assert timezones.describe("America/New_York", SUMMER) == "America/New_York — EDT, UTC-04:00"
    assert timezones.describe("Asia/Kolkata", WINTER) == "Asia/Kolkata — IST, UTC+05:30"
    assert timezones.utc_offset("UTC", WINTER) == "UTC+00:00"


def test_fold_normalises_case_accents_and_separators() -> None:
    assert timezones.fold("São_Paulo") == "sao paulo"
    assert timezones.fold("  America/Los_Angeles ") == "america los angeles"
    assert timezones.fold("se\u200boul") == "seoul"
