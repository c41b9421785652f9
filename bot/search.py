"""The one rule for what a member's search matches, shared by every feature that searches.

A query is folded (case, accents, compatibility forms and invisible characters aside) and split
into words; stop words are dropped unless they are all there is. A result must match *every*
remaining word, each as a whole word or as the start of one (``produc`` finds ``producer``), so
one common word in a query never drags in an unrelated result. When nothing matches, a member
is offered the closest query that would.

A word may stand for longer ones (:func:`prefix_searchable`) from ``PREFIX_MIN`` letters, or from
``HANGUL_PREFIX_MIN`` Hangul syllables: Korean attaches particles to its words (``서울에서``,
``서울의``), so ``서울`` must find them, and two syllables carry far more meaning than two Latin
letters (``in`` still does not find ``inspired``). A shorter Latin word or number finds itself
with a Korean particle run on (``bj`` finds ``bj는``, ``24`` finds ``24일``): the script changes
where the particle starts (:func:`stands_for`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations

PREFIX_MIN = 3  # "produc" finds "producer"; "in" does not find "inspired"
HANGUL_PREFIX_MIN = 2  # "서울" finds "서울에서"; one syllable ("강") only finds itself
# How alike a misspelt word and a known one must be to offer the known one (difflib's ratio).
SUGGEST_CUTOFF = 0.75
SUGGEST_TRIES_MAX = 40  # queries tried for a suggestion (8 words have 255 non-empty subsets)

_WORD = re.compile(r"\w+")
_INVISIBLE_CATEGORIES = ("Cf", "Cc")  # zero-width joiners, BOMs, control characters
STOP_WORDS = frozenset(
    "a about all an and any are as at be but by can did do does for from had has have he her his "
    "how i if in into is it its just me my no not of on or our she so such than that the their "
    "them then there they this to was we were what when who will with would you your".split()
)


def fold(text: str) -> str:
    """Text folded for matching: compatibility forms, case and accents removed, invisibles gone.

    Hangul survives: NFKD splits syllables into jamo and NFC puts them back together.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch
        for ch in decomposed
        if unicodedata.category(ch) != "Mn"
        and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )
    return unicodedata.normalize("NFC", kept).casefold()


def words_of(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits in any script), in order."""
    return _WORD.findall(fold(text))


def _hangul_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def prefix_searchable(word: str) -> bool:
    """True when a (folded) search word also matches longer words starting with it: at least
    ``PREFIX_MIN`` characters, or ``HANGUL_PREFIX_MIN`` Hangul syllables and nothing else."""
    if len(word) >= PREFIX_MIN:
        return True
    return len(word) >= HANGUL_PREFIX_MIN and all(_hangul_syllable(ch) for ch in word)


def _takes_particles(word: str) -> bool:
    """A word too short to be a prefix that may still carry a run-on Korean particle: two or
    more Latin letters or digits ("bj는", "la의", "24일": the script changes where it starts)."""
    return len(word) >= HANGUL_PREFIX_MIN and not any(_hangul_syllable(ch) for ch in word)


def stands_for(word: str, longer: str) -> bool:
    """True when the search ``word`` matches ``longer``, a longer word that starts with it."""
    if prefix_searchable(word):
        return True
    return _takes_particles(word) and all(_hangul_syllable(ch) for ch in longer[len(word) :])


def extensions(ordered: Sequence[str], word: str) -> Iterator[str]:
    """The words of ``ordered`` (sorted) longer than ``word`` that it stands for, in order."""
    if not prefix_searchable(word) and not _takes_particles(word):
        return  # one letter, one syllable: only the word itself
    i = bisect_left(ordered, word)
    while i < len(ordered) and ordered[i].startswith(word):
        if ordered[i] != word and stands_for(word, ordered[i]):
            yield ordered[i]
        i += 1


def meaningful(words: Sequence[str]) -> list[str]:
    """The words without stop words, or all of them when only stop words were typed."""
    kept = [w for w in words if w not in STOP_WORDS]
    return kept or list(words)


class Vocabulary:
    """The words of a body of text, sorted, so a query word can be found as a word or a prefix."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: tuple[str, ...] = tuple(sorted(set(words)))
        self._set = frozenset(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._set

    def completions(self, word: str) -> list[str]:
        """The known words ``word`` matches: itself, and the longer words it stands for
        (:func:`stands_for`), in order."""
        found = [word] if word in self._set else []
        return sorted([*found, *extensions(self.words, word)])

    def matches(self, word: str) -> bool:
        """True when ``word`` is one of these words or stands for a longer one."""
        return word in self._set or next(extensions(self.words, word), None) is not None

    def matches_all(self, words: Iterable[str]) -> bool:
        return all(self.matches(word) for word in words)

    def closest(self, word: str) -> str | None:
        """The known word nearest to a misspelt ``word``, if one is near enough."""
        found = difflib.get_close_matches(word, self.words, n=4, cutoff=SUGGEST_CUTOFF)
        return next((w for w in found if w not in STOP_WORDS), None)


def suggestion(
    words: Sequence[str], vocabulary: Vocabulary, has_results: Callable[[tuple[str, ...]], bool]
) -> tuple[str, ...] | None:
    """The query nearest to ``words`` that finds something, or None.

    Each word no text holds is replaced by the nearest known word, or left out when none is
    near; if the words still find nothing together, the fewest are left out that make them
    find something. A suggestion is offered only if it differs and actually finds something.
    """
    fixed: list[str] = []
    for word in words:
        if vocabulary.matches(word) or word in STOP_WORDS:
            fixed.append(word)  # a stop word is only here when nothing else was typed
        elif (near := vocabulary.closest(word)) is not None:
            fixed.append(near)
    candidate = tuple(dict.fromkeys(fixed))
    tries = [candidate]
    for size in range(len(candidate) - 1, 0, -1):
        tries.extend(combinations(candidate, size))  # in order: earlier words kept first
    for option in tries[:SUGGEST_TRIES_MAX]:
        if option and option != tuple(words) and has_results(option):
            return option
    return None
