"""Pure logic behind /quote: the per-server rotation, search ranking and checks on added quotes.

Nothing here touches Discord or the database, so each rule can be tested on its own.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlparse

from bot.i18n import N_
from bot.search import Vocabulary, extensions, meaningful, suggestion, words_of

_INVISIBLE_CATEGORIES = ("Cf", "Cc")  # zero-width joiners, BOMs, control characters

# ---------------------------------------------------------------------------------------------
# Rotation keys: curated quotes by their content id, server quotes by their per-server number.
# ---------------------------------------------------------------------------------------------
CURATED_PREFIX = "curated:"
SERVER_PREFIX = "server:"


def curated_key(quote_id: str) -> str:
    return f"{CURATED_PREFIX}{quote_id}"


def server_key(number: int) -> str:
    return f"{SERVER_PREFIX}{number}"


def server_number(key: str) -> int | None:
    """The server-quote number in a rotation key, or None for a curated key."""
    if key.startswith(SERVER_PREFIX) and key[len(SERVER_PREFIX) :].isdigit():
        return int(key[len(SERVER_PREFIX) :])
    return None


def curated_id(key: str) -> str | None:
    return key[len(CURATED_PREFIX) :] if key.startswith(CURATED_PREFIX) else None


# ---------------------------------------------------------------------------------------------
# The rotation: each cycle has a seed; the order is every key sorted by a keyed hash of it.
# Sorting by a per-key hash (rather than shuffling a list) means a quote added mid-cycle slots into
# the order without reshuffling the quotes still to come.
# ---------------------------------------------------------------------------------------------
SEED_BITS = 62  # fits SQLite's signed 64-bit INTEGER (and PostgreSQL's BIGINT)


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def rotation_rank(seed: int, key: str) -> bytes:
    """Where ``key`` falls in the cycle shuffled by ``seed``: stable across runs and machines."""
    return hashlib.blake2b(
        key.encode("utf-8"), key=seed.to_bytes(8, "big"), digest_size=16
    ).digest()


def rotation_order(seed: int, pool: Collection[str]) -> list[str]:
    """The whole cycle's order for ``pool`` (ties, impossible in practice, broken by key)."""
    return sorted(pool, key=lambda key: (rotation_rank(seed, key), key))


def next_in_rotation(
    pool: Collection[str], shown: Collection[str], seed: int, *, avoid: str | None = None
) -> str | None:
    """The first quote of this cycle's order not shown yet; None when the cycle is used up.

    ``avoid`` (the last quote of the previous cycle) is passed over when anything else is left,
    so a new cycle never opens with the quote that closed the old one.
    """
    remaining = [key for key in rotation_order(seed, pool) if key not in shown]
    if not remaining:
        return None
    if avoid is not None and remaining[0] == avoid and len(remaining) > 1:
        return remaining[1]
    return remaining[0]


# ---------------------------------------------------------------------------------------------
# Search.
# ---------------------------------------------------------------------------------------------
PAGE_SIZE = 5
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 30
# The words travel in a button's custom_id (100 characters in all), so a page can be rebuilt
# after a restart without storing anything.
MAX_QUERY_CHARS = 70

FIELD_WEIGHTS = {"speaker": 3, "text": 2, "context": 1}
EXACT_WORD, PREFIX_WORD = 2, 1
PHRASE_BONUS = 5


def search_words(query: str) -> tuple[str, ...]:
    """The words a search looks for: folded, de-duplicated, stop words dropped (unless that is all
    there is), at most MAX_QUERY_WORDS and MAX_QUERY_CHARS in all."""
    found: list[str] = []
    for word in words_of(query):
        word = word[:MAX_WORD_LENGTH]
        if word not in found:
            found.append(word)
    chosen: list[str] = []
    for word in meaningful(found):
        if len(chosen) == MAX_QUERY_WORDS or len(" ".join([*chosen, word])) > MAX_QUERY_CHARS:
            break
        chosen.append(word)
    return tuple(chosen)


@dataclass(frozen=True, slots=True)
class Searchable:
    """What search reads of a quote, curated or server-added."""

    key: str
    text: str
    speaker: str
    context: str


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    words_matched: int
    score: int


@dataclass(frozen=True, slots=True)
class _Field:
    """One field's words, prepared once: joined (phrases), a set (exact words), sorted (prefixes)."""

    joined: str
    words: frozenset[str]
    ordered: tuple[str, ...]

    def score(self, word: str) -> int:
        if word in self.words:
            return EXACT_WORD
        if next(extensions(self.ordered, word), None) is not None:
            return PREFIX_WORD  # a longer word it stands for (bot.search.stands_for)
        return 0


