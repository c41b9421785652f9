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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from bot.content.common import Problem, Source, check_source, normalized, read_toml, source_from

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


def pick(language: str, english: str, korean: str) -> str:
    """The Korean when the reader reads Korean and there is some, else the English."""
    return korean if language == KOREAN and korean else english


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


def korean_tables(
    problems: list[Problem],
    file: str,
    korean: object,
    table: str,
    english: dict[str, Any],
    label: Callable[[str], str],
) -> dict[str, dict[str, Any]]:
    """The Korean tables under ``[table.<key>]`` that match an English entry, by key.

    Reports every English entry without its Korean, every Korean key that matches no English
    entry, and a Korean value that is not a table. ``label(key)`` names an entry in problems.
    """
    found: dict[str, dict[str, Any]] = {}
    section = korean.get(table) if isinstance(korean, dict) else None
    if section is None:
        section = {}
    if not isinstance(section, dict):
        problems.append(Problem(file, "file", f"'{table}' must be a table of tables"))
        return found
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
    return found


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


def check_korean_text(
    problems: list[Problem],
    file: str,
    entry: str,
    table: dict[str, Any],
    key: str,
    english: object,
    *,
    limit: int,
    required: bool = True,
) -> None:
    """A Korean text: present (when ``required``), with Hangul, not the English, within limit."""
    value = table.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, entry, f"'{key}' is missing or empty"))
    else:
        _check_one_text(problems, file, entry, f"'{key}'", value, english, limit=limit)


def check_korean_list(
    problems: list[Problem],
    file: str,
    entry: str,
    table: dict[str, Any],
    key: str,
    english: object,
    *,
    limit: int,
) -> None:
    """A list of Korean texts, one per English item, in the same order."""
    value = table.get(key)
    items = english if isinstance(english, list) else []
    if not isinstance(value, list) or not value:
        problems.append(Problem(file, entry, f"'{key}' must be a non-empty list of text"))
        return
    if len(value) != len(items):
        problems.append(
            Problem(file, entry, f"'{key}' has {len(value)} items; the English has {len(items)}")
        )
    for index, item in enumerate(value):
        what = f"'{key}' item {index + 1}"
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(file, entry, f"{what} is missing or empty"))
        else:
            other = items[index] if index < len(items) else None
            _check_one_text(problems, file, entry, what, item, other, limit=limit)


def _check_one_text(
    problems: list[Problem],
    file: str,
    entry: str,
    what: str,
    text: str,
    english: object,
    *,
    limit: int,
) -> None:
    if isinstance(english, str) and normalized(text) == normalized(english):
        problems.append(Problem(file, entry, f"{what} is the same as the English"))
    elif not has_hangul(text):
        problems.append(Problem(file, entry, f"{what} has no Hangul"))
    if len(text) > limit:
        problems.append(Problem(file, entry, f"{what} is {len(text)} characters (max {limit})"))


def check_basis(problems: list[Problem], file: str, entry: str, table: dict[str, Any]) -> None:
    """``translated`` says how the Korean was written: true, from the English source (shown as
    번역); false, from a Korean page, named in ``source``. A given source must be well formed."""
    translated = table.get("translated")
    if not isinstance(translated, bool):
        problems.append(Problem(file, entry, "'translated' must be true or false"))
    elif not translated and "source" not in table:
        problems.append(Problem(file, entry, "'translated' is false but there is no Korean source"))
    if "source" in table:
        check_source(problems, file, entry, table["source"])


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
