"""The influence graph: artists, groups, producers, labels, genres and who shaped whom.

The content lives in ``data/influence.toml``: ``[[entities]]`` (the nodes) and ``[[links]]`` (directed
edges "``from`` influenced ``to``"). :func:`check_influence` lists every problem in a raw table without
raising; :func:`load_influence` returns a :class:`Graph` or raises ``ValueError``.

The Korean lives in ``data/ko/influence.toml`` (:func:`check_influence_korean`): each entity's
Hangul name and the Korean renderings the Korean press uses (each with the page it was read on),
which join its aliases so lookups work in both scripts, and a Korean note for each link.

This module only loads and checks the data. Search, autocomplete and paths belong to
``bot/influence_graph.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import bot
from bot.content.common import (
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
    KoreanCheck,
    NoteBasis,
    by_id,
    check_top_level,
    english_by_key,
    has_hangul,
    korean_entries,
    korean_source,
    load_with_korean,
    pick,
    shows_translation,
)

DEFAULT_PATH: Path = bot.DATA_DIR / "influence.toml"

#: What a node is.
ENTITY_KINDS: frozenset[str] = frozenset({"artist", "group", "producer", "label", "genre", "scene"})

#: How an edge is supported: the artist's own words, a producer or songwriter credit, a cover, a
#: sample, an interpolation (the music re-recorded, not the recording itself, when the source says
#: so), a critic's or scholar's comparison, or a genre lineage.
LINK_KINDS: frozenset[str] = frozenset(
    {"own-words", "credit", "cover", "sample", "interpolation", "critic", "lineage"}
)

NAME_MAX = 80
ORIGIN_MAX = 80
ACTIVE_MAX = 40
ALIAS_MAX = 60
NOTE_MAX = 200
DISPUTED_MAX = 300

_TOP_LEVEL_KEYS = frozenset({"entities", "links"})
_ENTITY_KEYS = frozenset({"id", "name", "kind", "origin", "active", "as_of", "aliases", "source"})
_LINK_KEYS = frozenset({"from", "to", "kind", "note", "disputed", "source"})
_AS_OF = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
# An open-ended range ("2013–present") describes something still changing: it needs an as_of date.
_STILL_ACTIVE = re.compile(r"present\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Entity:
    """One node: a person, group, label, genre or scene.

    ``active`` is a short range ("1992–1996", "2013–present"); for a genre it is the era.
    ``as_of`` dates an open-ended range: the date of the source that shows it still active.
    """

    id: str
    name: str
    kind: str
    origin: str
    active: str
    aliases: tuple[str, ...]
    source: Source
    as_of: str = ""
    #: The Hangul name Korean press uses ("" when none was found); also among ``aliases``.
    ko_name: str = ""
    #: Other Korean renderings, also among ``aliases``.
    ko_aliases: tuple[str, ...] = ()
    ko_origin: str = ""
    #: The Korean origin was translated from the English source (shown as 번역).
    ko_translated: bool = False
    #: The Korean page the Hangul name and renderings were read on.
    ko_source: Source | None = None

    def name_for(self, language: str) -> str:
        """The Hangul name for a Korean reader when there is one, else the English name."""
        return pick(language, self.name, self.ko_name)

    def origin_for(self, language: str) -> str:
        return pick(language, self.origin, self.ko_origin)

    def is_translation(self, language: str) -> bool:
        """True when the origin shown in ``language`` is our translation (mark it 번역)."""
        return shows_translation(language, self.ko_origin, self.ko_translated)

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by every alias."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Link(NoteBasis):
    """One directed edge: ``source_id`` influenced ``target_id``, and how we know."""

    source_id: str
    target_id: str
    kind: str
    note: str
    disputed: str
    source: Source
    ko_note: str = ""
    ko_disputed: str = ""
    #: The Korean was translated from the English source (shown as 번역).
    ko_translated: bool = False
    ko_source: Source | None = None


@dataclass(frozen=True, slots=True)
class Graph:
    """All entities by id, and all links in file order."""

    entities: dict[str, Entity]
    links: tuple[Link, ...]

    def influences_of(self, entity_id: str) -> tuple[Link, ...]:
        """Links into ``entity_id``: who or what influenced it. ``KeyError`` for an unknown id."""
        self._require(entity_id)
        return tuple(link for link in self.links if link.target_id == entity_id)

    def influenced_by(self, entity_id: str) -> tuple[Link, ...]:
        """Links out of ``entity_id``: whom or what it influenced. ``KeyError`` for an unknown id."""
        self._require(entity_id)
        return tuple(link for link in self.links if link.source_id == entity_id)

    def _require(self, entity_id: str) -> None:
        if entity_id not in self.entities:
            raise KeyError(entity_id)


def check_influence(raw: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in a raw influence table; never raises."""
    problems: list[Problem] = []
    arrays = check_document(problems, raw, file, _TOP_LEVEL_KEYS, ("entities", "links"))
    if arrays is None:
        return problems
    ids = _check_entities(problems, file, arrays.get("entities", []))
    _check_links(problems, file, arrays.get("links", []), ids)
    return problems


