"""Tests for the influence-graph loader and checker, on the real file and on small broken tables."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bot.content.common import Problem, Source, read_toml
from cogs.influence.content import (
    DEFAULT_PATH,
    ENTITY_KINDS,
    LINK_KINDS,
    NOTE_MAX,
    Entity,
    Graph,
    Link,
    check_influence,
    check_influence_korean,
    load_influence,
    normalized,
)
from cogs.influence.graph import Named, NameIndex

FILE = "influence.toml"


def _source(**overrides: Any) -> dict[str, Any]:
    source: dict[str, Any] = {
        "url": "https://example.com/article",
        "publication": "Example Magazine",
        "date": "2020-01-02",
    }
    source.update(overrides)
    return source


def _entity(entity_id: str, name: str, **overrides: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": entity_id,
        "name": name,
        "kind": "group",
        "origin": "Somewhere",
        "active": "1990–2000",
        "aliases": [],
        "source": _source(),
    }
    entity.update(overrides)
    return entity


def _link(start: str = "jackson-5", end: str = "twice", **overrides: Any) -> dict[str, Any]:
    link: dict[str, Any] = {
        "from": start,
        "to": end,
        "kind": "cover",
        "note": "TWICE covered “I Want You Back”.",
        "source": _source(),
    }
    link.update(overrides)
    return link


def _raw() -> dict[str, Any]:
    """A small table with no problems: three entities, two links."""
    return {
        "entities": [
            _entity("jackson-5", "The Jackson 5", aliases=["Jackson 5", "J5"]),
            _entity(
                "twice", "TWICE", active="2015–present", as_of="2020-10-19", aliases=["트와이스"]
            ),
            _entity("jy-park", "J.Y. Park", kind="producer", aliases=["Park Jin-young"]),
        ],
        "links": [
            _link(),
            _link("jy-park", "twice", kind="credit", note="Park wrote “BDZ” for TWICE."),
        ],
    }


def _messages(raw: dict[str, Any]) -> str:
    return "\n".join(str(problem) for problem in check_influence(raw, FILE))


# --- the real file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_influence()


def test_real_file_has_no_problems() -> None:
    assert check_influence(read_toml(DEFAULT_PATH), DEFAULT_PATH.name) == []


def test_real_file_loads_with_enough_content(graph: Graph) -> None:
    assert len(graph.entities) >= 62
    assert len(graph.links) >= 64
    assert all(isinstance(entity, Entity) for entity in graph.entities.values())
    assert all(isinstance(link, Link) for link in graph.links)
    assert all(isinstance(link.source, Source) for link in graph.links)
    assert all(entity_id == entity.id for entity_id, entity in graph.entities.items())


def test_real_file_kinds_and_endpoints(graph: Graph) -> None:
    assert {entity.kind for entity in graph.entities.values()} <= ENTITY_KINDS
    assert {link.kind for link in graph.links} <= LINK_KINDS
    for link in graph.links:
        assert link.source_id in graph.entities
        assert link.target_id in graph.entities
        assert link.source_id != link.target_id
        assert 0 < len(link.note) <= NOTE_MAX


def test_real_file_every_entity_is_connected(graph: Graph) -> None:
    lonely = [
        entity_id
        for entity_id in graph.entities
        if not graph.influences_of(entity_id) and not graph.influenced_by(entity_id)
    ]
    assert lonely == []


def test_real_file_covers_the_lineage_the_film_names(graph: Graph) -> None:
    for entity_id in (
        "motown",
        "jackson-5",
        "new-edition",
        "tlc",
        "swv",
        "the-beatles",
        "blues",
        "seo-taiji-and-boys",
        "teddy-riley",
        "newjeans",
    ):
        assert entity_id in graph.entities, entity_id


def test_real_file_open_ended_entities_are_dated(graph: Graph) -> None:
    for entity in graph.entities.values():
        if entity.active.rstrip().endswith("present"):
            assert entity.as_of, entity.id


def test_real_file_never_uses_the_banned_source(graph: Graph) -> None:
    urls = [entity.source.url for entity in graph.entities.values()]
    urls += [link.source.url for link in graph.links]
    assert not [url for url in urls if "unionjournalism" in url]
    assert "unionjournalism" not in DEFAULT_PATH.read_text(encoding="utf-8")


def test_real_file_weak_new_edition_link_is_marked_disputed(graph: Graph) -> None:
    weak = [link for link in graph.influences_of("k-pop") if link.source_id == "new-edition"]
    assert all(link.is_disputed for link in weak)


def test_real_file_names_and_aliases_are_unique(graph: Graph) -> None:
    seen: dict[str, str] = {}
    for entity in graph.entities.values():
        for text in entity.names:
            key = normalized(text)
            assert seen.setdefault(key, entity.id) == entity.id, text


# --- Graph queries ---------------------------------------------------------------------------


def test_influences_of_and_influenced_by(graph: Graph) -> None:
    into_bts = {link.source_id for link in graph.influences_of("bts")}
    assert {"michael-jackson", "seo-taiji-and-boys", "bigbang"} <= into_bts
    assert all(link.target_id == "bts" for link in graph.influences_of("bts"))
    out_of_riley = {link.target_id for link in graph.influenced_by("teddy-riley")}
    assert {"girls-generation", "shinee", "new-jack-swing"} <= out_of_riley
    assert all(link.source_id == "teddy-riley" for link in graph.influenced_by("teddy-riley"))


def test_queries_reject_unknown_ids(graph: Graph) -> None:
    with pytest.raises(KeyError):
        graph.influences_of("no-such-entity")
    with pytest.raises(KeyError):
        graph.influenced_by("no-such-entity")


# --- the checker on small tables -------------------------------------------------------------


def test_minimal_table_is_clean() -> None:
    assert check_influence(_raw(), FILE) == []


def test_non_table_top_level() -> None:
    problems = check_influence([], FILE)  # type: ignore[arg-type]
    assert problems == [Problem(FILE, "file", "top level must be a table")]


def test_unknown_top_level_key() -> None:
    raw = _raw()
    raw["extra"] = 1
    assert "unknown top-level keys: ['extra']" in _messages(raw)


def test_missing_entities_and_links() -> None:
    messages = _messages({})
    assert "'entities' must be a non-empty array" in messages
    assert "'links' must be a non-empty array" in messages


@pytest.mark.parametrize("key", ["name", "origin", "active"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_or_empty_entity_field(key: str, value: object) -> None:
    raw = _raw()
    if value is None:
        del raw["entities"][0][key]
    else:
        raw["entities"][0][key] = value
    assert f"entity 'jackson-5': '{key}' is missing or empty" in _messages(raw)


def test_entity_field_too_long() -> None:
    raw = _raw()
    raw["entities"][0]["name"] = "x" * 81
    assert "'name' is 81 characters (max 80)" in _messages(raw)


def test_missing_entity_kind() -> None:
    raw = _raw()
    del raw["entities"][0]["kind"]
    assert "entity 'jackson-5': 'kind' is missing or empty" in _messages(raw)


def test_unknown_entity_kind() -> None:
    raw = _raw()
    raw["entities"][0]["kind"] = "band"
    assert "entity 'jackson-5': unknown kind 'band'" in _messages(raw)


def test_unknown_entity_key() -> None:
    raw = _raw()
    raw["entities"][0]["genre"] = "soul"
    assert "entity 'jackson-5': unknown keys: ['genre']" in _messages(raw)


def test_bad_entity_id() -> None:
    raw = _raw()
    raw["entities"][0]["id"] = "Jackson 5"
    assert "'id' must be lowercase letters, digits and dashes" in _messages(raw)


def test_duplicate_entity_id() -> None:
    raw = _raw()
    raw["entities"].append(_entity("twice", "Twice Again"))
    assert "duplicate id 'twice'" in _messages(raw)


def test_alias_collides_with_another_entity_alias() -> None:
    raw = _raw()
    raw["entities"][2]["aliases"] = ["j5"]
    assert (
        "entity 'jy-park': name or alias 'j5' is already used by entity 'jackson-5'"
        in _messages(raw)
    )


def test_name_collides_case_insensitively() -> None:
    raw = _raw()
    raw["entities"].append(_entity("twice-2", "twice"))
    assert "name or alias 'twice' is already used by entity 'twice'" in _messages(raw)


def test_alias_collides_with_another_entity_name_across_whitespace() -> None:
    raw = _raw()
    raw["entities"][2]["aliases"] = ["The  Jackson 5"]
    assert "is already used by entity 'jackson-5'" in _messages(raw)


def test_alias_repeated_within_one_entity() -> None:
    raw = _raw()
    raw["entities"][0]["aliases"] = ["Jackson 5", "JACKSON 5"]
    assert "'JACKSON 5' is listed twice for this entity" in _messages(raw)


@pytest.mark.parametrize("aliases", ["J5", ["", "J5"], [5]])
def test_malformed_aliases(aliases: object) -> None:
    raw = _raw()
    raw["entities"][0]["aliases"] = aliases
    messages = _messages(raw)
    assert "'aliases' must be a list" in messages or "is not a non-empty text" in messages


def test_alias_too_long() -> None:
    raw = _raw()
    raw["entities"][0]["aliases"] = ["x" * 61]
    assert "(max 60)" in _messages(raw)


def test_open_ended_range_needs_as_of() -> None:
    raw = _raw()
    del raw["entities"][1]["as_of"]
    assert "entity 'twice': 'active' is open-ended" in _messages(raw)


@pytest.mark.parametrize("as_of", ["2020-13", "19/10/2020", "", 2020])
def test_malformed_as_of(as_of: object) -> None:
    raw = _raw()
    raw["entities"][1]["as_of"] = as_of
    assert "entity 'twice': 'as_of'" in _messages(raw)


def test_missing_entity_source() -> None:
    raw = _raw()
    del raw["entities"][0]["source"]
    assert "entity 'jackson-5': missing 'source'" in _messages(raw)


def test_malformed_entity_source_url_and_date() -> None:
    raw = _raw()
    raw["entities"][0]["source"] = _source(url="example.com/page", date="June 2020")
    messages = _messages(raw)
    assert "source url is malformed" in messages
    assert "is not YYYY, YYYY-MM or YYYY-MM-DD" in messages


def test_entity_source_missing_publication() -> None:
    raw = _raw()
    del raw["entities"][0]["source"]["publication"]
    assert "source 'publication' is missing or empty" in _messages(raw)


def test_entity_not_a_table() -> None:
    raw = _raw()
    raw["entities"].append("jackson-5")
    assert "entity #4: entry must be a table" in _messages(raw)


@pytest.mark.parametrize("key", ["from", "to"])
def test_link_end_missing(key: str) -> None:
    raw = _raw()
    del raw["links"][0][key]
    assert f"'{key}' is missing or empty" in _messages(raw)


def test_link_end_names_no_entity() -> None:
    raw = _raw()
    raw["links"][0]["to"] = "bts"
    assert "link #1 (jackson-5 → bts): 'to' names no entity: 'bts'" in _messages(raw)


def test_self_loop() -> None:
    raw = _raw()
    raw["links"][0]["to"] = "jackson-5"
    assert "link #1 (jackson-5 → jackson-5): a link cannot point" in _messages(raw)


def test_duplicate_link() -> None:
    raw = _raw()
    raw["links"].append(_link(kind="critic", note="A different note about the same pair."))
    assert "link #3 (jackson-5 → twice): duplicate link (same ends as link #1" in _messages(raw)


def test_reverse_link_is_not_a_duplicate() -> None:
    raw = _raw()
    raw["links"].append(_link("twice", "jackson-5", note="A reverse edge, odd but allowed."))
    assert "duplicate link" not in _messages(raw)


def test_missing_link_kind() -> None:
    raw = _raw()
    raw["links"][0]["kind"] = ""
    assert "link #1 (jackson-5 → twice): 'kind' is missing or empty" in _messages(raw)


def test_unknown_link_kind() -> None:
    raw = _raw()
    raw["links"][0]["kind"] = "remix"
    assert "unknown kind 'remix'" in _messages(raw)


@pytest.mark.parametrize("value", [None, "", " "])
def test_missing_or_empty_note(value: object) -> None:
    raw = _raw()
    if value is None:
        del raw["links"][0]["note"]
    else:
        raw["links"][0]["note"] = value
    assert "'note' is missing or empty" in _messages(raw)


def test_note_too_long() -> None:
    raw = _raw()
    raw["links"][0]["note"] = "x" * (NOTE_MAX + 1)
    assert f"'note' is {NOTE_MAX + 1} characters (max {NOTE_MAX})" in _messages(raw)


def test_duplicate_note_text() -> None:
    raw = _raw()
    raw["links"][1]["note"] = "  twice COVERED “I Want You Back”. "
    assert "link #2 (jy-park → twice): same note as link #1" in _messages(raw)


def test_disputed_must_be_short_text() -> None:
    raw = _raw()
    raw["links"][0]["disputed"] = ["no"]
    assert "'disputed' must be text" in _messages(raw)
    raw["links"][0]["disputed"] = "x" * 301
    assert "'disputed' is 301 characters (max 300)" in _messages(raw)


def test_unknown_link_key() -> None:
    raw = _raw()
    raw["links"][0]["weight"] = 3
    assert "link #1 (jackson-5 → twice): unknown keys: ['weight']" in _messages(raw)


def test_missing_link_source() -> None:
    raw = _raw()
    del raw["links"][0]["source"]
    assert "link #1 (jackson-5 → twice): missing 'source'" in _messages(raw)


def test_malformed_link_source() -> None:
    raw = _raw()
    raw["links"][0]["source"] = _source(url="ftp://example.com/x", date="2020-02-30x", extra="y")
    messages = _messages(raw)
    assert "source url is malformed" in messages
    assert "is not YYYY, YYYY-MM or YYYY-MM-DD" in messages
    assert "source has unknown keys: ['extra']" in messages


def test_link_not_a_table() -> None:
    raw = _raw()
    raw["links"].append(["jackson-5", "twice"])
    assert "link #3: entry must be a table" in _messages(raw)


def test_every_problem_is_reported_at_once() -> None:
    raw = _raw()
    raw["entities"][0]["kind"] = "band"
    raw["entities"][2]["aliases"] = ["J5"]
    raw["links"][0]["to"] = "nobody"
    raw["links"][1]["source"] = {}
    problems = check_influence(raw, FILE)
    assert len(problems) >= 4
    assert all(problem.file == FILE for problem in problems)


def test_checker_does_not_modify_its_input() -> None:
    raw = _raw()
    raw["links"][0]["kind"] = "nope"
    before = copy.deepcopy(raw)
    check_influence(raw, FILE)
    assert raw == before


# --- load_influence --------------------------------------------------------------------------

_GOOD_TOML = """
[[entities]]
id = "jackson-5"
name = "The Jackson 5"
kind = "group"
origin = "Gary, Indiana, United States"
active = "1964–1980s"
aliases = ["J5"]
[entities.source]
url = "https://example.com/j5"
publication = "Example"
date = "2024-09-16"

