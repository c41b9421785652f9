"""The Korean beside the English content: ``data/ko/<file>.toml``, keyed by the English ids.

Each English content file has a Korean twin under ``ko/`` beside it (``data/film.toml`` ->
``data/ko/film.toml``), with one table per English entry. A content module checks its twin with
the helpers here and attaches the Korean to its entries; ``python -m bot data check`` and the
loaders both refuse an entry without its Korean, Korean identical to the English, Korean with no
Hangul, a Korean name without a source, and a Korean key that matches no English entry.

``translated = true`` marks Korean translated from the English source (shown as 번역);
``translated = false`` is Korean written from a Korean-language page, which then needs a
``source`` of its own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.content.common import (
    Problem,
    Source,
    check_keys,
    check_source,
    normalized,
    read_toml,
    source_from,
)

#: The folder beside the English files that holds their Korean twins.
KOREAN_DIR = "ko"
#: The language code that picks the Korean text; anything else reads the English.
KOREAN = "ko"

# Hangul syllables, jamo and compatibility jamo.
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")

T = TypeVar("T")
Check = Callable[[dict[str, Any], str], list[Problem]]
CheckKorean = Callable[[dict[str, Any], dict[str, Any], str], list[Problem]]


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def korean_path(path: Path) -> Path:
    """Where the Korean twin of an English content file lives."""
    return path.parent / KOREAN_DIR / path.name


def korean_file(file: str) -> str:
    """How problems name the Korean twin of ``file`` (``ko/film.toml``)."""
    return f"{KOREAN_DIR}/{file}"


def pick(language: str, english: T, korean: T) -> T:
    """The Korean when the reader reads Korean and there is some (a text or a tuple of texts),
    else the English."""
    return korean if language == KOREAN and korean else english


def shows_translation(language: str, korean: object, translated: bool) -> bool:
    """True when a reader of ``language`` is shown ``korean`` (there is some) and it is our
    translation of the English source (mark it 번역)."""
    return language == KOREAN and bool(korean) and translated


class KoreanBasis:
    """Mixed into a content entry that carries its Korean beside the English, with the fields
    ``source``, ``ko_translated`` and ``ko_source``: says whether the text a reader is shown is
    our translation and which page it was written from.

    The entry names, in ``korean_shown``, the Korean whose presence means a Korean reader sees
    Korean (the fact's text, the pairing's note...).
    """

    __slots__ = ()
    source: Source
    #: The Korean was translated from the English source (shown as 번역).
    ko_translated: bool
    #: The Korean page the Korean was written from, when it was not translated.
    ko_source: Source | None

    @property
    def korean_shown(self) -> object:
        raise NotImplementedError

    def is_translation(self, language: str) -> bool:
        """True when the text shown in ``language`` is our translation (mark it 번역)."""
        return shows_translation(language, self.korean_shown, self.ko_translated)

    def source_for(self, language: str) -> Source:
        """The page the text shown in ``language`` was written from."""
        if language == KOREAN and self.korean_shown and self.ko_source is not None:
            return self.ko_source
        return self.source


class NoteBasis(KoreanBasis):
    """Mixed into an entry that explains itself in a ``note`` and may say what is ``disputed``
    about it (a poll pairing, an influence link), each with its Korean; the note is the Korean
    a Korean reader is shown."""

    __slots__ = ()
    note: str
    disputed: str
    ko_note: str
    ko_disputed: str

    @property
    def is_disputed(self) -> bool:
        return bool(self.disputed.strip())

    def note_for(self, language: str) -> str:
        return pick(language, self.note, self.ko_note)

    def disputed_for(self, language: str) -> str:
        return pick(language, self.disputed, self.ko_disputed)

    @property
    def korean_shown(self) -> str:
        return self.ko_note


def english_by_key(entries: object, key: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """The English entries that are tables, by their key (``id``, or ``from>to`` for a link);
    entries without a usable key are left to the English checks."""
    found: dict[str, Any] = {}
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict):
                value = key(entry)
                if isinstance(value, str) and value:
                    found.setdefault(value, entry)
    return found


def by_id(entry: dict[str, Any]) -> object:
    return entry.get("id")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def check_top_level(
    problems: list[Problem], file: str, korean: object, allowed: Iterable[str]
) -> None:
    if not isinstance(korean, dict):
        problems.append(Problem(file, "file", "top level must be a table"))
        return
    unknown = set(korean) - set(allowed)
    if unknown:
        problems.append(Problem(file, "file", f"unknown top-level keys: {sorted(unknown)}"))


@dataclass(frozen=True, slots=True)
class KoreanCheck:
    """Checks one Korean table (``entry`` in ``file``) against its English entry, adding what
    is wrong to ``problems``."""

    problems: list[Problem]
    file: str
    entry: str
    table: dict[str, Any]

    def report(self, message: str) -> None:
        self.problems.append(Problem(self.file, self.entry, message))

    def keys(self, allowed: Collection[str]) -> None:
        check_keys(self.problems, self.file, self.entry, self.table, allowed)

    def text(self, key: str, english: object, *, limit: int) -> None:
        """A Korean text: present, with Hangul, not the English, within limit."""
        self._one_text(f"'{key}'", self.table.get(key), english, limit=limit)

    def texts(self, key: str, english: object, *, limit: int) -> None:
        """A list of Korean texts, one per English item, in the same order."""
        value = self.table.get(key)
        items = english if isinstance(english, list) else []
        if not isinstance(value, list) or not value:
            self.report(f"'{key}' must be a non-empty list of text")
            return
        if len(value) != len(items):
            self.report(f"'{key}' has {len(value)} items; the English has {len(items)}")
        for index, item in enumerate(value):
            other = items[index] if index < len(items) else None
            self._one_text(f"'{key}' item {index + 1}", item, other, limit=limit)

    def text_as_english(self, key: str, english: object, *, limit: int, owner: str) -> None:
        """A Korean text exactly when the English ``owner`` (a pairing, a link) has one."""
        if isinstance(english, str) and english.strip():
            self.text(key, english, limit=limit)
        elif key in self.table:
            self.report(f"'{key}' is given but the English {owner} has none")

    def _one_text(self, what: str, text: object, english: object, *, limit: int) -> None:
        if not isinstance(text, str) or not text.strip():
            self.report(f"{what} is missing or empty")
            return
        if isinstance(english, str) and normalized(text) == normalized(english):
            self.report(f"{what} is the same as the English")
        elif not has_hangul(text):
            self.report(f"{what} has no Hangul")
        if len(text) > limit:
            self.report(f"{what} is {len(text)} characters (max {limit})")

    def basis(self) -> None:
        """``translated`` says how the Korean was written: true, from the English source (shown
        as 번역); false, from a Korean page, named in ``source``. A given source must be well
        formed."""
        translated = self.table.get("translated")
        if not isinstance(translated, bool):
            self.report("'translated' must be true or false")
        elif not translated and "source" not in self.table:
            self.report("'translated' is false but there is no Korean source")
        if "source" in self.table:
            check_source(self.problems, self.file, self.entry, self.table["source"])


def korean_entries(
    problems: list[Problem],
    file: str,
    korean: object,
    table: str,
    english: dict[str, Any],
    label: Callable[[str], str],
    allowed: Collection[str],
) -> Iterator[tuple[KoreanCheck, dict[str, Any]]]:
    """Each Korean table under ``[table.<key>]`` that matches an English entry, by key: a check
    for it (its keys outside ``allowed`` already reported) and the English entry.

    First reports every English entry without its Korean, every Korean key that matches no
    English entry, and a Korean value that is not a table. ``label(key)`` names an entry in
    problems.
    """
    found: dict[str, dict[str, Any]] = {}
    section = korean.get(table) if isinstance(korean, dict) else None
    if section is None:
        section = {}
    if not isinstance(section, dict):
        problems.append(Problem(file, "file", f"'{table}' must be a table of tables"))
        return
    for key, value in section.items():
        if key not in english:
            problems.append(
                Problem(file, label(key), f"Korean key {key!r} matches no English entry")
            )
        elif not isinstance(value, dict):
            problems.append(Problem(file, label(key), "must be a table"))
        else:
            found[key] = value
    for key in english:
        if key not in section:
            problems.append(
                Problem(file, label(key), f"no Korean text (add [{table}.{_toml_key(key)}])")
            )
    for key, value in found.items():
        check = KoreanCheck(problems, file, label(key), value)
        check.keys(allowed)
        yield check, english[key]


def korean_source(table: dict[str, Any]) -> Source | None:
    raw = table.get("source")
    return source_from(raw) if isinstance(raw, dict) else None


def read_korean(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The Korean twin of ``path`` as a table, or the problem that stops it being read."""
    twin = korean_path(path)
    file = korean_file(path.name)
    if not twin.is_file():
        return None, [Problem(file, "file", f"missing (looked for {twin})")]
    try:
        return read_toml(twin), []
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(file, "file", f"not valid TOML: {exc}")]


def load_with_korean(
    path: Path,
    check: Check,
    check_korean: CheckKorean,
    build: Callable[[dict[str, Any], dict[str, Any]], T],
) -> T:
    """Read a content file and its Korean twin, check both, and build them together;
    ``ValueError`` listing every problem (the Korean is checked once the English is sound)."""
    raw = read_toml(path)
    problems = check(raw, path.name)
    korean: dict[str, Any] | None = None
    if not problems:
        korean, problems = read_korean(path)
        if korean is not None:
            problems = check_korean(raw, korean, korean_file(path.name))
    if problems or korean is None:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise ValueError(f"{len(problems)} problem(s) in {path.name}:\n{listing}")
    return build(raw, korean)