def _check_entities(problems: list[Problem], file: str, entities: list[Any]) -> set[str]:
    """Check every ``[[entities]]`` table; return the ids that links may point at."""
    seen_ids: set[str] = set()
    # Folded name or alias -> the entry that first used it.
    seen_names: dict[str, str] = {}
    for name, entry in each_table(problems, file, entities, partial(entry_name, "entity")):
        check_id(problems, file, name, entry.get("id"), seen_ids)
        check_text(problems, file, name, entry, "name", limit=NAME_MAX)
        _check_kind(problems, file, name, entry.get("kind"), ENTITY_KINDS)
        check_text(problems, file, name, entry, "origin", limit=ORIGIN_MAX)
        check_text(problems, file, name, entry, "active", limit=ACTIVE_MAX)
        _check_as_of(problems, file, name, entry)
        _check_names(problems, file, name, entry, seen_names)
        check_source(problems, file, name, entry.get("source"))
        check_keys(problems, file, name, entry, _ENTITY_KEYS)
    return seen_ids


def _check_kind(
    problems: list[Problem], file: str, name: str, value: object, allowed: frozenset[str]
) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, name, "'kind' is missing or empty"))
    elif value not in allowed:
        choices = " | ".join(sorted(allowed))
        problems.append(Problem(file, name, f"unknown kind {value!r} (use {choices})"))


