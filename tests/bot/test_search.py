"""The one search rule: every meaningful word must match, as a word or its start; suggestions."""

from __future__ import annotations

from bot.search import Vocabulary, fold, meaningful, suggestion, words_of


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