@lru_cache(maxsize=8192)
def _indexed(text: str) -> _Field:
    """Folding is the costly part of a search and quotes rarely change: each text is folded once."""
    tokens = words_of(text)
    return _Field(" ".join(tokens), frozenset(tokens), tuple(sorted(set(tokens))))


def score_quote(words: Sequence[str], quote: Searchable) -> Match:
    """How well ``quote`` answers ``words``: words matched first, then a weighted score."""
    fields = (
        (FIELD_WEIGHTS["speaker"], _indexed(quote.speaker)),
        (FIELD_WEIGHTS["text"], _indexed(quote.text)),
        (FIELD_WEIGHTS["context"], _indexed(quote.context)),
    )
    matched = 0
    score = 0
    for word in words:
        word_score = sum(weight * field.score(word) for weight, field in fields)
        if word_score:
            matched += 1
            score += word_score
    if len(words) > 1 and matched == len(words):
        phrase = " ".join(words)
        if any(phrase in field.joined for _, field in fields):
            score += PHRASE_BONUS
    return Match(quote.key, matched, score)


_FIELDS = (FIELD_WEIGHTS["speaker"], FIELD_WEIGHTS["text"], FIELD_WEIGHTS["context"])


def _mask_score(exact: int, prefix: int) -> int:
    """A word's score in a quote from which of its fields (speaker, text, context as bits 0-2)
    hold the word itself and which only a word starting with it: what score_quote adds up."""
    return sum(
        weight * (EXACT_WORD if exact >> bit & 1 else PREFIX_WORD if prefix >> bit & 1 else 0)
        for bit, weight in enumerate(_FIELDS)
    )


_MASK_SCORES = [[_mask_score(exact, prefix) for prefix in range(8)] for exact in range(8)]


class WordIndex:
    """Which quotes hold which words, in which fields: a search reads only these postings.

    Built once for the curated collection. :meth:`rank` gives exactly what ``rank_quotes`` gives
    over all the indexed quotes (a test compares them), at the cost of the searched words' postings
    instead of scoring every quote that holds one of them.
    """

    def __init__(self, quotes: Sequence[Searchable]) -> None:
        self._postings: dict[str, dict[str, int]] = {}  # word -> quote key -> field bits
        self._joined: dict[str, tuple[str, ...]] = {}  # quote key -> folded fields (phrases)
        self._position: dict[str, int] = {}  # quote key -> place in the given order (ties)
        for position, quote in enumerate(quotes):
            self._position[quote.key] = position
            fields = [_indexed(quote.speaker), _indexed(quote.text), _indexed(quote.context)]
            self._joined[quote.key] = tuple(field.joined for field in fields)
            for bit, field in enumerate(fields):
                for word in field.words:
                    posting = self._postings.setdefault(word, {})
                    posting[quote.key] = posting.get(quote.key, 0) | 1 << bit
        self._vocabulary = sorted(self._postings)

    def _fields_of(self, word: str) -> tuple[dict[str, int], dict[str, int]]:
        """For one searched word: the field bits holding it, and those holding a longer word it
        stands for (``bot.search.stands_for``: a prefix of one, long enough), by quote key."""
        exact = self._postings.get(word, {})
        prefixed: dict[str, int] = {}
        for longer in extensions(self._vocabulary, word):
            for key, bits in self._postings[longer].items():
                prefixed[key] = prefixed.get(key, 0) | bits
        return exact, prefixed

    def words(self) -> list[str]:
        """Every word of the indexed quotes, sorted (for suggestions when nothing matches)."""
        return list(self._vocabulary)

    def _word_fields(self, words: Sequence[str]) -> list[tuple[dict[str, int], dict[str, int]]]:
        """Each word's field bits by quote, narrowed to the quotes that hold every word; empty
        as soon as one word is held by no quote (the common misspelt case costs one lookup)."""
        per_word: list[tuple[dict[str, int], dict[str, int]]] = []
        common: set[str] | None = None
        for word in words:
            exact, prefixed = self._fields_of(word)
            holders = exact.keys() | prefixed.keys()
            common = set(holders) if common is None else common & holders
            if not common:
                return []
            per_word.append((exact, prefixed))
        return per_word if common else []

    @staticmethod
    def _holding_all(per_word: list[tuple[dict[str, int], dict[str, int]]]) -> set[str]:
        found: set[str] | None = None
        for exact, prefixed in per_word:
            holders = exact.keys() | prefixed.keys()
            found = set(holders) if found is None else found & holders
        return found or set()

    def candidates(self, words: Sequence[str]) -> set[str]:
        """Every indexed quote holding all the words (each as itself or the start of a word)."""
        return self._holding_all(self._word_fields(words))

    def rank(self, words: Sequence[str]) -> list[Match]:
        """The indexed quotes matching every word, best first (ties: the given order)."""
        per_word = self._word_fields(words)
        keys = self._holding_all(per_word)
        scores = dict.fromkeys(keys, 0)
        for exact, prefixed in per_word:
            for key in keys:
                scores[key] += _MASK_SCORES[exact.get(key, 0)][prefixed.get(key, 0)]
        if len(words) > 1:
            phrase = " ".join(words)
            for key in keys:
                if any(phrase in f for f in self._joined[key]):
                    scores[key] += PHRASE_BONUS
        ordered = sorted(keys, key=lambda k: (-scores[k], self._position[k]))
        return [Match(key, len(words), scores[key]) for key in ordered]