def _check_as_of(problems: list[Problem], file: str, name: str, entry: dict[str, Any]) -> None:
    value = entry.get("as_of")
    if value is None:
        active = entry.get("active")
        if isinstance(active, str) and _STILL_ACTIVE.search(active):
            problems.append(
                Problem(file, name, f"'active' is open-ended ({active!r}): add an 'as_of' date")
            )
    elif not isinstance(value, str) or not _AS_OF.match(value):
        problems.append(
            Problem(file, name, f"'as_of' {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        )


def _check_names(
    problems: list[Problem],
    file: str,
    name: str,
    entry: dict[str, Any],
    seen: dict[str, str],
) -> None:
    """Aliases are a list of short texts; no name or alias may belong to two entities."""
    names: list[str] = []
    if isinstance(entry.get("name"), str) and entry["name"].strip():
        names.append(entry["name"])
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list):
        problems.append(Problem(file, name, "'aliases' must be a list of texts (or left out)"))
        aliases = []
    for alias in aliases:
        if not isinstance(alias, str) or not alias.strip():
            problems.append(Problem(file, name, f"alias {alias!r} is not a non-empty text"))
        elif len(alias) > ALIAS_MAX:
            problems.append(
                Problem(file, name, f"alias {alias!r} is {len(alias)} characters (max {ALIAS_MAX})")
            )
        else:
            names.append(alias)
    own: set[str] = set()
    for text in names:
        key = normalized(text)
        if key in own:
            problems.append(Problem(file, name, f"{text!r} is listed twice for this entity"))
            continue
        own.add(key)
        if key in seen:
            problems.append(
                Problem(file, name, f"name or alias {text!r} is already used by {seen[key]}")
            )
        else:
            seen[key] = name


def _link_name(index: int, entry: object) -> str:
    """How a problem names a link: its position and, when known, its two ends."""
    if isinstance(entry, dict):
        start, end = entry.get("from"), entry.get("to")
        if isinstance(start, str) and isinstance(end, str):
            return f"link #{index + 1} ({start} → {end})"
    return f"link #{index + 1}"


def _check_links(problems: list[Problem], file: str, links: list[Any], ids: set[str]) -> None:
    seen_pairs: dict[tuple[str, str], str] = {}
    seen_notes: dict[str, str] = {}
    for name, entry in each_table(problems, file, links, _link_name):
        ends_ok = True
        for key in ("from", "to"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(file, name, f"'{key}' is missing or empty"))
                ends_ok = False
            elif value not in ids:
                problems.append(Problem(file, name, f"'{key}' names no entity: {value!r}"))
                ends_ok = False
        if ends_ok:
            pair = (entry["from"], entry["to"])
            if pair[0] == pair[1]:
                problems.append(Problem(file, name, "a link cannot point from an entity to itself"))
            elif pair in seen_pairs:
                problems.append(
                    Problem(file, name, f"duplicate link (same ends as {seen_pairs[pair]})")
                )
            else:
                seen_pairs[pair] = name
        _check_kind(problems, file, name, entry.get("kind"), LINK_KINDS)
        check_text(problems, file, name, entry, "note", limit=NOTE_MAX)
        check_unique_text(problems, file, name, entry.get("note"), seen_notes, "same note as {}")
        _check_disputed(problems, file, name, entry)
        check_source(problems, file, name, entry.get("source"))
        check_keys(problems, file, name, entry, _LINK_KEYS)


def _check_disputed(problems: list[Problem], file: str, name: str, entry: dict[str, Any]) -> None:
    value = entry.get("disputed", "")
    if not isinstance(value, str):
        problems.append(Problem(file, name, "'disputed' must be text (leave it out if undisputed)"))
    elif len(value) > DISPUTED_MAX:
        problems.append(
            Problem(file, name, f"'disputed' is {len(value)} characters (max {DISPUTED_MAX})")
        )


_KO_TOP_LEVEL_KEYS = frozenset({"entities", "links"})
_KO_ENTITY_KEYS = frozenset({"name", "aliases", "origin", "translated", "source"})
_KO_LINK_KEYS = frozenset({"note", "disputed", "translated", "source"})


def link_key(entry: dict[str, Any]) -> object:
    """How the Korean file names a link: ``"from>to"``."""
    start, end = entry.get("from"), entry.get("to")
    return f"{start}>{end}" if isinstance(start, str) and isinstance(end, str) else None


def check_influence_korean(raw: dict[str, Any], korean: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in the Korean twin of an influence table, checked against the English."""
    problems: list[Problem] = []
    check_top_level(problems, file, korean, _KO_TOP_LEVEL_KEYS)
    entities = english_by_key(raw.get("entities"), by_id)
    # Every folded English name and alias -> the entity id it belongs to.
    owners: dict[str, str] = {}
    for entity_id, entity in entities.items():
        aliases = entity.get("aliases")
        for text in [entity.get("name"), *(aliases if isinstance(aliases, list) else [])]:
            if isinstance(text, str) and text.strip():
                owners.setdefault(normalized(text), entity_id)
    for ko, entity in korean_entries(
        problems, file, korean, "entities", entities, lambda key: f"entity {key!r}", _KO_ENTITY_KEYS
    ):
        ko.text("origin", entity.get("origin"), limit=ORIGIN_MAX)
        _check_korean_names(ko, entity, owners)
        ko.basis()
    links = english_by_key(raw.get("links"), link_key)
    for ko, link in korean_entries(
        problems, file, korean, "links", links, lambda key: f"link {key!r}", _KO_LINK_KEYS
    ):
        ko.text("note", link.get("note"), limit=NOTE_MAX)
        ko.text_as_english("disputed", link.get("disputed"), limit=DISPUTED_MAX, owner="link")
        ko.basis()
    return problems


def _check_korean_names(ko: KoreanCheck, english: dict[str, Any], owners: dict[str, str]) -> None:
    """A Hangul name and renderings, each in Hangul, read on a source page named beside them,
    and none that already names another entity."""
    table, entity_id = ko.table, english["id"]
    names: list[str] = []
    if "name" in table:
        ko.text("name", english.get("name"), limit=NAME_MAX)
        if isinstance(table["name"], str) and table["name"].strip():
            names.append(table["name"])
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list):
        ko.report("'aliases' must be a list of texts (or left out)")
        aliases = []
    for alias in aliases:
        if not isinstance(alias, str) or not alias.strip():
            ko.report(f"alias {alias!r} is not a non-empty text")
        elif not has_hangul(alias):
            ko.report(f"alias {alias!r} has no Hangul")
        elif len(alias) > ALIAS_MAX:
            ko.report(f"alias {alias!r} is {len(alias)} characters (max {ALIAS_MAX})")
        else:
            names.append(alias)
    if names and "source" not in table:
        ko.report(f"Korean name {names[0]!r} has no source (add its source table)")
    for text in names:
        owner = owners.setdefault(normalized(text), entity_id)
        if owner != entity_id:
            ko.report(f"Korean name {text!r} already names {owner!r}")


def graph_from(raw: dict[str, Any], korean: dict[str, Any] | None = None) -> Graph:
    """Build the graph from a table that :func:`check_influence` has passed, and its Korean twin
    that :func:`check_influence_korean` has passed."""
    ko_entities: dict[str, dict[str, Any]] = (korean or {}).get("entities", {})
    ko_links: dict[str, dict[str, Any]] = (korean or {}).get("links", {})
    entities = {
        entry["id"]: _entity(entry, ko_entities.get(entry["id"], {})) for entry in raw["entities"]
    }
    links = tuple(
        _link(entry, ko_links.get(f"{entry['from']}>{entry['to']}", {})) for entry in raw["links"]
    )
    return Graph(entities=entities, links=links)


def _entity(entry: dict[str, Any], ko: dict[str, Any]) -> Entity:
    english_aliases = tuple(entry.get("aliases", ()))
    ko_name: str = ko.get("name", "")
    ko_aliases = tuple(ko.get("aliases", ()))
    # The Korean names join the aliases (once each), so search finds the entity in both scripts.
    seen = {normalized(text) for text in (entry["name"], *english_aliases)}
    aliases = list(english_aliases)
    for text in (ko_name, *ko_aliases):
        if text and normalized(text) not in seen:
            seen.add(normalized(text))
            aliases.append(text)
    return Entity(
        id=entry["id"],
        name=entry["name"],
        kind=entry["kind"],
        origin=entry["origin"],
        active=entry["active"],
        aliases=tuple(aliases),
        source=source_from(entry["source"]),
        as_of=entry.get("as_of", ""),
        ko_name=ko_name,
        ko_aliases=ko_aliases,
        ko_origin=ko.get("origin", ""),
        ko_translated=ko.get("translated", False),
        ko_source=korean_source(ko),
    )


def _link(entry: dict[str, Any], ko: dict[str, Any]) -> Link:
    return Link(
        source_id=entry["from"],
        target_id=entry["to"],
        kind=entry["kind"],
        note=entry["note"],
        disputed=entry.get("disputed", ""),
        source=source_from(entry["source"]),
        ko_note=ko.get("note", ""),
        ko_disputed=ko.get("disputed", ""),
        ko_translated=ko.get("translated", False),
        ko_source=korean_source(ko),
    )


def load_influence(path: Path = DEFAULT_PATH) -> Graph:
    """Read and check the influence file and its Korean (``ko/influence.toml`` beside it);
    ``ValueError`` listing every problem if any."""
    return load_with_korean(path, check_influence, check_influence_korean, graph_from)
