"""The one search rule: every meaningful word must match, as a word or its start; suggestions."""

from __future__ import annotations

from bot.search import (
    Vocabulary,
    fold,
    meaningful,
    prefix_searchable,
    stands_for,
    suggestion,
    words_of,
)
from cogs.film.content import load_film
from cogs.film.logic import search_facts


def test_fold_ignores_case_accents_and_invisible_characters_but_keeps_hangul() -> None:
    assert fold("BEYONCÉ") == "beyonce"
    assert fold("Mo\u200btown") == "motown"
    assert fold("한국 힙합") == "한국 힙합"


def test_stop_words_are_dropped_unless_they_are_all_there_is() -> None:
    assert meaningful(words_of("qwzx no such quote zzz")) == ["qwzx", "quote", "zzz"]
    assert meaningful(words_of("The Who")) == ["the", "who"]


def test_a_word_matches_itself_or_the_start_of_a_longer_word() -> None:
    vocabulary = Vocabulary(words_of("The producer heard 케이팝은 in Seoul"))
    assert vocabulary.matches("produc") and vocabulary.matches("seoul")
    assert vocabulary.matches("케이팝")  # a Korean word with its particle
    assert not vocabulary.matches("duce")  # inside a word is no match
    assert not vocabulary.matches("pr")  # too short to stand for a longer word
    assert vocabulary.matches_all(["produc", "seoul"])
    assert not vocabulary.matches_all(["produc", "tokyo"])
    assert vocabulary.completions("produc") == ["producer"]


def test_a_two_syllable_korean_word_finds_the_word_with_its_particle() -> None:
    # data/ko/film.toml, facts.diamond-hosts-wildcard: "… BJ는 서울에서 드러머 일을 얻어요."
    fact = next(f for f in load_film().facts if f.id == "diamond-hosts-wildcard")
    assert "서울에서" in fact.ko_text and "서울" not in words_of(fact.ko_text)
    vocabulary = Vocabulary(words_of(fact.ko_text))
    assert vocabulary.matches("서울")  # 서울 + 에서 ("in Seoul")
    assert "서울에서" in vocabulary.completions("서울")
    assert vocabulary.matches("드러머")
    assert not vocabulary.matches("울에")  # inside a word is still no match
    assert not vocabulary.matches("서")  # one syllable only finds itself
    # A Latin name with a particle run on ("BJ는"): the name is whole where the script changes.
    assert vocabulary.matches("bj") and vocabulary.completions("bj") == ["bj는"]
    assert not vocabulary.matches("b")
    # Latin words keep their rule: two letters never stand for a longer word.
    latin = Vocabulary(words_of("Inspired by soul."))
    assert not latin.matches("in") and latin.matches("insp")


def test_which_words_may_stand_for_longer_ones() -> None:
    assert stands_for("서울", "서울에서") and stands_for("produc", "producer")
    assert stands_for("la", "la의") and stands_for("24", "24일")  # a particle run on
    assert not stands_for("in", "inspired") and not stands_for("la", "la의a")
    assert not stands_for("서", "서울") and not stands_for("k", "k팝")
    assert prefix_searchable("서울") and prefix_searchable("케이팝") and prefix_searchable("seo")
    assert not prefix_searchable("in") and not prefix_searchable("서")
    assert not prefix_searchable("k팝")  # mixed: counted as Latin letters
    assert not prefix_searchable("ㅂㅌ")  # jamo typed half-way: not syllables
    assert not prefix_searchable("2024"[:2])


def test_search_facts_finds_korean_words_followed_by_particles() -> None:
    facts = load_film().facts
    found = {f.id for f in search_facts(facts, "서울")}
    assert {"diamond-hosts-wildcard", "kang-producer-hopes"} <= found  # 서울에서, 서울로
    assert all(
        any(w.startswith("서울") for w in words_of(f"{f.text} {f.ko_text}"))
        for f in search_facts(facts, "서울")
    )
    assert search_facts(facts, "in") == [f for f in facts if "in" in words_of(f.text)]


def test_the_suggestion_is_the_nearest_query_that_finds_something() -> None:
    texts = ["motown soul records", "seoul hip hop"]
    vocabulary = Vocabulary(w for t in texts for w in words_of(t))

    def finds(words: tuple[str, ...]) -> bool:
        return any(Vocabulary(words_of(t)).matches_all(words) for t in texts)

    assert suggestion(["motwn"], vocabulary, finds) == ("motown",)  # a spelling fixed
    assert suggestion(["motown", "seoul"], vocabulary, finds) == ("motown",)  # a word left out
    assert suggestion(["motwn", "qqqqzz"], vocabulary, finds) == ("motown",)
    assert suggestion(["qqqqzz"], vocabulary, finds) is None  # nothing near: no suggestion
    assert suggestion(["no"], vocabulary, finds) is None  # a lone stop word is not "fixed"
