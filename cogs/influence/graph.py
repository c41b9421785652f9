"""Look-ups over the influence graph: a name index for autocomplete and paths between entities.

Works on plain data (ids, names, aliases, directed edges) so it can be tested on small graphs and
benchmarked on generated ones; ``cogs/influence.py`` feeds it the loaded ``data/influence.toml``.

Name search ranks matches in tiers, best first:

0. exact: the whole name or an alias (also without spaces, or without a leading "the");
1. prefix of a name or alias;
2. prefix of a later word in a name or alias ("jackson" finds "Michael Jackson");
3. substring anywhere;
4. words: every typed word found, in any order, allowing a typo per word (``Jakson 5``) and a
   half-typed last word.

Within a tier, better-connected entities come first. Everything a query needs is precomputed at
load: keys numbered in popularity order, sorted copies for bisection, all keys joined in one string
for C-speed finds that stop as soon as 25 entities are found, and a symmetric-delete table of word
prefixes for typos; so a query never loops over every name in Python.

Paths: ``connection(a, b)`` returns the shortest directed lineage a → … → b (each link "X
influenced Y"). When none exists it looks for a lineage the other way (b → … → a), then for what
shaped both (a shared influence), then for what both shaped (a shared legacy), and says which it
found. A lineage never follows a link against its direction. ``nearest`` lists an entity's
closest neighbours by hops.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from heapq import merge

MAX_QUERY_CHARS = 100  # what a name can sensibly be; longer input is cut before any work
MAX_RESULTS = 25  # Discord's autocomplete cap
_SMALL_RANGE = 64  # a prefix range up to this size is sorted; a bigger one is scanned
_MIN_FUZZY_LEN = 4  # words shorter than this must be typed exactly (or as a prefix)
_MIN_PREFIX_LEN = 3  # shortest word prefix indexed for typo-tolerant prefix matches
_MAX_PREFIX_LEN = 10  # longest; whole words are indexed whatever their length
_STOPWORDS = frozenset({"the", "and", "of", "a"})
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# "Jackson Five" and "Jackson 5" mean the same; each spelling also tries the other.
_SPELLINGS = {
    **{w: str(n) for n, w in enumerate(_NUMBERS)},
    **{str(n): w for n, w in enumerate(_NUMBERS)},
}

_DIGITS = {w: str(n) for n, w in enumerate(_NUMBERS)}
_FOLD_DROPPED = frozenset({"the", "and"})  # "The Jackson 5", "Seo Taiji and Boys"

# Letters NFKD does not split into base letter + accent.
_FOLD = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                       "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "&": " and "})  # fmt: skip
# Punctuation that joins rather than separates: "Girls' Generation", "J.Y. Park".
_JOINERS = frozenset("'’‘`´.")
# The same folding for plain ASCII: joiners dropped, "&" spelled out, other non-alphanumerics
# (punctuation, symbols, controls) become spaces.
_ASCII = str.maketrans(
    {
        chr(c): None if chr(c) in _JOINERS else " and " if chr(c) == "&" else " "
        for c in range(128)
        if not chr(c).isalnum()
    }
)
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]")


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return (
        0x1100 <= code <= 0x11FF  # conjoining jamo
        or 0x3130 <= code <= 0x318F  # compatibility jamo (what an IME shows mid-syllable)
        or 0xA960 <= code <= 0xA97F
        or 0xAC00 <= code <= 0xD7FF  # syllables and extended jamo
    )


def normalise(text: str) -> str:
    """Fold text for matching: casefold, no accents/punctuation/zero-width, Hangul kept as is.

    Apostrophes and dots join ("J.Y." -> "jy"); other punctuation and symbols separate words.
    """
    text = text[: MAX_QUERY_CHARS * 2]
    if text.isascii():  # the common case, in C: the same result as the general path
        return " ".join(text.translate(_ASCII).lower().split())[:MAX_QUERY_CHARS]
    return _normalise_unicode(text)


def _normalise_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    out: list[str] = []
    for ch in text:
        if _is_hangul(ch):
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cf" or ch in _JOINERS:  # zero-width and other invisible format characters
            continue
        if category[0] in "PSZC":  # punctuation, symbols, separators, controls
            out.append(" ")
            continue
        for part in unicodedata.normalize("NFKD", ch):
            if not unicodedata.combining(part):
                out.append(part)
    return " ".join("".join(out).casefold().split())[:MAX_QUERY_CHARS]


def fold(text: str) -> str:
    """The key two spellings of one name share: normalised, then without "the" and "and", with
    numbers as digits and no spaces ("The Jackson Five" = "jackson 5"; "Seo Taiji & Boys" =
    "seo taiji and the boys"). Only names and aliases in the data are folded: nothing is invented.
    """
    words = normalise(text).split()
    kept = [_DIGITS.get(w, w) for w in words if w not in _FOLD_DROPPED]
    return "".join(kept or words)


def is_blank(text: str) -> bool:
    """True when the text holds nothing but spaces and invisible characters."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def jamo(text: str) -> str:
    """Hangul split into jamo, so a half-composed syllable ("방ㅌ", "방타") prefixes "방탄"."""
    return unicodedata.normalize("NFKD", text)


