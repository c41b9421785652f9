"""Listening-poll pairings: a K-pop track and the Black American record it draws on.

The content lives in ``data/matchups.toml``. :func:`check_matchups` lists every problem in a raw
table without raising; :func:`load_matchups` returns a :class:`Matchups` or raises ``ValueError``.
The Korean notes live in ``data/ko/matchups.toml`` (:func:`check_matchups_korean`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import bot
from bot.content.common import (
    Entries,
    Problem,
    Source,
    check_document,
    check_id,
    check_keys,
    check_source,
    check_text,
    each_table,
    entry_name,
    is_https_url,
    normalized,
    source_from,
)
from bot.content.korean import (
    NoteBasis,
    by_id,
    check_top_level,
    english_by_key,
    korean_entries,
    korean_source,
    load_with_korean,
)

DEFAULT_PATH: Path = bot.DATA_DIR / "matchups.toml"

#: How a K-pop track is tied to the classic record. "critic" is a writer's comparison only.
CONNECTIONS: frozenset[str] = frozenset({"cover", "sample", "interpolation", "homage", "critic"})

NOTE_MAX = 200
DISPUTED_MAX = 200
TITLE_MAX = 100
ARTIST_MAX = 100
LISTEN_MAX = 300
LABEL_MAX = 100
YEAR_MIN = 1900
YEAR_MAX = 2026

_TOP_LEVEL_KEYS = frozenset({"matchups"})
_ENTRY_KEYS = frozenset({"id", "connection", "note", "disputed", "kpop", "classic", "source"})
_TRACK_KEYS = frozenset({"title", "artist", "year", "listen"})
_TRACK_SIDES = ("kpop", "classic")


@dataclass(frozen=True, slots=True)
class Track:
    """One recording: its title, artist, release year and an official or search link."""

    title: str
    artist: str
    year: int
    listen: str


@dataclass(frozen=True, slots=True)
class Matchup(NoteBasis):
    """One poll round: a K-pop track against the classic record it draws on."""

    id: str
    connection: str
    note: str
    disputed: str
    kpop: Track
    classic: Track
    source: Source
    ko_note: str = ""
    ko_disputed: str = ""
    #: The Korean was translated from the English source (shown as 번역).
    ko_translated: bool = False
    ko_source: Source | None = None

    @property
    def label(self) -> str:
        """``<kpop artist> “<title>” vs <classic artist> “<title>”``, at most 100 characters."""
        kpop, classic = self.kpop, self.classic
        text = f"{kpop.artist} “{kpop.title}” vs {classic.artist} “{classic.title}”"
        if len(text) <= LABEL_MAX:
            return text
        return text[: LABEL_MAX - 1].rstrip() + "…"


class Matchups(Entries[Matchup]):
    """All pairings, in file order (``by_id`` finds one)."""

    __slots__ = ()


def check_matchups(raw: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in a raw matchups table; never raises."""
    problems: list[Problem] = []
    arrays = check_document(problems, raw, file, _TOP_LEVEL_KEYS, ("matchups",))
    if not arrays or "matchups" not in arrays:
        return problems
    entries = arrays["matchups"]

    seen_ids: set[str] = set()
    seen_pairs: dict[tuple[str, ...], str] = {}
    for name, entry in each_table(problems, file, entries, partial(entry_name, "matchup")):
        check_id(problems, file, name, entry.get("id"), seen_ids)
        _check_connection(problems, file, name, entry.get("connection"))
        check_text(problems, file, name, entry, "note", limit=NOTE_MAX)
        _check_disputed(problems, file, name, entry)
        tracks_ok = True
        for side in _TRACK_SIDES:
            tracks_ok = _check_track(problems, file, name, side, entry.get(side)) and tracks_ok
        if tracks_ok:
            _check_years_in_order(problems, file, name, entry["kpop"], entry["classic"])
            _check_duplicate_pair(problems, file, name, entry, seen_pairs)
        check_source(problems, file, name, entry.get("source"))
        check_keys(problems, file, name, entry, _ENTRY_KEYS)
    return problems


def _check_connection(problems: list[Problem], file: str, name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, name, "'connection' is missing or empty"))
    elif value not in CONNECTIONS:
        allowed = " | ".join(sorted(CONNECTIONS))
        problems.append(Problem(file, name, f"unknown connection {value!r} (use {allowed})"))


def _check_disputed(problems: list[Problem], file: str, name: str, entry: dict[str, Any]) -> None:
    value = entry.get("disputed", "")
    if not isinstance(value, str):
        problems.append(Problem(file, name, "'disputed' must be text (leave it out if undisputed)"))
    elif len(value) > DISPUTED_MAX:
        problems.append(
            Problem(file, name, f"'disputed' is {len(value)} characters (max {DISPUTED_MAX})")
        )


