"""Tests for the matchups loader and checker, on the real file and on small broken tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.content.common import Problem, Source, read_toml
from cogs.poll.content import (
    CONNECTIONS,
    DEFAULT_PATH,
    LABEL_MAX,
    NOTE_MAX,
    Matchup,
    Matchups,
    Track,
    check_matchups,
    check_matchups_korean,
    load_matchups,
    normalized,
)

FILE = "matchups.toml"


def _track(**overrides: Any) -> dict[str, Any]:
    track: dict[str, Any] = {
        "title": "I Want You Back",
        "artist": "TWICE",
        "year": 2018,
        "listen": "https://music.youtube.com/search?q=TWICE+I+Want+You+Back",
    }
    track.update(overrides)
    return track


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "twice-test-pairing",
        "connection": "cover",
        "note": "A cover of the Jackson 5 hit.",
        "kpop": _track(),
        "classic": _track(
            artist="The Jackson 5",
            year=1969,
            listen="https://music.youtube.com/search?q=The+Jackson+5+I+Want+You+Back",
        ),
        "source": {
            "url": "https://example.com/article",
            "publication": "Example Magazine",
            "date": "2018-06",
        },
    }
    entry.update(overrides)
    return entry


def _raw(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"matchups": list(entries)}


def _messages(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


def _check(*entries: dict[str, Any]) -> str:
    return _messages(check_matchups(_raw(*entries), FILE))


# --- the real file ---------------------------------------------------------------------------


def test_real_file_loads() -> None:
    matchups = load_matchups()
    assert isinstance(matchups, Matchups)
    assert len(matchups) >= 11
    assert all(isinstance(item, Matchup) for item in matchups.items)
    assert all(
        isinstance(item.kpop, Track) and isinstance(item.classic, Track) for item in matchups
    )


def test_real_file_has_no_problems() -> None:
    assert check_matchups(read_toml(DEFAULT_PATH), DEFAULT_PATH.name) == []


def test_real_file_by_id() -> None:
    matchups = load_matchups()
    twice = matchups.by_id("twice-jackson5-i-want-you-back")
    assert twice.connection == "cover"
    assert twice.classic.artist == "The Jackson 5"
    assert twice.classic.year == 1969
    assert isinstance(twice.source, Source)
    with pytest.raises(KeyError):
        matchups.by_id("no-such-pairing")


def test_real_file_alleged_pairing_is_marked_disputed() -> None:
    babymonster = load_matchups().by_id("babymonster-jjfad-supersonic")
    assert babymonster.is_disputed
    assert "alleg" in babymonster.disputed.casefold()
    assert babymonster.classic.title == "Supersonic"


def test_real_file_labels_fit_autocomplete() -> None:
    for item in load_matchups():
        assert 0 < len(item.label) <= LABEL_MAX
        assert " vs " in item.label


def test_real_file_never_cites_the_banned_source() -> None:
    assert not any("unionjournalism" in item.source.url for item in load_matchups())


def test_real_file_listen_links_are_https() -> None:
    for item in load_matchups():
        assert item.kpop.listen.startswith("https://")
        assert item.classic.listen.startswith("https://")


# --- labels ----------------------------------------------------------------------------------


def _matchup(kpop_artist: str = "TWICE", classic_title: str = "I Want You Back") -> Matchup:
    return Matchup(
        id="x",
        connection="cover",
        note="n",
        disputed="",
        kpop=Track("I Want You Back", kpop_artist, 2018, "https://example.com/a"),
        classic=Track(classic_title, "The Jackson 5", 1969, "https://example.com/b"),
        source=Source("https://example.com", "Example", "2018"),
    )


def test_label_shape() -> None:
    assert _matchup().label == "TWICE “I Want You Back” vs The Jackson 5 “I Want You Back”"


def test_long_label_is_truncated_with_ellipsis() -> None:
    label = _matchup(classic_title="A very long title " * 10).label
    assert len(label) == LABEL_MAX
    assert label.endswith("…")
    assert label.startswith("TWICE “I Want You Back” vs The Jackson 5 “A very long")


# --- a good table passes ---------------------------------------------------------------------


def test_minimal_good_table_has_no_problems() -> None:
    assert check_matchups(_raw(_entry()), FILE) == []


def test_disputed_and_via_are_allowed() -> None:
    entry = _entry(disputed="Alleged by the original artist; no ruling.")
    entry["source"]["via"] = "Some reprint"
    assert check_matchups(_raw(entry), FILE) == []


@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
def test_every_connection_is_accepted(connection: str) -> None:
    assert check_matchups(_raw(_entry(connection=connection)), FILE) == []


def test_note_at_limit_accepted() -> None:
    assert check_matchups(_raw(_entry(note="n" * NOTE_MAX)), FILE) == []


def test_loader_raises_listing_problems(tmp_path: Path) -> None:
    path = tmp_path / FILE
    path.write_text('[[matchups]]\nid = "Bad Id"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="problem") as info:
        load_matchups(path)
    assert "'id' must be" in str(info.value)
    assert "missing 'source'" in str(info.value)


# --- each kind of defect is reported -----------------------------------------------------------


@pytest.mark.parametrize("field", ["note", "connection"])
def test_missing_field_reported(field: str) -> None:
    entry = _entry()
    del entry[field]
    assert f"'{field}' is missing or empty" in _check(entry)


@pytest.mark.parametrize("field", ["note", "connection"])
def test_blank_field_reported(field: str) -> None:
    assert f"'{field}' is missing or empty" in _check(_entry(**{field: "  "}))


@pytest.mark.parametrize("side", ["kpop", "classic"])
def test_missing_track_table_reported(side: str) -> None:
    entry = _entry()
    del entry[side]
    assert f"missing '{side}' table" in _check(entry)


@pytest.mark.parametrize("side", ["kpop", "classic"])
@pytest.mark.parametrize("field", ["title", "artist", "listen"])
def test_missing_track_field_reported(side: str, field: str) -> None:
    entry = _entry()
    del entry[side][field]
    messages = _check(entry)
    assert f"{side}: '{field}' is missing or empty" in messages


@pytest.mark.parametrize("field", ["title", "artist", "listen"])
def test_blank_track_field_reported(field: str) -> None:
    entry = _entry()
    entry["kpop"][field] = ""
    assert f"kpop: '{field}' is missing or empty" in _check(entry)


def test_missing_year_reported() -> None:
    entry = _entry()
    del entry["classic"]["year"]
    assert "classic: 'year' must be a whole number" in _check(entry)


def test_missing_id_reported() -> None:
    entry = _entry()
    del entry["id"]
    assert "'id' must be" in _check(entry)


def test_malformed_id_reported() -> None:
    assert "'id' must be" in _check(_entry(id="Not An Id"))


def test_unknown_connection_reported() -> None:
    assert "unknown connection 'remix'" in _check(_entry(connection="remix"))


def test_connection_is_case_sensitive() -> None:
    assert "unknown connection 'Cover'" in _check(_entry(connection="Cover"))


@pytest.mark.parametrize(
    "link",
    [
        "http://music.youtube.com/search?q=TWICE",
        "music.youtube.com/search?q=TWICE",
        "ftp://example.com/song",
        "https://music.youtube.com/search?q=TWICE I Want",
        "https://localhost/song",
    ],
)
def test_non_https_listen_link_reported(link: str) -> None:
    entry = _entry()
    entry["classic"]["listen"] = link
    assert "classic: 'listen' must be an https URL" in _check(entry)


def test_non_text_listen_link_reported() -> None:
    entry = _entry()
    entry["kpop"]["listen"] = 42
    assert "kpop: 'listen' is missing or empty" in _check(entry)


@pytest.mark.parametrize("year", [1899, 2027, 0, -1969, 19690])
def test_year_out_of_range_reported(year: int) -> None:
    entry = _entry()
    entry["kpop"]["year"] = year
    assert f"kpop: 'year' {year} is outside 1900..2026" in _check(entry)


@pytest.mark.parametrize("year", [1900, 2026])
def test_year_range_ends_accepted(year: int) -> None:
    entry = _entry()
    entry["kpop"]["year"] = 2026
    entry["classic"]["year"] = year
    assert check_matchups(_raw(entry), FILE) == []


@pytest.mark.parametrize("year", ["1969", 1969.0, True, None, [1969]])
def test_non_integer_year_reported(year: object) -> None:
    entry = _entry()
    entry["classic"]["year"] = year
    assert "classic: 'year' must be a whole number" in _check(entry)


def test_classic_newer_than_kpop_reported() -> None:
    entry = _entry()
    entry["classic"]["year"] = 2020
    assert "classic year 2020 is later than the K-pop year 2018" in _check(entry)


def test_duplicate_id_reported() -> None:
    second = _entry()
    second["kpop"]["artist"] = "Someone Else"
    assert "duplicate id 'twice-test-pairing'" in _check(_entry(), second)


def test_duplicate_pairing_reported_ignoring_case_and_spaces() -> None:
    second = _entry(id="twice-other-id", connection="homage", note="Different words.")
    second["kpop"]["artist"] = "  twice "
    second["classic"]["title"] = "i want  you BACK"
    messages = _check(_entry(), second)
    assert "duplicate pairing (same two tracks as matchup 'twice-test-pairing')" in messages


def test_same_kpop_track_with_another_classic_is_not_a_duplicate() -> None:
    second = _entry(id="twice-second-pairing")
    second["classic"]["title"] = "ABC"
    assert check_matchups(_raw(_entry(), second), FILE) == []


def test_over_long_note_reported() -> None:
    assert f"'note' is {NOTE_MAX + 1} characters (max {NOTE_MAX})" in _check(
        _entry(note="n" * (NOTE_MAX + 1))
    )


def test_over_long_title_reported() -> None:
    entry = _entry()
    entry["kpop"]["title"] = "t" * 101
    assert "kpop: 'title' is 101 characters (max 100)" in _check(entry)


def test_over_long_disputed_reported() -> None:
    assert "'disputed' is 201 characters (max 200)" in _check(_entry(disputed="d" * 201))


def test_non_text_disputed_reported() -> None:
    assert "'disputed' must be text" in _check(_entry(disputed=True))


def test_unknown_entry_key_reported() -> None:
    assert "unknown keys: ['genre']" in _check(_entry(genre="new jack swing"))


def test_unknown_track_key_reported() -> None:
    entry = _entry()
    entry["classic"]["label"] = "Motown"
    assert "classic: unknown keys: ['label']" in _check(entry)


def test_unknown_top_level_key_reported() -> None:
    raw = _raw(_entry())
    raw["extras"] = []
    assert "unknown top-level keys: ['extras']" in _messages(check_matchups(raw, FILE))


def test_empty_file_reported() -> None:
    assert "'matchups' must be a non-empty array" in _messages(check_matchups({}, FILE))


def test_non_table_entry_reported() -> None:
    assert "entry must be a table" in _messages(check_matchups({"matchups": ["x"]}, FILE))


def test_missing_source_reported() -> None:
    entry = _entry()
    del entry["source"]
    assert "missing 'source'" in _check(entry)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("url", "not a url", "source url is malformed"),
        ("url", "", "source url is malformed"),
        ("publication", "", "source 'publication' is missing or empty"),
        ("date", "March 2018", "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("date", "", "source 'date' is missing or empty"),
    ],
)
def test_malformed_source_reported(key: str, value: str, expected: str) -> None:
    entry = _entry()
    entry["source"][key] = value
    assert expected in _check(entry)


def test_unknown_source_key_reported() -> None:
    entry = _entry()
    entry["source"]["author"] = "Someone"
    assert "source has unknown keys: ['author']" in _check(entry)


def test_every_problem_is_reported_at_once() -> None:
    entry = _entry(connection="remix", note="")
    entry["kpop"]["year"] = "2018"
    entry["classic"]["listen"] = "http://example.com"
    del entry["source"]
    messages = _check(entry)
    for expected in (
        "unknown connection",
        "'note' is missing",
        "'year' must be a whole number",
        "'listen' must be an https URL",
        "missing 'source'",
    ):
        assert expected in messages


def test_normalized_folds_case_and_spaces() -> None:
    assert normalized("  I Want\n You  BACK ") == "i want you back"


# --- the Korean twin (data/ko/matchups.toml) -------------------------------------------------

KO_FILE = "ko/matchups.toml"


def _korean(**overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"note": "잭슨 파이브 히트곡의 커버예요.", "translated": True}
    table.update(overrides)
    return {"matchups": {"twice-test-pairing": table}}


def _korean_problems(raw: dict[str, Any], korean: dict[str, Any]) -> str:
    return "\n".join(str(p) for p in check_matchups_korean(raw, korean, KO_FILE))


def test_valid_korean_pairing_has_no_problems() -> None:
    assert check_matchups_korean(_raw(_entry()), _korean(), KO_FILE) == []


def test_every_real_pairing_has_a_korean_note() -> None:
    for matchup in load_matchups():
        assert matchup.note_for("ko") != matchup.note and matchup.note_for("en") == matchup.note
        assert matchup.is_translation("ko") and not matchup.is_translation("en")
        assert bool(matchup.disputed_for("ko")) == matchup.is_disputed


def test_korean_disputed_follows_the_english() -> None:
    problems = _korean_problems(_raw(_entry()), _korean(disputed="논란이 있어요."))
    assert "'disputed' is given but the English pairing has none" in problems
    disputed = _raw(_entry(disputed="The label never answered."))
    assert "'disputed' is missing or empty" in _korean_problems(disputed, _korean())
    assert _korean_problems(disputed, _korean(disputed="레이블은 답하지 않았어요.")) == ""


def test_korean_pairing_problems_are_reported() -> None:
    raw = _raw(_entry())
    assert "no Korean text" in _korean_problems(raw, {"matchups": {}})
    assert "is the same as the English" in _korean_problems(
        raw, _korean(note="A cover of the Jackson 5 hit.")
    )
    assert "'note' has no Hangul" in _korean_problems(raw, _korean(note="A cover."))
    extra = _korean()
    extra["matchups"]["gone"] = {"note": "없어요.", "translated": True}
    assert "matchup 'gone': Korean key 'gone' matches no English entry" in _korean_problems(
        raw, extra
    )
