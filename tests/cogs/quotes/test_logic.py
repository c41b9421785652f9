"""The pure rules behind /quote: rotation order, search ranking and paging, added-quote checks."""

from __future__ import annotations

import pytest

from cogs.quotes.logic import (
    MAX_QUERY_CHARS,
    TEXT_MAX,
    QuoteRejected,
    Searchable,
    check_new_quote,
    clamp_page,
    curated_id,
    curated_key,
    next_in_rotation,
    page_count,
    page_of,
    rank_quotes,
    rotation_order,
    same_words,
    search_words,
    server_key,
    server_number,
)

POOL = [curated_key(f"q{i}") for i in range(20)]


def test_keys_round_trip() -> None:
    assert curated_id(curated_key("paak-joyous-film")) == "paak-joyous-film"
    assert server_number(server_key(12)) == 12
    assert server_number(curated_key("12")) is None
    assert curated_id(server_key(3)) is None


def test_rotation_order_is_a_stable_permutation_that_depends_on_the_seed() -> None:
    order = rotation_order(42, POOL)
    assert sorted(order) == sorted(POOL)
    assert rotation_order(42, list(reversed(POOL))) == order
    assert rotation_order(43, POOL) != order


def test_adding_a_quote_does_not_reshuffle_the_others() -> None:
    before = rotation_order(7, POOL)
    after = rotation_order(7, [*POOL, server_key(1)])
    assert [k for k in after if k != server_key(1)] == before


def test_next_in_rotation_walks_the_order_then_reports_the_end() -> None:
    shown: list[str] = []
    while (pick := next_in_rotation(POOL, shown, 5)) is not None:
        shown.append(pick)
    assert shown == rotation_order(5, POOL)


def test_a_new_cycle_does_not_open_with_the_last_quote() -> None:
    first = rotation_order(9, POOL)[0]
    assert next_in_rotation(POOL, [], 9, avoid=first) == rotation_order(9, POOL)[1]
    assert next_in_rotation([first], [], 9, avoid=first) == first  # nothing else to show


def test_search_words_drops_stop_words_and_duplicates_and_stays_short() -> None:
    assert search_words("The Motown and the MOTOWN sound") == ("motown", "sound")
    assert search_words("the and") == ("the", "and")
    assert search_words("@everyone <@123> **bold**") == ("everyone", "123", "bold")
    assert search_words("!!! \u200b") == ()
    long = search_words("word " * 2000 + " ".join(f"w{i}" for i in range(100)))
    assert len(" ".join(long)) <= MAX_QUERY_CHARS and len(long) <= 8


def _q(key: str, text: str, speaker: str = "Nobody", context: str = "") -> Searchable:
    return Searchable(key, text, speaker, context)


def test_a_result_matches_every_word_then_ranks_speaker_then_exact_words() -> None:
    quotes = [
        _q("a", "Motown changed everything."),
        _q("b", "Teddy Riley and Motown in Seoul.", "Someone"),
        _q("c", "New jack swing and Motown.", "Teddy Riley"),
        _q("d", "Nothing relevant here."),
        _q("e", "Motowns and Teddy bears", context="A producer"),
    ]
    ranked = [m.key for m in rank_quotes(search_words("Teddy Motown"), quotes)]
    assert ranked == ["c", "b", "e"]  # a speaker match outweighs a text match; prefixes last
    assert rank_quotes(search_words("Motown qwzx"), quotes) == []  # one word unmatched: none


def test_one_common_word_does_not_match_an_unrelated_quote() -> None:
    quotes = [_q("a", "There is no music without the blues."), _q("b", "Such a quote!")]
    words = search_words("qwzx no such quote zzz")
    assert "no" not in words and "such" not in words
    assert rank_quotes(words, quotes) == []


def test_prefixes_match_and_short_prefixes_do_not() -> None:
    quotes = [_q("a", "He was a producer."), _q("b", "Inspired by soul.")]
    assert [m.key for m in rank_quotes(("produc",), quotes)] == ["a"]
    assert rank_quotes(("in",), quotes) == []


def test_a_korean_word_matches_with_its_particle_and_ranks_below_the_word_itself() -> None:
    quotes = [
        _q("a", "Roots.", context="제 뿌리를 잊지 않아요"),  # 뿌리 + 를 (data/ko/quotes.toml)
        _q("b", "Roots.", context="뿌리 깊은 나무"),
        _q("c", "Inspired by soul.", context="영감"),
    ]
    assert [m.key for m in rank_quotes(search_words("뿌리"), quotes)] == ["b", "a"]
    assert rank_quotes(search_words("뿌"), quotes) == []  # one syllable: whole words only
    assert rank_quotes(search_words("in"), quotes) == []
    named = [_q("d", "Roots.", context="BJ는 LA의 바에서 드럼을 쳐요")]  # a name with a particle
    assert [m.key for m in rank_quotes(search_words("la"), named)] == ["d"]


def test_an_exact_phrase_ranks_first() -> None:
    quotes = [_q("a", "Swing jack new"), _q("b", "new jack swing")]
    assert [m.key for m in rank_quotes(search_words("new jack swing"), quotes)][0] == "b"