def _has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (adjacent swaps count once); ``limit + 1`` if over limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if limit == 1:  # most typed words allow one typo: answer it without the table
        return _one_edit_apart(a, b)
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _one_edit_apart(a: str, b: str) -> int:
    """``edit_distance(a, b, 1)`` for lengths at most one apart: 0, 1, or 2 for "more than one"."""
    if a == b:
        return 0
    first = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    if len(a) == len(b):
        if a[first + 1 :] == b[first + 1 :]:  # one letter replaced
            return 1
        swapped = (  # two neighbours swapped
            first + 1 < len(a)
            and a[first] == b[first + 1]
            and a[first + 1] == b[first]
            and a[first + 2 :] == b[first + 2 :]
        )
        return 1 if swapped else 2
    if len(a) > len(b):  # one letter more in a
        return 1 if a[first + 1 :] == b[first:] else 2
    return 1 if a[first:] == b[first + 1 :] else 2


def _deletes(word: str) -> set[str]:
    """The word and every form of it with one character removed."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _max_typos(word: str) -> int:
    if len(word) < _MIN_FUZZY_LEN or _has_hangul(word):
        return 0
    return 1 if len(word) < 8 else 2


# ---------------------------------------------------------------------------------------- search


@dataclass(frozen=True, slots=True)
class Named:
    """What the index needs of an entity."""

    id: str
    name: str
    aliases: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the entity, how it matched (tier, lower is better) and what to show."""

    entity_id: str
    name: str
    matched: str  # the name or alias that matched, as written in the data
    tier: int
    score: float = 1.0

    @property
    def label(self) -> str:
        """The name, plus the alias that matched when it is not just a spelling of the name."""
        return self.label_as(self.name)

    def label_as(self, name: str) -> str:
        """``label`` with the entity shown as ``name`` (its name in the reader's language)."""
        if self.matched == name or normalise(self.matched) in normalise(name):
            return name
        return f"{name} ({self.matched})"


@dataclass(frozen=True, slots=True)
class _Key:
    text: str  # normalised form
    entity: int
    written: str  # the name or alias as written in the data
    is_name: bool
    spaced: bool = True  # False for the run-together and jamo forms (kept out of the word tier)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a typed name refers to: one entity, or suggestions when it is unknown or ambiguous."""

    entity_id: str | None
    suggestions: tuple[Match, ...] = ()