def _check_track(problems: list[Problem], file: str, name: str, side: str, raw: object) -> bool:
    """Check one ``[matchups.kpop]`` / ``[matchups.classic]`` table; True if it is usable."""
    if not isinstance(raw, dict):
        problems.append(
            Problem(file, name, f"missing '{side}' table (title, artist, year, listen)")
        )
        return False
    before = len(problems)
    where = f"{name} {side}"
    check_text(problems, file, where, raw, "title", limit=TITLE_MAX)
    check_text(problems, file, where, raw, "artist", limit=ARTIST_MAX)
    year = raw.get("year")
    # bool is an int subclass: `year = true` is not a year.
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(Problem(file, where, f"'year' must be a whole number, got {year!r}"))
    elif not YEAR_MIN <= year <= YEAR_MAX:
        problems.append(Problem(file, where, f"'year' {year} is outside {YEAR_MIN}..{YEAR_MAX}"))
    listen = raw.get("listen")
    if not isinstance(listen, str) or not listen.strip():
        problems.append(Problem(file, where, "'listen' is missing or empty"))
    elif not is_https_url(listen):
        problems.append(Problem(file, where, f"'listen' must be an https URL, got {listen!r}"))
    elif len(listen) > LISTEN_MAX:
        problems.append(
            Problem(file, where, f"'listen' is {len(listen)} characters (max {LISTEN_MAX})")
        )
    check_keys(problems, file, where, raw, _TRACK_KEYS)
    return len(problems) == before


def _check_years_in_order(
    problems: list[Problem], file: str, name: str, kpop: dict[str, Any], classic: dict[str, Any]
) -> None:
    """The record drawn on cannot be newer than the track that draws on it."""
    if classic["year"] > kpop["year"]:
        problems.append(
            Problem(
                file,
                name,
                f"classic year {classic['year']} is later than the K-pop year {kpop['year']}",
            )
        )


def _pair_key(entry: dict[str, Any]) -> tuple[str, ...]:
    kpop, classic = entry["kpop"], entry["classic"]
    return (
        normalized(kpop["artist"]),
        normalized(kpop["title"]),
        normalized(classic["artist"]),
        normalized(classic["title"]),
    )


def _check_duplicate_pair(
    problems: list[Problem],
    file: str,
    name: str,
    entry: dict[str, Any],
    seen: dict[tuple[str, ...], str],
) -> None:
    key = _pair_key(entry)
    if key in seen:
        problems.append(Problem(file, name, f"duplicate pairing (same two tracks as {seen[key]})"))
    else:
        seen[key] = name


def _track_from(raw: dict[str, Any]) -> Track:
    return Track(title=raw["title"], artist=raw["artist"], year=raw["year"], listen=raw["listen"])


_KO_TOP_LEVEL_KEYS = frozenset({"matchups"})
_KO_KEYS = frozenset({"note", "disputed", "translated", "source"})


def check_matchups_korean(raw: dict[str, Any], korean: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in the Korean twin of a matchups table, checked against the English."""
    problems: list[Problem] = []
    check_top_level(problems, file, korean, _KO_TOP_LEVEL_KEYS)
    english = english_by_key(raw.get("matchups"), by_id)
    for ko, matchup in korean_entries(
        problems, file, korean, "matchups", english, lambda key: f"matchup {key!r}", _KO_KEYS
    ):
        ko.text("note", matchup.get("note"), limit=NOTE_MAX)
        ko.text_as_english("disputed", matchup.get("disputed"), limit=DISPUTED_MAX, owner="pairing")
        ko.basis()
    return problems


def matchups_from(raw: dict[str, Any], korean: dict[str, Any] | None = None) -> Matchups:
    """Build the collection from a table that :func:`check_matchups` has passed, and its Korean
    twin that :func:`check_matchups_korean` has passed."""
    ko: dict[str, dict[str, Any]] = (korean or {}).get("matchups", {})
    return Matchups(
        items=tuple(_matchup(entry, ko.get(entry["id"], {})) for entry in raw["matchups"])
    )


def _matchup(entry: dict[str, Any], ko: dict[str, Any]) -> Matchup:
    return Matchup(
        id=entry["id"],
        connection=entry["connection"],
        note=entry["note"],
        disputed=entry.get("disputed", ""),
        kpop=_track_from(entry["kpop"]),
        classic=_track_from(entry["classic"]),
        source=source_from(entry["source"]),
        ko_note=ko.get("note", ""),
        ko_disputed=ko.get("disputed", ""),
        ko_translated=ko.get("translated", False),
        ko_source=korean_source(ko),
    )


def load_matchups(path: Path = DEFAULT_PATH) -> Matchups:
    """Read and check the matchups file and its Korean (``ko/matchups.toml`` beside it);
    ``ValueError`` listing every problem if any."""
    return load_with_korean(path, check_matchups, check_matchups_korean, matchups_from)
