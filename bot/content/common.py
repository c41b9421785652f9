"""Pieces every content file shares: sources, problems and small field checks."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlparse

# A source date as the page shows it: a year, a year and month, or a full ISO date.
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SPACES = re.compile(r"\s+")


class ContentError(Exception):
    """A feature's curated content is missing or broken, so the bot cannot start; one line."""


def content_failure(feature: str, exc: BaseException) -> str:
    """One line for a feature whose content would not load (a loader lists every problem on
    lines of its own: the first says how many; ``data check`` shows them all)."""
    if isinstance(exc, OSError):
        what = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    else:
        what = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"{feature} cannot load its content ({what}); "
        "run `python -m bot data check` to see every problem"
    )


@dataclass(frozen=True, slots=True)
class Source:
    """Where a piece of content comes from: a public page, its publication and date.

    ``via`` names a reprint or mirror when the original (``publication``) is paywalled.
    """

    url: str
    publication: str
    date: str
    via: str = ""

    def markdown(self) -> str:
        """A short Discord-markdown link: [Publication, date](url)."""
        label = f"{self.publication}, {self.date}".replace("]", ")").replace("[", "(")
        return f"[{label}]({self.url})"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a content file: which file, which entry, what is wrong."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class Identified(Protocol):
    """A content entry named by an ``id``."""

    @property
    def id(self) -> str: ...


E = TypeVar("E", bound=Identified)


@dataclass(frozen=True, slots=True)
class Entries(Generic[E]):
    """A content file's entries, in file order, found by id."""

    items: tuple[E, ...]

    def by_id(self, entry_id: str) -> E:
        """The entry with this id; ``KeyError`` if there is none."""
        for entry in self.items:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[E]:
        return iter(self.items)


def read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def is_https_url(value: object) -> bool:
    """True for an absolute https URL with a host and no spaces."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    parsed = urlparse(value)
    return parsed.scheme == "https" and bool(parsed.netloc) and "." in parsed.netloc


def is_source_url(value: object) -> bool:
    """Sources may be http for old pages that never moved to https; both must be well formed."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and "." in parsed.netloc


def check_text(
    problems: list[Problem], file: str, entry: str, table: dict[str, Any], key: str, *, limit: int
) -> None:
    """A required, non-blank string field no longer than ``limit`` characters."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, entry, f"'{key}' is missing or empty"))
    elif len(value) > limit:
        problems.append(Problem(file, entry, f"'{key}' is {len(value)} characters (max {limit})"))


def check_id(problems: list[Problem], file: str, entry: str, value: object, seen: set[str]) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        problems.append(Problem(file, entry, "'id' must be lowercase letters, digits and dashes"))
    elif value in seen:
        problems.append(Problem(file, entry, f"duplicate id '{value}'"))
    else:
        seen.add(value)


def check_source(problems: list[Problem], file: str, entry: str, raw: object) -> None:
    """Every entry carries a source table with a well-formed URL, a publication and a date."""
    if not isinstance(raw, dict):
        problems.append(Problem(file, entry, "missing 'source' (url, publication, date)"))
        return
    if not is_source_url(raw.get("url")):
        problems.append(Problem(file, entry, f"source url is malformed: {raw.get('url')!r}"))
    for key in ("publication", "date"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(file, entry, f"source '{key}' is missing or empty"))
    date = raw.get("date")
    if isinstance(date, str) and date.strip() and not _DATE.match(date):
        problems.append(
            Problem(file, entry, f"source date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        )
    via = raw.get("via", "")
    if not isinstance(via, str):
        problems.append(Problem(file, entry, "source 'via' must be text"))
    unknown = set(raw) - {"url", "publication", "date", "via"}
    if unknown:
        problems.append(Problem(file, entry, f"source has unknown keys: {sorted(unknown)}"))


def source_from(raw: dict[str, Any]) -> Source:
    return Source(
        url=raw["url"], publication=raw["publication"], date=raw["date"], via=raw.get("via", "")
    )


def entry_name(kind: str, index: int, raw: object) -> str:
    """How a problem names an entry: its id when it has one, else its position."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return f"{kind} '{raw['id']}'"
    return f"{kind} #{index + 1}"


def check_keys(
    problems: list[Problem], file: str, entry: str, table: dict[str, Any], allowed: Collection[str]
) -> None:
    """Report keys a table may not have (a typo in a content file would otherwise be ignored)."""
    unknown = set(table) - set(allowed)
    if unknown:
        problems.append(Problem(file, entry, f"unknown keys: {sorted(unknown)}"))


def each_table(
    problems: list[Problem],
    file: str,
    entries: Iterable[object],
    name: Callable[[int, object], str],
    *,
    not_a_table: str = "entry must be a table",
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The entries of an array that are tables, each with its name for problems (``name(index,
    entry)``, e.g. ``partial(entry_name, "quote")``); any other entry is reported."""
    for index, entry in enumerate(entries):
        label = name(index, entry)
        if isinstance(entry, dict):
            yield label, entry
        else:
            problems.append(Problem(file, label, not_a_table))


def normalized(text: str) -> str:
    """Text folded for duplicate detection: case-insensitive, runs of whitespace collapsed."""
    return _SPACES.sub(" ", text).strip().casefold()


def check_unique_text(
    problems: list[Problem],
    file: str,
    entry: str,
    text: object,
    seen: dict[str, str],
    message: str,
) -> None:
    """Report a text that repeats an earlier entry's, case and spacing ignored; ``message`` is a
    template naming the earlier entry as ``{}``. Blank or missing texts are left to check_text."""
    if not isinstance(text, str) or not text.strip():
        return
    key = normalized(text)
    if key in seen:
        problems.append(Problem(file, entry, message.format(seen[key])))
    else:
        seen[key] = entry


def check_document(
    problems: list[Problem],
    raw: object,
    file: str,
    allowed: frozenset[str] | set[str],
    arrays: tuple[str, ...],
) -> dict[str, list[Any]] | None:
    """The shape every content file shares: a table with known top-level keys whose ``arrays``
    are non-empty arrays of tables. Returns the arrays that are usable (None: not a table)."""
    if not isinstance(raw, dict):
        problems.append(Problem(file, "file", "top level must be a table"))
        return None
    unknown_top = set(raw) - set(allowed)
    if unknown_top:
        problems.append(Problem(file, "file", f"unknown top-level keys: {sorted(unknown_top)}"))
    found: dict[str, list[Any]] = {}
    for key in arrays:
        entries = raw.get(key)
        if not isinstance(entries, list) or not entries:
            problems.append(Problem(file, "file", f"'{key}' must be a non-empty array of tables"))
        else:
            found[key] = entries
    return found


T = TypeVar("T")


def load_checked(
    path: Path,
    check: Callable[[dict[str, Any], str], list[Problem]],
    build: Callable[[dict[str, Any]], T],
) -> T:
    """Read a content file, check it, and build it; ``ValueError`` listing every problem."""
    raw = read_toml(path)
    problems = check(raw, path.name)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise ValueError(f"{len(problems)} problem(s) in {path.name}:\n{listing}")
    return build(raw)