class NameIndex:
    """Autocomplete and name resolution over entity names and aliases."""

    def __init__(self, entities: Iterable[Named], popularity: Mapping[str, int] | None = None):
        self._entities: list[Named] = list(entities)
        self._by_id = {e.id: i for i, e in enumerate(self._entities)}
        popularity = popularity or {}
        self._rank = [-popularity.get(e.id, 0) for e in self._entities]
        keys: list[_Key] = []
        for index, entity in enumerate(self._entities):
            seen: set[str] = set()
            for written, is_name in [(entity.name, True), *((a, False) for a in entity.aliases)]:
                for text, spaced in self._variants(written):
                    if text and text not in seen:
                        seen.add(text)
                        keys.append(_Key(text, index, written, is_name, spaced))
        # Key numbers follow popularity (names before aliases), so every tier can list its hits
        # best first just by key number, and a scan can stop once it has enough entities.
        keys.sort(key=lambda k: (*self._order(k.entity), not k.is_name, k.text))
        self._keys = keys
        self._first_keys = [
            n for n, k in enumerate(keys) if n == 0 or keys[n - 1].entity != k.entity
        ]
        # Sorted texts for bisection: exact matches, and how big a prefix range is.
        by_text = sorted(range(len(keys)), key=lambda n: keys[n].text)
        self._sorted_texts = [keys[n].text for n in by_text]
        self._sorted_keys = by_text
        # Later-word suffixes ("jackson 5" from "the jackson 5") for word-prefix look-ups.
        words = sorted(
            (k.text[i + 1 :], n)
            for n, k in enumerate(keys)
            for i, ch in enumerate(k.text)
            if ch == " "
        )
        self._word_texts = [w for w, _ in words]
        self._word_keys = [n for _, n in words]
        # Every key in one string, in key order, for C-speed finds; starts[n]: where key n begins.
        self._starts: list[int] = []
        offset = 1
        for k in keys:
            self._starts.append(offset)
            offset += len(k.text) + 1
        self._haystack = "\n" + "\n".join(k.text for k in keys) + "\n"
        # Word tables for the typo-tolerant tier.
        self._postings: dict[str, list[int]] = {}
        for n, k in enumerate(keys):
            if k.spaced:
                for word in set(k.text.split()):
                    self._postings.setdefault(word, []).append(n)
        # Every indexed word and its prefixes (3 to 10 letters), by each one-deletion form.
        self._prefix_deletes: dict[str, list[str]] = {}
        prefixes = {
            word[:end]
            for word in self._postings
            if not _has_hangul(word)
            for end in (
                *range(min(_MIN_PREFIX_LEN, len(word)), min(_MAX_PREFIX_LEN, len(word)) + 1),
                len(word),
            )
        }
        for prefix in prefixes:
            for variant in _deletes(prefix):
                self._prefix_deletes.setdefault(variant, []).append(prefix)
        self._vocabulary = sorted(self._postings)
        # Every name and alias by its fold: the lowest key number of each entity it names.
        self._folded: dict[str, dict[int, int]] = {}
        for n, k in enumerate(keys):
            if k.spaced:
                self._folded.setdefault(fold(k.written), {}).setdefault(k.entity, n)

    @staticmethod
    def _variants(written: str) -> list[tuple[str, bool]]:
        """Forms a name is found by: as written, without "the", run together, and as jamo."""
        base = normalise(written)
        forms = [base]
        if base.startswith("the "):
            forms.append(base[4:])
        other = [f.replace(" ", "") for f in forms]
        if _has_hangul(base):
            other += [jamo(f) for f in [*forms, *other]]
        return [(f, True) for f in forms] + [(f, False) for f in other]

    def _order(self, entity: int) -> tuple[int, str]:
        return (self._rank[entity], self._entities[entity].name.casefold())

    def __len__(self) -> int:
        return len(self._entities)

    def entity(self, entity_id: str) -> Named | None:
        index = self._by_id.get(entity_id)
        return None if index is None else self._entities[index]

    # ------------------------------------------------------------------ tiers
    # Each finder yields key numbers in increasing order (best first); callers stop early.
    @staticmethod
    def _range(texts: list[str], prefix: str) -> tuple[int, int]:
        return bisect_left(texts, prefix), bisect_left(texts, prefix + "\U0010ffff")

    def _same_fold(self, text: str) -> list[int]:
        """Keys (one per entity, best first) whose name or alias folds like ``text``."""
        return sorted(self._folded.get(fold(text), {}).values())

    def _exact(self, query: str) -> Iterator[int]:
        start = bisect_left(self._sorted_texts, query)
        stop = bisect_right(self._sorted_texts, query)
        return iter(sorted(self._sorted_keys[start:stop]))

    def _prefix(self, query: str) -> Iterator[int]:
        start, stop = self._range(self._sorted_texts, query)
        if stop - start <= _SMALL_RANGE:
            return iter(sorted(self._sorted_keys[start:stop]))
        return self._scan("\n" + query)  # many hits: walk them best first, stop when enough

    def _word_prefix(self, query: str) -> Iterator[int]:
        start, stop = self._range(self._word_texts, query)
        if stop - start <= _SMALL_RANGE:
            return iter(sorted(self._word_keys[start:stop]))
        return self._scan(" " + query)

    def _substring(self, query: str) -> Iterator[int]:
        return self._scan(query)

    def _scan(self, needle: str) -> Iterator[int]:
        """Keys containing ``needle`` (which may start with the key separator), best first."""
        lead = 1 if needle.startswith("\n") else 0
        position = self._haystack.find(needle)
        while position != -1:
            n = bisect_right(self._starts, position + lead) - 1
            yield n
            # Resume at the separator after key n: one hit per key is enough.
            position = self._haystack.find(needle, self._starts[n] + len(self._keys[n].text))

    def _words_starting(self, prefix: str) -> list[str]:
        start, stop = self._range(self._vocabulary, prefix)
        return self._vocabulary[start:stop]

    def _word_candidates(self, word: str, last: bool) -> dict[str, float]:
        """Indexed words this typed word may mean, scored: 1.0 exact, 0.9 prefix, less per typo."""
        scores: dict[str, float] = {}
        if word in self._postings:
            scores[word] = 1.0
        if last or len(word) >= _MIN_FUZZY_LEN:
            # A word still being typed, or a clipped one ("mich jackson").
            for candidate in self._words_starting(word):
                scores.setdefault(candidate, 0.9)
        typos = _max_typos(word)
        if last and len(word) == _MIN_PREFIX_LEN:
            typos = 1  # "jak" is on its way to "jackson": one slip in a short prefix
        if not typos:
            return scores
        # Symmetric deletes: a typed word and an indexed prefix one typo apart share a form with
        # at most one character removed from each. Verify each prefix found once.
        distances: dict[str, int] = {}
        for variant in _deletes(word):
            for prefix in self._prefix_deletes.get(variant, ()):
                if prefix not in distances:
                    distances[prefix] = edit_distance(word, prefix, typos)
        for prefix, distance in distances.items():
            if distance > typos:
                continue
            if prefix in self._postings and len(word) >= _MIN_FUZZY_LEN:
                score = 0.9 - 0.1 * distance  # a whole word with a typo
                scores[prefix] = max(score, scores.get(prefix, 0.0))
            if last:  # a half-typed word with a typo
                for candidate in self._words_starting(prefix):
                    scores[candidate] = max(0.8 - 0.1 * distance, scores.get(candidate, 0.0))
        return scores

    def _words(self, query: str) -> list[tuple[int, float]]:
        """Keys matching every typed word (typos allowed), with the mean word score."""
        words = query.split()
        meaningful = [w for w in words if w not in _STOPWORDS] or words
        if not meaningful:
            return []
        totals: dict[int, float] = {}
        for position, word in enumerate(meaningful):
            last = position == len(meaningful) - 1 and words[-1] == word
            best_per_key: dict[int, float] = {}
            candidates = self._word_candidates(word, last)
            if word in _SPELLINGS:
                for other, score in self._word_candidates(_SPELLINGS[word], last).items():
                    candidates[other] = max(score, candidates.get(other, 0.0))
            for candidate, score in candidates.items():
                for n in self._postings[candidate]:
                    if score > best_per_key.get(n, 0.0):
                        best_per_key[n] = score
            if position == 0:
                totals = best_per_key
            else:
                totals = {n: s + best_per_key[n] for n, s in totals.items() if n in best_per_key}
            if not totals:
                return []
        return [(n, total / len(meaningful)) for n, total in totals.items()]

    # ------------------------------------------------------------------ public
    def search(self, text: str, limit: int = MAX_RESULTS) -> list[Match]:
        """Up to ``limit`` entities for what was typed, best first (popular ones if nothing typed)."""
        limit = max(0, min(limit, MAX_RESULTS))
        query = normalise(text)
        if not query:
            if is_blank(text):  # nothing typed yet: offer the best-connected entities
                return [self._match(self._keys[n], 0) for n in self._first_keys[:limit]]
            return []  # only punctuation, symbols or emoji: nothing can match
        queries = [query]
        compact = query.replace(" ", "")
        if compact != query:
            queries.append(compact)
        if _has_hangul(query):
            queries += [jamo(q) for q in queries]
        chosen: dict[int, Match] = {}
        for n in self._same_fold(text):  # "the jackson five" is The Jackson 5's alias, refolded
            if self._choose(chosen, n, 0) and len(chosen) >= limit:
                return list(chosen.values())
        tiers = (self._exact, self._prefix, self._word_prefix, self._substring)
        for tier, finder in enumerate(tiers):
            for n in merge(*(finder(q) for q in queries)):
                if self._choose(chosen, n, tier) and len(chosen) >= limit:
                    return list(chosen.values())
        for n, score in sorted(self._words(query), key=lambda hit: (-hit[1], hit[0])):
            if self._choose(chosen, n, len(tiers), score) and len(chosen) >= limit:
                break
        return list(chosen.values())

    def _choose(self, chosen: dict[int, Match], n: int, tier: int, score: float = 1.0) -> bool:
        """Keep the first (best) key found for each entity; True if the entity is new."""
        key = self._keys[n]
        if key.entity in chosen:
            return False
        chosen[key.entity] = self._match(key, tier, score)
        return True

    def _match(self, key: _Key, tier: int, score: float = 1.0) -> Match:
        entity = self._entities[key.entity]
        return Match(entity.id, entity.name, key.written, tier, round(score, 3))

    def resolve(self, text: str, suggestions: int = 5) -> Resolution:
        """An entity id (as autocomplete sends it), or an exact name/alias; else suggestions."""
        stripped = text.strip()
        if stripped in self._by_id:
            return Resolution(stripped)
        query = normalise(text)
        if query:  # an exact name or alias needs no ranking (and no typo search)
            exact_ids = {
                self._entities[self._keys[n].entity].id
                for q in {query, query.replace(" ", "")}
                for n in self._exact(q)
            }
            if len(exact_ids) == 1:
                return Resolution(exact_ids.pop())
            folded = {self._keys[n].entity for n in self._same_fold(text)}
            if len(folded) == 1 and not exact_ids:
                return Resolution(self._entities[folded.pop()].id)
        matches = self.search(text, max(suggestions, 1))
        exact = {m.entity_id for m in matches if m.tier == 0}
        if len(exact) == 1:
            return Resolution(exact.pop())
        return Resolution(None, tuple(matches[:suggestions]))


