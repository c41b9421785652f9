"""Sourced quotes: the film's makers, and the musicians behind K-pop's Black American roots.

The content lives in ``data/quotes.toml``. :func:`check_quotes` lists every problem in a raw
table without raising; :func:`load_quotes` returns a :class:`QuoteBook` or raises ``ValueError``.
The Korean lives in ``data/ko/quotes.toml`` (:func:`check_quotes_korean`): a Korean context, and a
Korean translation shown *beside* the quote, marked 번역; the quote itself stays word for word.
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
    check_unique_text,
    each_table,
    entry_name,
    normalized,
    source_from,
)
from bot.content.korean import (
    KOREAN,
    KoreanBasis,
    by_id,
    check_top_level,
    english_by_key,
    korean_entries,
    korean_source,
    load_with_korean,
    pick,
)

DEFAULT_PATH = bot.DATA_DIR / "quotes.toml"

TEXT_LIMIT = 600
CONTEXT_LIMIT = 200
SPEAKER_LIMIT = 100
TRANSLATED_LIMIT = 100

_REQUIRED_TEXT = {"text": TEXT_LIMIT, "speaker": SPEAKER_LIMIT, "context": CONTEXT_LIMIT}
_ALLOWED_KEYS = {"id", "text", "speaker", "context", "translated", "source"}
_TOP_LEVEL_KEYS = {"quotes"}
# Quote marks a writer might wrap around the text by mistake; the text must be the bare words.
_WRAPPING_QUOTES = ('"', "“", "”")


@dataclass(frozen=True, slots=True)
class Quote(KoreanBasis):
    """One quote, exactly as the cited page prints it."""

    id: str
    text: str
    speaker: str
    context: str
    translated: str
    source: Source
    ko_context: str = ""
    #: A Korean translation of the words, shown beside them (marked 번역), never instead.
    ko_translation: str = ""
    #: The Korean context was translated from the English source (shown as 번역).
    ko_translated: bool = False
    ko_source: Source | None = None

    def context_for(self, language: str) -> str:
        return pick(language, self.context, self.ko_context)

    def translation_for(self, language: str) -> str:
        """A translation to show beside the quote in ``language`` (marked 번역); "" for none."""
        return self.ko_translation if language == KOREAN else ""

    @property
    def korean_shown(self) -> str:
        """The Korean context (``is_translation`` speaks of the context, not the words)."""
        return self.ko_context


class QuoteBook(Entries[Quote]):
    """All quotes, in file order (``by_id`` finds one)."""

    __slots__ = ()

    @property
    def quotes(self) -> tuple[Quote, ...]:
        return self.items


normalized_text = normalized  # the name the quote checks were written with


def check_quotes(raw: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in a raw quotes table; never raises."""
    problems: list[Problem] = []
    arrays = check_document(problems, raw, file, _TOP_LEVEL_KEYS, ("quotes",))
    if not arrays or "quotes" not in arrays:
        return problems
    entries = arrays["quotes"]

    seen_ids: set[str] = set()
    seen_texts: dict[str, str] = {}
    for name, entry in each_table(problems, file, entries, partial(entry_name, "quote")):
        check_id(problems, file, name, entry.get("id"), seen_ids)
        for key, limit in _REQUIRED_TEXT.items():
            check_text(problems, file, name, entry, key, limit=limit)
        _check_translated(problems, file, name, entry)
        _check_bare_text(problems, file, name, entry.get("text"))
        check_unique_text(
            problems, file, name, entry.get("text"), seen_texts, "duplicate text (same words as {})"
        )
        check_source(problems, file, name, entry.get("source"))
        check_keys(problems, file, name, entry, _ALLOWED_KEYS)
    return problems


def _check_translated(problems: list[Problem], file: str, name: str, entry: dict[str, Any]) -> None:
    value = entry.get("translated", "")
    if not isinstance(value, str):
        problems.append(Problem(file, name, "'translated' must be text (empty if not translated)"))
    elif len(value) > TRANSLATED_LIMIT:
        problems.append(
            Problem(file, name, f"'translated' is {len(value)} characters (max {TRANSLATED_LIMIT})")
        )


def _check_bare_text(problems: list[Problem], file: str, name: str, text: object) -> None:
    """The text is the quoted words themselves: no quote marks wrapped around them."""
    if not isinstance(text, str) or not text.strip():
        return
    stripped = text.strip()
    if stripped != text:
        problems.append(Problem(file, name, "'text' has leading or trailing whitespace"))
    if stripped.startswith(_WRAPPING_QUOTES) and stripped.endswith(_WRAPPING_QUOTES):
        problems.append(Problem(file, name, "'text' must not be wrapped in quote marks"))


_KO_TOP_LEVEL_KEYS = {"quotes"}
_KO_KEYS = {"context", "translation", "translated", "source"}


def check_quotes_korean(raw: dict[str, Any], korean: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in the Korean twin of a quotes table, checked against the English."""
    problems: list[Problem] = []
    check_top_level(problems, file, korean, _KO_TOP_LEVEL_KEYS)
    english = english_by_key(raw.get("quotes"), by_id)
    for ko, quote in korean_entries(
        problems, file, korean, "quotes", english, lambda key: f"quote {key!r}", _KO_KEYS
    ):
        ko.text("context", quote.get("context"), limit=CONTEXT_LIMIT)
        ko.text("translation", quote.get("text"), limit=TEXT_LIMIT)
        ko.basis()
    return problems


def quotes_from(raw: dict[str, Any], korean: dict[str, Any] | None = None) -> QuoteBook:
    """Build a book from a table that :func:`check_quotes` has passed, and its Korean twin."""
    ko: dict[str, dict[str, Any]] = (korean or {}).get("quotes", {})
    return QuoteBook(tuple(_quote(entry, ko.get(entry["id"], {})) for entry in raw["quotes"]))


def _quote(entry: dict[str, Any], ko: dict[str, Any]) -> Quote:
    return Quote(
        id=entry["id"],
        text=entry["text"],
        speaker=entry["speaker"],
        context=entry["context"],
        translated=entry.get("translated", ""),
        source=source_from(entry["source"]),
        ko_context=ko.get("context", ""),
        ko_translation=ko.get("translation", ""),
        ko_translated=ko.get("translated", False),
        ko_source=korean_source(ko),
    )


def load_quotes(path: Path = DEFAULT_PATH) -> QuoteBook:
    """Read and check the quotes file and its Korean (``ko/quotes.toml`` beside it);
    ``ValueError`` listing every problem if any."""
    return load_with_korean(path, check_quotes, check_quotes_korean, quotes_from)