[[entities]]
id = "twice"
name = "TWICE"
kind = "group"
origin = "South Korea"
active = "2015–present"
as_of = "2020-10-19"
[entities.source]
url = "https://example.com/twice"
publication = "Example"
date = "2020-10-19"

[[links]]
from = "jackson-5"
to = "twice"
kind = "cover"
note = "TWICE covered a Jackson 5 hit."
[links.source]
url = "https://example.com/cover"
publication = "Example"
date = "2018-06"
via = "Example reprint"
"""


_GOOD_KOREAN = """
[entities.jackson-5]
name = "잭슨 파이브"
aliases = ["잭슨파이브"]
origin = "미국"
translated = true
[entities.jackson-5.source]
url = "https://example.com/ko"
publication = "예시 신문"
date = "2023-06-25"

[entities.twice]
origin = "대한민국"
translated = true

[links."jackson-5>twice"]
note = "트와이스가 잭슨 파이브의 히트곡을 커버했어요."
translated = true
"""


def test_load_builds_the_graph(tmp_path: Path) -> None:
    path = tmp_path / "influence.toml"
    path.write_text(_GOOD_TOML, encoding="utf-8")
    (tmp_path / "ko").mkdir()
    (tmp_path / "ko" / "influence.toml").write_text(_GOOD_KOREAN, encoding="utf-8")
    graph = load_influence(path)
    assert set(graph.entities) == {"jackson-5", "twice"}
    twice = graph.entities["twice"]
    assert twice.as_of == "2020-10-19"
    assert twice.aliases == ()
    assert twice.name_for("ko") == "TWICE" and twice.origin_for("ko") == "대한민국"
    jackson_5 = graph.entities["jackson-5"]
    assert jackson_5.aliases == ("J5", "잭슨 파이브", "잭슨파이브")
    assert jackson_5.name_for("ko") == "잭슨 파이브"
    assert jackson_5.name_for("en") == "The Jackson 5"
    assert jackson_5.ko_source == Source("https://example.com/ko", "예시 신문", "2023-06-25")
    assert graph.entities["jackson-5"].as_of == ""
    (link,) = graph.links
    assert (link.source_id, link.target_id, link.kind) == ("jackson-5", "twice", "cover")
    assert link.disputed == "" and not link.is_disputed
    assert link.note_for("ko") == "트와이스가 잭슨 파이브의 히트곡을 커버했어요."
    assert link.note_for("en") == link.note and link.is_translation("ko")
    assert link.source == Source(
        "https://example.com/cover", "Example", "2018-06", "Example reprint"
    )
    assert graph.influences_of("twice") == (link,)
    assert graph.influenced_by("twice") == ()


def test_load_raises_listing_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "influence.toml"
    broken = _GOOD_TOML.replace('to = "twice"', 'to = "bts"').replace('as_of = "2020-10-19"\n', "")
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError) as excinfo:
        load_influence(path)
    message = str(excinfo.value)
    assert message.startswith("2 problem(s) in influence.toml")
    assert "'to' names no entity: 'bts'" in message
    assert "add an 'as_of' date" in message


# --- the Korean twin (data/ko/influence.toml) ------------------------------------------------

KO_FILE = "ko/influence.toml"


def _korean() -> dict[str, Any]:
    """The Korean for _raw(), which check_influence_korean accepts."""
    return {
        "entities": {
            "jackson-5": {
                "name": "잭슨 파이브",
                "aliases": ["잭슨파이브"],
                "origin": "미국",
                "translated": True,
                "source": _source(),
            },
            "twice": {
                "name": "트와이스",
                "origin": "대한민국",
                "translated": True,
                "source": _source(),
            },
            "jy-park": {"origin": "대한민국", "translated": True},
        },
        "links": {
            "jackson-5>twice": {
                "note": "트와이스가 “I Want You Back”을 커버했어요.",
                "translated": True,
            },
            "jy-park>twice": {
                "note": "박진영이 트와이스에게 “BDZ”를 써 줬어요.",
                "translated": True,
            },
        },
    }


def _korean_problems(korean: dict[str, Any], raw: dict[str, Any] | None = None) -> str:
    return "\n".join(str(p) for p in check_influence_korean(raw or _raw(), korean, KO_FILE))


def test_valid_korean_graph_has_no_problems() -> None:
    assert check_influence_korean(_raw(), _korean(), KO_FILE) == []


def test_a_korean_name_without_a_source_is_reported() -> None:
    korean = _korean()
    del korean["entities"]["jackson-5"]["source"]
    problems = _korean_problems(korean)
    assert "entity 'jackson-5': Korean name '잭슨 파이브' has no source" in problems


def test_a_korean_name_needs_hangul_and_must_be_free() -> None:
    korean = _korean()
    korean["entities"]["jackson-5"]["aliases"] = ["Jackson Five", "트와이스"]
    problems = _korean_problems(korean)
    assert "alias 'Jackson Five' has no Hangul" in problems
    assert "Korean name '트와이스' already names 'twice'" in problems
    korean = _korean()
    korean["entities"]["jackson-5"]["name"] = "The Jackson 5"
    assert "'name' is the same as the English" in _korean_problems(korean)


def test_missing_and_unknown_korean_entries_are_reported() -> None:
    korean = _korean()
    del korean["entities"]["jy-park"]
    del korean["links"]["jy-park>twice"]
    korean["links"]["twice>jy-park"] = {"note": "거꾸로예요.", "translated": True}
    problems = _korean_problems(korean)
    assert "entity 'jy-park': no Korean text (add [entities.jy-park])" in problems
    assert """link 'jy-park>twice': no Korean text (add [links."jy-park>twice"])""" in problems
    assert "link 'twice>jy-park': Korean key 'twice>jy-park' matches no English entry" in problems


def test_korean_link_notes_are_checked() -> None:
    korean = _korean()
    korean["links"]["jackson-5>twice"]["note"] = "TWICE covered “I Want You Back”."
    korean["links"]["jy-park>twice"]["note"] = "Park wrote BDZ."
    korean["links"]["jy-park>twice"]["disputed"] = "논란이 있어요."
    problems = _korean_problems(korean)
    assert "link 'jackson-5>twice': 'note' is the same as the English" in problems
    assert "link 'jy-park>twice': 'note' has no Hangul" in problems
    assert "'disputed' is given but the English link has none" in problems


def test_the_real_graph_is_found_by_hangul_names() -> None:
    graph = load_influence()
    index = NameIndex(Named(e.id, e.name, e.aliases) for e in graph.entities.values())
    for written, entity_id in [
        ("마이클 잭슨", "michael-jackson"),
        ("잭슨 파이브", "jackson-5"),
        ("잭슨파이브", "jackson-5"),
        ("뉴 에디션", "new-edition"),
        ("브루노 마스", "bruno-mars"),
        ("리한나", "rihanna"),
        ("방탄소년단", "bts"),
    ]:
        assert index.resolve(written).entity_id == entity_id, written
    assert "michael-jackson" in {match.entity_id for match in index.search("마이클")}
    assert graph.entities["michael-jackson"].name_for("ko") == "마이클 잭슨"
    assert graph.entities["michael-jackson"].name_for("en") == "Michael Jackson"


def test_every_real_entity_and_link_has_its_korean() -> None:
    graph = load_influence()
    for entity in graph.entities.values():
        assert entity.origin_for("ko") != entity.origin
        if entity.ko_name or entity.ko_aliases:
            assert entity.ko_source is not None, entity.id
    for link in graph.links:
        assert link.note_for("ko") != link.note and link.is_translation("ko")
        assert bool(link.disputed_for("ko")) == link.is_disputed
