"""Pure logic behind /film: matching a topic or keyword, rotation choices, ranks, safe echoes.

Nothing here touches Discord or the database, so it is tested directly.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.ui.text import clip
from cogs.film.content import Fact

# Characters that render as nothing but change a string: zero-width spaces and joiners, the word
# joiner, the byte-order mark and soft hyphen. Typed (or pasted) around a topic, they hide it.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_WORD = re.compile(r"\w+")
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
    """The words of a keyword search (letters and digits in any script, Hangul included)."""
    return _WORD.findall(clean(query))[:KEYWORD_WORDS_MAX]


def _searchable(fact: Fact) -> str:
    return clean(f"{fact.text} {' '.join(fact.topics)}")


def search_facts(facts: Sequence[Fact], query: str) -> list[Fact]:
    """Facts whose text or topics contain every word of ``query`` (empty for an empty query)."""
    words = keywords(query)
    if not words:
        return []
    found: list[Fact] = []
    for fact in facts:
        haystack = _searchable(fact)
        if all(word in haystack for word in words):
            found.append(fact)
    return found


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
