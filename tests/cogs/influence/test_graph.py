"""The influence graph engine on small, hand-built graphs: normalisation, search tiers, paths."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest

from cogs.influence.graph import (
    MAX_RESULTS,
    LinkGraph,
    Named,
    NameIndex,
    Relation,
    Step,
    _normalise_unicode,  # pyright: ignore[reportPrivateUsage]
    edit_distance,
    fold,
    normalise,
)

ENTITIES = [
    Named("jackson-5", "The Jackson 5", ("Jackson 5", "The Jacksons", "J5")),
    Named("michael-jackson", "Michael Jackson", ("MJ",)),
    Named("janet-jackson", "Janet Jackson"),
    Named("jay-park", "Jay Park", ("박재범", "Park Jae-beom")),
    Named("bts", "BTS", ("방탄소년단", "Bangtan Boys", "Bangtan Sonyeondan")),
    Named("seo-taiji-and-boys", "Seo Taiji and Boys", ("서태지와 아이들", "Seo Taiji & Boys")),
    Named("jyp", "J.Y. Park", ("Park Jin-young", "박진영", "JYP")),
    Named("girls-generation", "Girls' Generation", ("SNSD", "소녀시대")),
    Named("g-dragon", "G-Dragon", ("지드래곤",)),
    Named("motown", "Motown", ("Motown Records",)),
    Named("beyonce", "Beyoncé"),
    Named("new-jack-swing", "New jack swing", ("NJS",)),
    Named("teddy-riley", "Teddy Riley"),
]
POPULARITY = {"jackson-5": 6, "michael-jackson": 5, "bts": 9, "motown": 4, "teddy-riley": 3}


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex(ENTITIES, POPULARITY)


def first(index: NameIndex, text: str) -> str | None:
    matches = index.search(text)
    return matches[0].entity_id if matches else None


# ------------------------------------------------------------------ normalisation
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Jackson 5", "the jackson 5"),
        ("BEYONCÉ", "beyonce"),
        ("Girls' Generation", "girls generation"),
        ("J.Y. Park", "jy park"),
        ("G-Dragon", "g dragon"),
        ("Seo Taiji & Boys", "seo taiji and boys"),
        ("B\u200bT\u200dS\ufeff", "bts"),  # zero-width space, joiner, BOM
        ("ＢＴＳ", "bts"),  # full-width letters
        ("방탄소년단", "방탄소년단"),  # Hangul kept as is (not split into jamo)
        ("  lots\t of\n space ", "lots of space"),
        ("@everyone <@123>", "everyone 123"),
        ("Røyksopp", "royksopp"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_caps_length() -> None:
    assert len(normalise("a" * 6000)) <= 100


def test_ascii_fast_path_matches_the_general_path() -> None:
    rng = random.Random(3)
    ascii_chars = [chr(c) for c in range(128)]
    samples = [f"a{c}b" for c in ascii_chars]
    samples += ["".join(rng.choices(ascii_chars, k=rng.randint(0, 30))) for _ in range(3000)]
    for text in samples:
        assert normalise(text) == _normalise_unicode(text), repr(text)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("jackson", "jackson", 0), ("jakson", "jackson", 1), ("jcakson", "jackson", 1),
     ("jaksno", "jackson", 2), ("motown", "bts", 3)],
)  # fmt: skip
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 2) == min(distance, 3)
    assert edit_distance(a, b, 1) == min(distance, 2)


def test_one_typo_shortcut_agrees_with_the_table() -> None:
    """Limit 1 skips the table; on random near-misses it must say what the table says."""
    rng = random.Random(7)
    letters = "abcj"
    words = ["".join(rng.choices(letters, k=rng.randint(0, 7))) for _ in range(400)]
    pairs = [(a, b) for a in words[:60] for b in words]
    for word in words:  # and every single edit of each word, which random pairs rarely hit
        for i in range(len(word) + 1):
            for c in letters:
                pairs.append((word, word[:i] + c + word[i:]))
                pairs.append((word, word[:i] + c + word[i + 1 :]))
            pairs.append((word, word[:i] + word[i + 1 :]))
            pairs.append((word, word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :]))
    for a, b in pairs:
        assert edit_distance(a, b, 1) == min(edit_distance(a, b, 2), 2), (a, b)


# ------------------------------------------------------------------ search
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("The Jackson 5", "jackson-5"),  # exact
        ("jackson 5", "jackson-5"),  # without "the"
        ("Jakson 5", "jackson-5"),  # typo
        ("jackson five", "jackson-5"),  # number spelled out
        ("jack", "jackson-5"),  # prefix beats word prefix ("Michael Jackson")
        ("michal jakson", "michael-jackson"),  # a typo in each word
        ("jackson michael", "michael-jackson"),  # words in any order
        ("janet", "janet-jackson"),
        ("방탄", "bts"),  # Hangul prefix
        ("방ㅌ", "bts"),  # half-composed syllable as an IME shows it
        ("탄소년", "bts"),  # Hangul substring
        ("bangtan", "bts"),  # alias prefix
        ("jy park", "jyp"),
        ("j.y. park", "jyp"),
        ("park jin", "jyp"),
        ("박진영", "jyp"),
        ("girls generation", "girls-generation"),
        ("snsd", "girls-generation"),
        ("gdragon", "g-dragon"),  # without the hyphen
        ("beyonce", "beyonce"),
        ("taiji", "seo-taiji-and-boys"),  # a later word
        ("seo taiji & boys", "seo-taiji-and-boys"),
        ("moton", "motown"),
        ("teddy rilley", "teddy-riley"),
        ("njs", "new-jack-swing"),
        ("B\u200bTS", "bts"),
    ],
)
def test_search_ranks_expected_entity_first(index: NameIndex, typed: str, expected: str) -> None:
    assert first(index, typed) == expected


# ------------------------------------------------------------------ folding: one name, many spellings
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("the jackson five", "jackson-5"),  # "the", and the number spelled out
        ("THE JACKSON FIVE", "jackson-5"),
        ("Jackson-5", "jackson-5"),
        ("jackson five!", "jackson-5"),
        ("thejackson5", "jackson-5"),
        ("seo taiji and the boys", "seo-taiji-and-boys"),  # "&"/"and" and an extra "the"
        ("Seo Taiji & the Boys", "seo-taiji-and-boys"),
        ("SEO-TAIJI AND BOYS", "seo-taiji-and-boys"),
        ("girls generation", "girls-generation"),  # the apostrophe
        ("Girls’ Generation", "girls-generation"),  # a curly one
        ("beyoncé", "beyonce"),
        ("BEYONCE", "beyonce"),
        ("서태지와 아이들", "seo-taiji-and-boys"),
        ("서태지와아이들", "seo-taiji-and-boys"),  # Hangul without its space
        ("방탄소년단", "bts"),
        ("방탄소년단", "bts"),  # NFD jamo
        ("ＢＴＳ", "bts"),  # full width
    ],
)
def test_a_folded_spelling_resolves_to_its_entity(
    index: NameIndex, typed: str, expected: str
) -> None:
    assert index.resolve(typed).entity_id == expected
    assert first(index, typed) == expected
    assert index.search(typed)[0].tier == 0  # found as the name it is, not as a guess


def test_folding_invents_no_alias(index: NameIndex) -> None:
    # "5ive" is no alias of The Jackson 5 here, so it is a suggestion, not an answer.
    assert index.resolve("Jackson 5ive").entity_id is None
    assert fold("The Jackson Five") == fold("jackson 5") == "jackson5"
    assert fold("the") == "the" and fold("") == ""  # nothing but an article stays itself


def test_autocomplete_ranks_prefix_matches_before_later_words(index: NameIndex) -> None:
    matches = index.search("ja")
    prefix = [m.entity_id for m in matches if m.tier == 1]
    assert set(prefix) >= {"jackson-5", "janet-jackson", "jay-park"}
    assert [m.tier for m in matches] == sorted(m.tier for m in matches)
    later = [m.entity_id for m in matches if m.tier == 2]
    assert "michael-jackson" in later  # "Michael Jackson" starts a later word with "ja"


def test_tiers_are_in_order(index: NameIndex) -> None:
    tiers = [m.tier for m in index.search("jackson")]
    assert tiers == sorted(tiers)
    assert [m.entity_id for m in index.search("jackson")][:1] == ["jackson-5"]


def test_each_entity_once_and_label_shows_the_alias(index: NameIndex) -> None:
    matches = index.search("bangtan")
    assert [m.entity_id for m in matches].count("bts") == 1
    assert matches[0].label == "BTS (Bangtan Boys)"
    assert index.search("jackson 5")[0].label == "The Jackson 5"  # alias is just the name


def test_empty_query_lists_the_best_connected(index: NameIndex) -> None:
    assert [m.entity_id for m in index.search("")[:3]] == ["bts", "jackson-5", "michael-jackson"]
    assert [m.entity_id for m in index.search("\u200b  ")][:1] == ["bts"]


@pytest.mark.parametrize(
    "hostile",
    ["x" * 6000, "@everyone", "<@123>", "'; DROP TABLE links; --", "%_*", "🎤" * 50],
)
def test_hostile_input_finds_nothing_quietly(index: NameIndex, hostile: str) -> None:
    assert index.search(hostile) == []


def test_results_capped_at_25() -> None:
    many = [Named(f"a-{i}", f"Artist {i:03d}") for i in range(200)]
    index = NameIndex(many)
    assert len(index.search("artist")) == MAX_RESULTS
    assert len(index.search("artist", limit=500)) == MAX_RESULTS
    assert len(index.search("")) == MAX_RESULTS


def test_resolve(index: NameIndex) -> None:
    assert index.resolve("bts").entity_id == "bts"  # an id, as autocomplete sends it
    assert index.resolve("Seo Taiji & Boys").entity_id == "seo-taiji-and-boys"
    assert index.resolve("소녀시대").entity_id == "girls-generation"
    unknown = index.resolve("Jakson")
    assert unknown.entity_id is None
    assert "jackson-5" in [m.entity_id for m in unknown.suggestions]
    assert index.resolve("zzzzzz") == index.resolve("zzzzzz")
    assert index.resolve("zzzzzz").suggestions == ()


def test_resolve_ambiguous_spelling_gives_suggestions() -> None:
    index = NameIndex([Named("big-bang-1", "Big Bang"), Named("bigbang-2", "Bigbang")])
    result = index.resolve("bigbang")  # "Big Bang" without its space, and "Bigbang" exactly
    assert result.entity_id is None
    assert {m.entity_id for m in result.suggestions} == {"big-bang-1", "bigbang-2"}


def search_times(search: Callable[[str], object], queries: list[str]) -> list[float]:
    """Each query's search time in seconds, sorted; the best of three runs, so that it is the
    search's cost, not the test machine's load."""
    times: list[float] = []
    for query in queries:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            search(query)
            best = min(best, time.perf_counter() - start)
        times.append(best)
    return sorted(times)


def test_search_is_fast_on_a_larger_graph() -> None:
    rng = random.Random(7)
    syllables = ["ka", "ri", "mo", "to", "wn", "jae", "son", "bo", "ys", "lu", "na", "seo"]
    names = {
        " ".join("".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(2))
        for _ in range(1500)
    }
    index = NameIndex([Named(f"e-{i}", n) for i, n in enumerate(sorted(names))])
    queries = [n[: rng.randint(1, len(n))] for n in rng.sample(sorted(names), 200)]
    queries += ["".join(rng.sample(n, len(n))) for n in rng.sample(sorted(names), 100)]
    times = search_times(index.search, queries)
    assert times[int(len(times) * 0.99)] < 0.005  # 25x the real graph, well under 5 ms


# ------------------------------------------------------------------ paths
EDGES = [
    ("blues", "motown"),
    ("motown", "jackson-5"),
    ("jackson-5", "michael-jackson"),
    ("michael-jackson", "bts"),
    ("seo-taiji-and-boys", "bts"),
    ("motown", "janet-jackson"),
    ("new-jack-swing", "seo-taiji-and-boys"),
    ("teddy-riley", "new-jack-swing"),
    ("blues", "michael-jackson"),
]


@pytest.fixture(scope="module")
def graph() -> LinkGraph:
    return LinkGraph([*(e.id for e in ENTITIES), "blues", "island"], EDGES)


def test_direct_link(graph: LinkGraph) -> None:
    conn = graph.connection("michael-jackson", "bts")
    assert conn.relation is Relation.LINEAGE
    assert conn.steps == (Step("michael-jackson", "bts"),)


def test_multi_hop_lineage_is_shortest(graph: LinkGraph) -> None:
    conn = graph.connection("blues", "bts")
    assert conn.relation is Relation.LINEAGE
    # blues → michael-jackson → bts beats blues → motown → jackson-5 → michael-jackson → bts
    assert [s.link for s in conn.steps] == [
        ("blues", "michael-jackson"),
        ("michael-jackson", "bts"),
    ]
    conn = graph.connection("teddy-riley", "bts")
    assert [s.walk_to for s in conn.steps] == ["new-jack-swing", "seo-taiji-and-boys", "bts"]


def test_reverse_lineage(graph: LinkGraph) -> None:
    conn = graph.connection("bts", "motown")
    assert conn.relation is Relation.REVERSE
    assert conn.steps[0].walk_from == "motown" and conn.steps[-1].walk_to == "bts"
    assert graph.shortest_path("bts", "motown") is None


def test_shared_influence_when_no_lineage_runs_either_way(graph: LinkGraph) -> None:
    conn = graph.connection("janet-jackson", "jackson-5")
    assert conn.relation is Relation.SHARED_INFLUENCE and conn.steps == ()
    assert conn.shared == ("motown", "blues")  # nearest first: one link to each, then two
    assert conn.branches == ((Step("motown", "janet-jackson"),), (Step("motown", "jackson-5"),))


def test_shared_legacy_when_nothing_shaped_both(graph: LinkGraph) -> None:
    conn = graph.connection("seo-taiji-and-boys", "michael-jackson")
    assert conn.relation is Relation.SHARED_LEGACY
    assert conn.shared == ("bts",)
    assert conn.branches == (
        (Step("seo-taiji-and-boys", "bts"),),
        (Step("michael-jackson", "bts"),),
    )


def test_a_lineage_never_runs_against_the_arrows(graph: LinkGraph) -> None:
    # janet-jackson <- motown -> jackson-5 ... teddy-riley: linked only against the arrows, and
    # nothing shaped both or was shaped by both.
    conn = graph.connection("janet-jackson", "teddy-riley")
    assert conn.relation is Relation.NONE and conn.steps == () and conn.shared == ()
    for start in ("blues", "motown", "teddy-riley", "bts", "island"):
        for end in ("bts", "janet-jackson", "new-jack-swing", "blues"):
            for step in graph.connection(start, end).steps:
                assert step.forward and step.link in EDGES
    assert graph.connection("bts", "bts").relation is Relation.NONE


def test_no_connection(graph: LinkGraph) -> None:
    assert graph.connection("bts", "island").relation is Relation.NONE
    assert graph.connection("bts", "nobody").relation is Relation.NONE
    assert graph.nearest("island") == []


def test_nearest_by_hops_then_degree(graph: LinkGraph) -> None:
    nearest = graph.nearest("bts", limit=4)
    assert nearest[:2] == [("michael-jackson", 1), ("seo-taiji-and-boys", 1)]
    assert [d for _, d in nearest] == sorted(d for _, d in nearest)
    assert len(nearest) == 4
    assert graph.nearest("bts", limit=0) == []


def test_neighbours_and_degree(graph: LinkGraph) -> None:
    assert graph.influences_of("bts") == ["michael-jackson", "seo-taiji-and-boys"]
    assert graph.influenced_by("motown") == ["jackson-5", "janet-jackson"]
    assert graph.degree("michael-jackson") == 3
    assert "island" in graph and "nobody" not in graph