def test_paging() -> None:
    items = list(range(12))
    assert page_count(12) == 3 and page_count(0) == 1 and page_count(5) == 1
    assert page_of(items, 2) == [10, 11]
    assert page_of(items, 99) == [10, 11]  # a forged page is clamped
    assert clamp_page(-4, 12) == 0


def test_new_quotes_are_kept_exactly_and_checked() -> None:
    new = check_new_quote("  **Hi** <@1> ", " Tiger JK ", " https://example.com/x ")
    assert (new.text, new.speaker, new.source_url) == (
        "  **Hi** <@1> ",
        "Tiger JK",
        "https://example.com/x",
    )
    assert check_new_quote("words", "s", "").source_url is None


@pytest.mark.parametrize(
    ("text", "speaker", "source", "says"),
    [
        ("x" * (TEXT_MAX + 1), "s", None, "601 characters"),
        ("\u200b \u200d", "s", None, "quote text is empty"),
        ("words", "s" * 101, None, "speaker is 101"),
        ("words", "two\nlines", None, "one line"),
        ("words", "s", "http://example.com", "https://"),
        ("words", "s", "javascript:alert(1)", "https://"),
        ("words", "s", "https://", "https://"),
        ("words", "s", "https://exa mple.com", "https://"),
        ("words", "s", "https://example.com/\u200b", "https://"),
        ("words", "s", "https://user@example.com", "https://"),
        ("words", "s", "https://example.com/" + "a" * 600, "limit is 500"),
    ],
)
def test_bad_new_quotes_are_refused(text: str, speaker: str, source: str | None, says: str) -> None:
    with pytest.raises(QuoteRejected, match=says):
        check_new_quote(text, speaker, source)


def test_same_words_ignores_case_and_punctuation() -> None:
    assert same_words("Music is LIFE!", "music, is life")
    assert not same_words("Music is life", "Music is love")


def test_word_index_ranks_exactly_like_a_full_scan() -> None:
    from cogs.quotes.content import load_quotes
    from cogs.quotes.logic import Searchable, WordIndex, curated_key, rank_quotes, search_words

    quotes = [
        Searchable(curated_key(q.id), q.text, q.speaker, q.context) for q in load_quotes().quotes
    ]
    index = WordIndex(quotes)
    queries = [
        "music",
        "motown",
        "produc",
        "jackson",
        "new jack swing",
        "hip hop korea",
        "paak son",
        "방탄",
        "father",
        "zzzz",
        "mus",
        "the",
        "black music influence",
    ]
    for query in queries:
        words = search_words(query)
        hits = index.candidates(words)
        full = rank_quotes(words, quotes)
        indexed = rank_quotes(words, [q for q in quotes if q.key in hits])
        assert indexed == full, query
        assert index.rank(words) == full, query


def test_word_index_ranks_like_a_full_scan_on_many_random_queries() -> None:
    import random

    from cogs.quotes.content import load_quotes
    from cogs.quotes.logic import Searchable, WordIndex, curated_key, rank_quotes, words_of

    quotes = [
        Searchable(curated_key(q.id), q.text, q.speaker, q.context) for q in load_quotes().quotes
    ]
    index = WordIndex(quotes)
    vocabulary = sorted({w for q in quotes for t in (q.text, q.speaker) for w in words_of(t)})
    rng = random.Random(2026)
    found = 0
    for _ in range(400):
        words = []
        # Half the queries take their words from one quote, so most of those find something.
        source = words_of(rng.choice(quotes).text) if rng.random() < 0.5 else vocabulary
        for _ in range(rng.randint(1, 4)):
            word = rng.choice(source)
            words.append(word[: rng.randint(1, len(word))] if rng.random() < 0.4 else word)
        if rng.random() < 0.2:  # a phrase straight from a quote
            text = words_of(rng.choice(quotes).text)
            at = rng.randrange(max(1, len(text) - 2))
            words = text[at : at + 3]
        words = list(dict.fromkeys(words))
        ranked = index.rank(words)
        assert ranked == rank_quotes(words, quotes), words
        found += bool(ranked)
    assert found >= 150  # the comparison is meaningful: many queries find quotes


def test_word_index_finds_korean_words_with_their_particles_like_a_full_scan() -> None:
    from cogs.quotes.content import load_quotes
    from cogs.quotes.logic import WordIndex, words_of

    quotes = [
        _q(
            curated_key(q.id),
            q.text,
            q.speaker,
            " ".join((q.context, q.context_for("ko"), q.translation_for("ko"))),
        )
        for q in load_quotes().quotes
    ]
    index = WordIndex(quotes)
    for query in ("뿌리", "경험", "아버지", "뿌리 경험", "방탄"):
        words = search_words(query)
        ranked = index.rank(words)
        assert ranked, query  # data/ko/quotes.toml has 뿌리를, 경험을, 아버지의 … but not 뿌리
        assert ranked == rank_quotes(words, quotes), query
    assert "뿌리" not in {w for q in quotes for w in words_of(q.context)}
