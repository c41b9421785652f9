"""Pure logic behind /film: matching a topic or keyword, rotation choices, ranks, safe echoes.

Nothing here touches Discord or the database, so it is tested directly.
"""

from __future__ import annotations

import difflib
import math
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.search import Vocabulary, meaningful, suggestion, words_of
from bot.ui.text import clip
from cogs.film.content import Fact, Trivia

# Characters that render as nothing but change a string: zero-width spaces and joiners, the word
# joiner, the byte-order mark and soft hyphen. Typed (or pasted) around a topic, they hide it.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_NOT_ALNUM = re.compile(r"[\W_]+")

# At most this many words of a keyword search are used: a pasted essay is not a search.
KEYWORD_WORDS_MAX = 12
# How much of a user's text is ever echoed back.
ECHO_MAX = 40


def clean(text: str) -> str:
    """NFKC-normalised, invisible characters removed, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return " ".join(text.split()).casefold()


def _topic_key(text: str) -> str:
    """'K-Pop', 'kpop' and 'k pop' all name the same topic."""
    return _NOT_ALNUM.sub("", clean(text))


def match_topic(query: str, topics: Sequence[str]) -> str | None:
    """The topic ``query`` names, ignoring case, spacing, dashes and invisible characters."""
    key = _topic_key(query)
    if not key:
        return None
    for topic in topics:
        if _topic_key(topic) == key:
            return topic
    return None


def keywords(query: str) -> list[str]:
    """The meaningful words of a keyword search (any script, Hangul included; stop words out)."""
    return meaningful(words_of(query))[:KEYWORD_WORDS_MAX]


@lru_cache(maxsize=1024)
def _fact_words(fact: Fact) -> Vocabulary:
    """A fact's words (its text in every language, and its topics), folded once: facts never
    change while the bot runs, and a search finds a fact in either script."""
    return Vocabulary(words_of(f"{fact.text} {fact.ko_text} {' '.join(fact.topics)}"))


def search_facts(facts: Sequence[Fact], query: str) -> list[Fact]:
    """Facts holding every meaningful word of ``query``, each as a word or the start of one
    (empty for a query with no words)."""
    words = keywords(query)
    if not words:
        return []
    return [fact for fact in facts if _fact_words(fact).matches_all(words)]


def suggest_search(facts: Sequence[Fact], topics: Sequence[str], query: str) -> str | None:
    """When ``query`` finds no fact: the nearest topic or search that does, or None."""
    key = _topic_key(query)
    near = difflib.get_close_matches(key, [_topic_key(t) for t in topics], n=1, cutoff=0.75)
    if key and near:
        return next(t for t in topics if _topic_key(t) == near[0])
    every = Vocabulary(w for fact in facts for w in _fact_words(fact).words)
    found = suggestion(
        keywords(query), every, lambda words: bool(search_facts(facts, " ".join(words)))
    )
    return None if found is None else " ".join(found)


@dataclass(frozen=True, slots=True)
class FactQuery:
    """What a /film fact request asks for: any fact, one topic, or a keyword search."""

    facts: tuple[Fact, ...]
    topic: str | None = None
    keyword: str | None = None


def resolve_fact_query(
    facts: Sequence[Fact], topics: Sequence[str], query: str | None
) -> FactQuery:
    """Which facts ``query`` selects: a topic if it names one, else a keyword search.

    An empty result means nothing matched (the caller lists the topics).
    """
    if query is None or not clean(query):
        return FactQuery(tuple(facts))
    topic = match_topic(query, topics)
    if topic is not None:
        return FactQuery(tuple(f for f in facts if topic in f.topics), topic=topic)
    return FactQuery(tuple(search_facts(facts, query)), keyword=query)


@dataclass(frozen=True, slots=True)
class ShowRecord:
    """How often an item was shown in a server, and when last (the server's running counter)."""

    times: int
    last_seq: int


def least_shown(
    candidates: Sequence[str], history: Mapping[str, ShowRecord], rng: random.Random
) -> str:
    """Pick among the candidates shown least often, never the one shown last if there is a choice.

    Picking from all items this way shows each once before any repeats (a rotation); with a
    topic filter it rotates within the topic.
    """
    if not candidates:
        raise ValueError("no candidates to choose from")
    unseen = ShowRecord(0, 0)
    fewest = min(history.get(c, unseen).times for c in candidates)
    pool = [c for c in candidates if history.get(c, unseen).times == fewest]
    if len(pool) > 1 and history:
        latest = max(history.values(), key=lambda r: r.last_seq).last_seq
        pool = [c for c in pool if history.get(c, unseen).last_seq != latest] or pool
    return rng.choice(pool)


def shuffled_choices(
    answer: str, wrong: Sequence[str], rng: random.Random
) -> tuple[list[str], int]:
    """The four choices in a random order, and where the right answer ended up."""
    choices = [answer, *wrong]
    rng.shuffle(choices)
    return choices, choices.index(answer)


def choices_for(stored: Sequence[str], trivia: Trivia | None, language: str) -> tuple[str, ...]:
    """A question's choices, in the order they were stored, in the reader's language.

    The store keeps the English labels (language-neutral: answers are checked by index), so each
    is matched to its place among the entry's English answers and shown in ``language``; a label
    the entry no longer has (the content changed since) is shown as stored.
    """
    if trivia is None:
        return tuple(stored)
    english = [trivia.answer, *trivia.wrong]
    shown = [trivia.answer_for(language), *trivia.wrong_for(language)]
    if len(shown) != len(english):
        return tuple(stored)
    return tuple(shown[english.index(c)] if c in english else c for c in stored)


def competition_ranks(points: Sequence[int]) -> list[int]:
    """Ranks for scores sorted high to low, ties sharing a rank ("1224" ranking)."""
    ranks: list[int] = []
    for index, value in enumerate(points):
        if index and value == points[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks


def pack_lines(lines: Sequence[str], limit: int) -> list[list[str]]:
    """Group lines so each group, joined by newlines, is at most ``limit`` characters.

    Each line is made one line (inner newlines become spaces) and cut to ``limit`` if longer;
    the groups hold every line, in order.
    """
    groups: list[list[str]] = []
    size = 0
    for raw in lines:
        line = clip(" ".join(raw.splitlines()), limit)
        if groups and size + 1 + len(line) <= limit:
            groups[-1].append(line)
            size += 1 + len(line)
        else:
            groups.append([line])
            size = len(line)
    return groups


class MemberCooldown:
    """How long each member must wait before a button posts for them again.

    A public button anyone can press is otherwise a megaphone: thirty clicks, thirty messages.
    Kept per server and member; entries older than the cooldown are dropped as it grows.
    """

    PRUNE_AT = 2048  # entries before the expired ones are swept out

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last: dict[tuple[int, int], datetime] = {}

    def __len__(self) -> int:
        """How many members are remembered (expired ones included until the next sweep)."""
        return len(self._last)

    def wait(self, guild_id: int, user_id: int, now: datetime) -> int:
        """Whole seconds the member still has to wait (rounded up), or 0 after recording a use."""
        last = self._last.get((guild_id, user_id))
        if last is not None:
            left = self.seconds - (now - last).total_seconds()
            if left > 0:
                return max(1, math.ceil(left))
        if len(self._last) >= self.PRUNE_AT:
            self._last = {
                key: at
                for key, at in self._last.items()
                if (now - at).total_seconds() < self.seconds
            }
        self._last[(guild_id, user_id)] = now
        return 0