# ----------------------------------------------------------------------------------------- paths


class Relation(Enum):
    LINEAGE = "lineage"  # a directed chain start → … → end
    REVERSE = "reverse"  # no chain start → end, but one end → … → start
    SHARED_INFLUENCE = "shared-influence"  # no chain either way; something shaped both
    SHARED_LEGACY = "shared-legacy"  # no chain either way, no shared influence; both shaped one
    NONE = "none"  # no lineage, no shared influence or legacy


SHARED_MAX = 5  # shared influences (or legacies) named in one answer


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a walk; the link it uses runs ``walk_from → walk_to`` when ``forward``."""

    walk_from: str
    walk_to: str
    forward: bool = True

    @property
    def link(self) -> tuple[str, str]:
        """(influencer, influenced) of the link this step follows."""
        return (self.walk_from, self.walk_to) if self.forward else (self.walk_to, self.walk_from)


@dataclass(frozen=True, slots=True)
class Connection:
    relation: Relation
    #: the walk: from ``start`` to ``end``, except REVERSE, which walks from ``end`` to ``start``;
    #: every step follows its link's direction. Empty unless LINEAGE or REVERSE.
    steps: tuple[Step, ...] = ()
    #: SHARED_*: what the two share, nearest first (fewest links to both ends in total).
    shared: tuple[str, ...] = ()
    #: SHARED_*: the lineages between the nearest shared entry and each end (start's first):
    #: shared → … → end for an influence, end → … → shared for a legacy.
    branches: tuple[tuple[Step, ...], ...] = ()


class LinkGraph:
    """Directed links "A influenced B" with breadth-first shortest paths."""

    def __init__(self, nodes: Iterable[str], edges: Iterable[tuple[str, str]]):
        self._out: dict[str, list[str]] = {n: [] for n in nodes}
        self._in: dict[str, list[str]] = {n: [] for n in self._out}
        for source, target in edges:
            self._out.setdefault(source, []).append(target)
            self._in.setdefault(target, []).append(source)
            self._out.setdefault(target, [])
            self._in.setdefault(source, [])
        for table in (self._out, self._in):  # sorted: the same query always gives the same path
            for node, neighbours in table.items():
                table[node] = sorted(set(neighbours))

    def __contains__(self, node: str) -> bool:
        return node in self._out

    def degree(self, node: str) -> int:
        return len(self._out.get(node, ())) + len(self._in.get(node, ()))

    def influences_of(self, node: str) -> list[str]:
        return list(self._in.get(node, ()))

    def influenced_by(self, node: str) -> list[str]:
        return list(self._out.get(node, ()))

    def _bfs(self, start: str, end: str) -> tuple[Step, ...] | None:
        if start not in self._out or end not in self._out:
            return None
        parent: dict[str, Step | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for neighbour in self._out[node]:
                if neighbour in parent:
                    continue
                parent[neighbour] = Step(node, neighbour)
                if neighbour == end:
                    steps: list[Step] = []
                    cursor: Step | None = parent[end]
                    while cursor is not None:
                        steps.append(cursor)
                        cursor = parent[cursor.walk_from]
                    return tuple(reversed(steps))
                queue.append(neighbour)
        return None

    def shortest_path(self, start: str, end: str) -> tuple[Step, ...] | None:
        """The fewest links start → … → end, all followed in their direction (None if none)."""
        return () if start == end and start in self._out else self._bfs(start, end)

    def connection(self, start: str, end: str) -> Connection:
        """How ``start`` and ``end`` are connected, always along the direction of influence:
        a lineage either way, else what shaped both, else what both shaped, else nothing."""
        if start == end or start not in self._out or end not in self._out:
            return Connection(Relation.NONE)
        for relation, a, b in ((Relation.LINEAGE, start, end), (Relation.REVERSE, end, start)):
            steps = self._bfs(a, b)
            if steps is not None:
                return Connection(relation, steps)
        ancestors = self._shared(start, end, self._in)
        legacies = self._shared(start, end, self._out)
        if ancestors:
            branches = tuple(self._bfs(ancestors[0], x) or () for x in (start, end))
            return Connection(Relation.SHARED_INFLUENCE, shared=ancestors, branches=branches)
        if legacies:
            branches = tuple(self._bfs(x, legacies[0]) or () for x in (start, end))
            return Connection(Relation.SHARED_LEGACY, shared=legacies, branches=branches)
        return Connection(Relation.NONE)

    def _distances(self, node: str, table: dict[str, list[str]]) -> dict[str, int]:
        """Links from ``node`` to every entry reachable through ``table`` (in: its influences)."""
        found = {node: 0}
        queue = deque([node])
        while queue:
            current = queue.popleft()
            for neighbour in table[current]:
                if neighbour not in found:
                    found[neighbour] = found[current] + 1
                    queue.append(neighbour)
        return found

    def _shared(self, a: str, b: str, table: dict[str, list[str]]) -> tuple[str, ...]:
        """Entries reached from both ``a`` and ``b`` through ``table``, nearest first (fewest links
        in total, then the better connected)."""
        from_a, from_b = self._distances(a, table), self._distances(b, table)
        common = (set(from_a) & set(from_b)) - {a, b}
        ranked = sorted(common, key=lambda n: (from_a[n] + from_b[n], -self.degree(n), n))
        return tuple(ranked[:SHARED_MAX])

    def nearest(self, node: str, limit: int = 5) -> list[tuple[str, int]]:
        """Up to ``limit`` other entities closest to ``node`` (links in either direction), with hops.

        At equal distance, better-connected entities first.
        """
        if node not in self._out or limit <= 0:
            return []
        found: list[tuple[str, int]] = []
        seen = {node}
        frontier = [node]
        distance = 0
        while frontier and len(found) < limit:
            distance += 1
            ring = sorted(
                {n for f in frontier for n in (*self._out[f], *self._in[f])} - seen,
                key=lambda n: (-self.degree(n), n),
            )
            seen.update(ring)
            found += [(n, distance) for n in ring[: limit - len(found)]]
            frontier = ring
        return found
