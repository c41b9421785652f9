"""The pure logic behind /film: matching, rotation choice, ranks, safe echoes, embed limits."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot import limits
from bot.content.common import Source
from bot.i18n import Language
from bot.ui.text import source_line as source_link
from cogs.film.content import CastMember, Fact, Film, Screening, load_film
from cogs.film.logic import (
    MemberCooldown,
    ShowRecord,
    clean,
    competition_ranks,
    least_shown,
    match_topic,
    pack_lines,
    resolve_fact_query,
    search_facts,
    suggest_search,
)
from cogs.film.render import about_embed, leaderboard_embed, trivia_closed_embed
from cogs.film.store import Score, Standing, TriviaQuestion

SOURCE = Source("https://example.com/a", "Example", "2026-02-27")
FACTS = (
    Fact("a", "Anderson .Paak drums in Seoul.", ("music", "k-pop"), SOURCE),
    Fact("b", "The film premiered at TIFF in Toronto.", ("festival",), SOURCE),
    Fact("c", "케이팝 is Korean for K-pop.", ("k-pop",), SOURCE),
)
TOPICS = ["festival", "k-pop", "music"]


def test_clean_removes_invisible_characters_and_folds_case() -> None:
    assert clean("\u200b  MU\u200dSIC \ufeff") == "music"
    assert clean("Ｍｕｓｉｃ") == "music"  # full-width letters (NFKC)


def test_topics_match_loosely() -> None:
    assert match_topic("K-Pop", TOPICS) == "k-pop"
    assert match_topic("kpop", TOPICS) == "k-pop"
    assert match_topic(" k pop ", TOPICS) == "k-pop"
    assert match_topic("\u200bfestival", TOPICS) == "festival"
    assert match_topic("fest", TOPICS) is None
    assert match_topic("@everyone", TOPICS) is None
    assert match_topic("", TOPICS) is None


def test_keyword_search_needs_every_word() -> None:
    assert [f.id for f in search_facts(FACTS, "toronto")] == ["b"]
    assert [f.id for f in search_facts(FACTS, "TIFF toronto")] == ["b"]
    assert search_facts(FACTS, "toronto seoul") == []
    assert [f.id for f in search_facts(FACTS, "케이팝")] == ["c"]
    assert search_facts(FACTS, "<@>") == []  # no words at all


def test_keywords_match_whole_words_or_their_start_never_the_middle() -> None:
    assert [f.id for f in search_facts(FACTS, "drum SEOUL")] == ["a"]  # "drum" starts "drums"
    assert search_facts(FACTS, "rums") == []  # inside a word is no match
    assert search_facts(FACTS, "qwzx no such fact zzz") == []  # "no", "such": stop words
    assert [f.id for f in search_facts(FACTS, "the toronto")] == ["b"]


def test_a_failed_search_suggests_the_nearest_that_finds_something() -> None:
    assert suggest_search(FACTS, TOPICS, "festivl") == "festival"  # a topic, misspelt
    assert suggest_search(FACTS, TOPICS, "Torronto") == "toronto"
    assert suggest_search(FACTS, TOPICS, "toronto seoul") in ("toronto", "seoul")
    assert suggest_search(FACTS, TOPICS, "qwzx zzz") is None
    assert suggest_search(FACTS, TOPICS, "no") is None  # never "not" or "nod" for a stop word


def test_member_cooldown_is_per_member_and_counts_down() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    cooldown = MemberCooldown(15)
    assert cooldown.wait(1, 10, start) == 0
    assert cooldown.wait(1, 10, start + timedelta(seconds=0.5)) == 15  # rounded up
    assert cooldown.wait(1, 10, start + timedelta(seconds=11)) == 4
    assert cooldown.wait(1, 11, start) == 0  # another member
    assert cooldown.wait(2, 10, start) == 0  # the same member in another server
    assert cooldown.wait(1, 10, start + timedelta(seconds=15)) == 0
    assert cooldown.wait(1, 10, start + timedelta(seconds=16)) == 14  # the wait starts again


def test_member_cooldown_forgets_expired_members() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    cooldown = MemberCooldown(15)
    for user in range(MemberCooldown.PRUNE_AT + 10):
        cooldown.wait(1, user, start + timedelta(seconds=user // MemberCooldown.PRUNE_AT * 60))
    assert cooldown.wait(1, MemberCooldown.PRUNE_AT + 5, start + timedelta(seconds=61)) == 14
    assert len(cooldown) == 10  # the first PRUNE_AT, long expired, were swept out
    assert cooldown.wait(1, 0, start + timedelta(seconds=61)) == 0


def test_resolve_prefers_a_topic_then_a_keyword() -> None:
    everything = resolve_fact_query(FACTS, TOPICS, None)
    assert everything.facts == FACTS and everything.topic is None
    assert resolve_fact_query(FACTS, TOPICS, "\u200b ").facts == FACTS
    by_topic = resolve_fact_query(FACTS, TOPICS, "KPOP")
    assert by_topic.topic == "k-pop" and [f.id for f in by_topic.facts] == ["a", "c"]
    by_word = resolve_fact_query(FACTS, TOPICS, "seoul")
    assert by_word.topic is None and [f.id for f in by_word.facts] == ["a"]
    assert resolve_fact_query(FACTS, TOPICS, "x" * 6000).facts == ()


def test_least_shown_rotates_and_avoids_the_last_one() -> None:
    rng = random.Random(7)
    history = {"a": ShowRecord(1, 1), "b": ShowRecord(1, 3), "c": ShowRecord(1, 2)}
    for _ in range(50):
        assert least_shown(["a", "b", "c"], history, rng) != "b"  # b was shown last
    assert least_shown(["a", "b", "c", "d"], history, rng) == "d"  # never shown
    assert least_shown(["b"], history, rng) == "b"  # the only candidate, even if last


def test_least_shown_is_fair_over_many_rounds() -> None:
    rng = random.Random(3)
    history: dict[str, ShowRecord] = {}
    ids = [str(n) for n in range(10)]
    for seq in range(1, 101):
        pick = least_shown(ids, history, rng)
        old = history.get(pick, ShowRecord(0, 0))
        history[pick] = ShowRecord(old.times + 1, seq)
    assert Counter(r.times for r in history.values()) == Counter({10: 10})


def test_competition_ranks() -> None:
    assert competition_ranks([5, 3, 3, 1]) == [1, 2, 2, 4]
    assert competition_ranks([2, 2, 2]) == [1, 1, 1]
    assert competition_ranks([]) == []


@given(st.lists(st.text(min_size=1, max_size=3000), max_size=30), st.integers(20, 1024))
def test_pack_lines_respects_the_limit(lines: list[str], limit: int) -> None:
    groups = pack_lines(lines, limit)
    assert all(group and len("\n".join(group)) <= limit for group in groups)
    assert all("\n" not in line for group in groups for line in group)
    assert sum(len(group) for group in groups) == len(lines)


def test_about_embed_stays_within_limits_with_huge_content() -> None:
    huge = "x" * 999
    film = Film(
        title="K" * 300,
        director=huge,
        writers=(huge, huge),
        release=huge,
        synopsis="s" * 5000,
        production=tuple(huge for _ in range(10)),
        cast=tuple(CastMember(huge, huge) for _ in range(20)),
        screenings=tuple(Screening(huge, "2024", huge) for _ in range(10)),
        sources=tuple(Source(f"https://example.com/{n}", huge, "2026") for n in range(30)),
    )
    cuts: tuple[tuple[Language, str], ...] = (("en", "did not fit"), ("ko", "담지 못했어요"))
    for language, cut in cuts:
        embed = about_embed(film, language)
        assert len(embed) <= limits.EMBED_TOTAL_MAX
        assert len(embed.fields) <= limits.EMBED_FIELDS_MAX
        assert all(len(f.value or "") <= limits.EMBED_FIELD_VALUE_MAX for f in embed.fields)
        assert embed.footer.text is not None and cut in embed.footer.text


def test_about_embed_of_the_real_film_keeps_every_source() -> None:
    film = load_film().film
    embed = about_embed(film, "en")
    text = "\n".join(f.value or "" for f in embed.fields)
    assert all(source_link(s) in text for s in film.sources)


def test_result_embed_names_many_winners_within_a_field() -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    question = TriviaQuestion(
        1, 1, 1, 1, "t", "Q?", ("a", "b", "c", "d"), 2, 1, now, now + timedelta(seconds=60), None
    )
    winners = list(range(10**17, 10**17 + 500))
    results: tuple[tuple[Language, str, str], ...] = (
        ("en", "Got it right (500 of 600)", "more"),
        ("ko", "정답자 (600명 중 500명)", "명"),
    )
    for language, title, more in results:
        embed = trivia_closed_embed(question, None, winners, 600, language)
        got = next(f for f in embed.fields if f.name == title)
        assert got.value is not None and len(got.value) <= limits.EMBED_FIELD_VALUE_MAX
        assert got.value.endswith(more) and f"<@{winners[0]}>" in got.value
        assert "✅ **c**" in (embed.description or "")


def test_leaderboard_embed() -> None:
    top = [Score(1, 3, 4), Score(2, 3, 3), Score(3, 1, 5)]
    embed = leaderboard_embed("Fans", top, 3, Standing(Score(3, 1, 5), 3), "en")
    assert (embed.description or "").splitlines() == [
        "**1.** <@1> · 3 points (4 answered)",
        "**1.** <@2> · 3 points (3 answered)",
        "**3.** <@3> · 1 point (5 answered)",
    ]
    assert embed.fields[0].value == "<@3>: #3 with 1 point (5 answered)"
    korean = leaderboard_embed("Fans", top, 3, Standing(Score(3, 1, 5), 3), "ko")
    assert (korean.description or "").splitlines()[0] == "**1.** <@1> · 3점 (4문제 응답)"
    assert korean.fields[0].value == "<@3>: 3위, 1점 (5문제 응답)"