def rank_quotes(words: Sequence[str], quotes: Sequence[Searchable]) -> list[Match]:
    """Every quote matching all the words, best first (ties keep the given order)."""
    if not words:
        return []
    matches = [score_quote(words, quote) for quote in quotes]
    ranked = [m for m in matches if m.words_matched == len(words)]
    ranked.sort(key=lambda m: -m.score)  # sort is stable
    return ranked


def suggest_words(
    words: Sequence[str], vocabulary: Vocabulary, finds: Callable[[tuple[str, ...]], bool]
) -> tuple[str, ...] | None:
    """The nearest search to ``words`` that finds a quote (see bot.search.suggestion), kept as
    short as a search's words must be."""
    found = suggestion(words, vocabulary, finds)
    return None if found is None else search_words(" ".join(found)) or None


T = TypeVar("T")


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int:
    return min(max(page, 0), page_count(total, size) - 1)


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> list[T]:
    page = clamp_page(page, len(items), size)
    return list(items[page * size : (page + 1) * size])


# ---------------------------------------------------------------------------------------------
# Quotes added by moderators.
# ---------------------------------------------------------------------------------------------
TEXT_MAX = 600  # the same limit as the curated file
SPEAKER_MAX = 100
SOURCE_MAX = 500
SERVER_QUOTES_MAX = 500  # per server: keeps the rotation and search cheap


class QuoteRejected(ValueError):
    """An added quote breaks a rule; ``message`` (a catalog msgid) and ``fields`` say why, for
    the moderator; ``str()`` is the English."""

    def __init__(self, message: str, /, **fields: str) -> None:
        self.message = message
        self.fields = fields
        super().__init__(message.format(**fields) if fields else message)


# Why a new quote is refused, per field (the moderator reads them in their own language).
TOO_LONG = {
    "text": N_("The quote text is {length} characters long; the limit is {limit}."),
    "speaker": N_("The speaker is {length} characters long; the limit is {limit}."),
}
EMPTY = {"text": N_("The quote text is empty."), "speaker": N_("The speaker is empty.")}


def visible(text: str) -> str:
    """The text without invisible characters and surrounding whitespace (for emptiness checks)."""
    return "".join(
        ch for ch in text if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    ).strip()


def check_length(what: str, value: str, maximum: int) -> None:
    """``what``: "text" or "speaker"."""
    if len(value) > maximum:
        raise QuoteRejected(TOO_LONG[what], length=f"{len(value):,}", limit=f"{maximum:,}")
    if not visible(value):
        raise QuoteRejected(EMPTY[what])


def check_source_url(url: str) -> None:
    """An absolute https link with a real host; nothing invisible or spacey in it."""
    if len(url) > SOURCE_MAX:
        raise QuoteRejected(
            N_("The source link is {length} characters long; the limit is {limit}."),
            length=f"{len(url):,}",
            limit=str(SOURCE_MAX),
        )
    bad = any(unicodedata.category(ch)[0] in ("C", "Z") for ch in url)
    parsed = urlparse(url) if not bad else None
    if (
        parsed is None
        or parsed.scheme != "https"
        or not parsed.hostname
        or "." not in parsed.hostname
        or parsed.username is not None
    ):
        raise QuoteRejected(
            N_(
                "The source must be a full https:// link to the page with the quote "
                "(for example https://example.com/interview)."
            )
        )


@dataclass(frozen=True, slots=True)
class NewQuote:
    text: str
    speaker: str
    source_url: str | None


def check_new_quote(text: str, speaker: str, source: str | None) -> NewQuote:
    """The quote as it will be stored (text exactly as given), or QuoteRejected saying why."""
    check_length("text", text, TEXT_MAX)
    speaker = speaker.strip()
    check_length("speaker", speaker, SPEAKER_MAX)
    if any(ch in speaker for ch in "\r\n"):
        raise QuoteRejected(N_("The speaker must fit on one line."))
    source_url = source.strip() if source is not None else None
    if source_url == "":
        source_url = None
    if source_url is not None:
        check_source_url(source_url)
    return NewQuote(text=text, speaker=speaker, source_url=source_url)


def same_words(a: str, b: str) -> bool:
    """Two quote texts with the same words (case, accents, punctuation and spacing aside)."""
    return words_of(a) == words_of(b)
