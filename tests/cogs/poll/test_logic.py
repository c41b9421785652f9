"""The poll's pure rules: tallies, bars, verdicts, standings, picking the next pairing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cogs.poll.logic import (
    BAR_EMPTY,
    BAR_FULL,
    BAR_WIDTH,
    Round,
    Tally,
    bar,
    clean_pick,
    humanize_delta,
    next_matchup,
    parse_side,
    result_bars,
    standings,
    verdict,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_parse_side_accepts_only_the_two_sides() -> None:
    assert parse_side("kpop") == "kpop"
    assert parse_side("classic") == "classic"
    for bad in ("KPOP", "", "kpop ", "rock", "classic\n"):
        assert parse_side(bad) is None


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_percentages_add_up_and_winner_matches(kpop: int, classic: int) -> None:
    tally = Tally(kpop, classic)
    a, b = tally.percentages()
    assert (a + b == 100) if tally.total else (a, b) == (0, 0)
    if kpop == classic:
        assert tally.winner is None
    else:
        assert tally.winner == ("kpop" if kpop > classic else "classic")
    assert tally.margin == abs(kpop - classic)


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_bars_have_fixed_width_and_show_any_vote(votes: int, others: int) -> None:
    total = votes + others
    drawn = bar(votes, total)
    assert len(drawn) == BAR_WIDTH
    filled = drawn.count(BAR_FULL)
    assert drawn == BAR_FULL * filled + BAR_EMPTY * (BAR_WIDTH - filled)
    if votes:
        assert filled >= 1
    if others:
        assert filled <= BAR_WIDTH - 1
    if total and not others:
        assert filled == BAR_WIDTH


def test_bar_examples() -> None:
    assert bar(0, 0) == BAR_EMPTY * 20
    assert bar(1, 2) == BAR_FULL * 10 + BAR_EMPTY * 10
    assert bar(1, 1000) == BAR_FULL + BAR_EMPTY * 19
    assert bar(999, 1000) == BAR_FULL * 19 + BAR_EMPTY


def test_result_bars_text() -> None:
    text = result_bars(Tally(3, 1))
    assert "K-pop   " + BAR_FULL * 15 + BAR_EMPTY * 5 + "  75% (3)" in text
    assert "Classic " + BAR_FULL * 5 + BAR_EMPTY * 15 + "  25% (1)" in text
    assert text.startswith("```\n") and text.endswith("\n```")


def test_verdicts() -> None:
    assert verdict(Tally(0, 0), "A", "B") == "No votes were cast in this round."
    assert verdict(Tally(2, 2), "A", "B") == "It's a tie at 2 votes each."
    assert verdict(Tally(1, 1), "A", "B") == "It's a tie at 1 vote each."
    assert verdict(Tally(5, 2), "A", "B") == "K-pop wins: A, by 3 votes."
    assert verdict(Tally(0, 1), "A", "B") == "Classic wins: B, by 1 vote."


def test_clean_pick_keeps_words_drops_invisibles_and_truncates() -> None:
    assert clean_pick("  Super\u200b  Shy \ufeff ", 50) == "Super Shy"
    assert clean_pick("\u200b\u200d", 50) == ""
    assert clean_pick("뉴진스 Super Shy", 50) == "뉴진스 Super Shy"
    assert clean_pick("@everyone **bold**", 50) == "@everyone **bold**"
    long = clean_pick("x" * 6000, 100)
    assert len(long) == 100 and long.endswith("…")
    assert clean_pick("a\x00b\x07c", 10) == "abc"


def test_next_matchup_prefers_unused_in_file_order_then_least_recent() -> None:
    ids = ["a", "b", "c"]
    assert next_matchup([], {}) is None
    assert next_matchup(ids, {}) == ("a", False)
    assert next_matchup(ids, {"a": T0}) == ("b", False)
    assert next_matchup(ids, {"a": T0, "c": T0}) == ("b", False)
    used = {"a": T0 + timedelta(days=2), "b": T0, "c": T0 + timedelta(days=1)}
    assert next_matchup(ids, used) == ("b", True)
    # Equal times: file order decides.
    assert next_matchup(ids, dict.fromkeys(ids, T0)) == ("a", True)
    # A pairing no longer in the file is ignored.
    assert next_matchup(["b"], {"gone": T0}) == ("b", False)


def test_humanize_delta() -> None:
    assert humanize_delta(timedelta(seconds=30)) == "less than a minute"
    assert humanize_delta(timedelta(minutes=4, seconds=59)) == "4 min"
    assert humanize_delta(timedelta(hours=5, minutes=12)) == "5 h 12 min"
    assert humanize_delta(timedelta(hours=5)) == "5 h"
    assert humanize_delta(timedelta(days=2, hours=3)) == "2 d 3 h"
    assert humanize_delta(timedelta(days=7)) == "7 d"


def test_standings_counts_and_extremes() -> None:
    rounds = [
        Round(1, "one", Tally(10, 2)),
        Round(2, "two", Tally(1, 0)),
        Round(3, "three", Tally(50, 49)),
        Round(4, "four", Tally(3, 3)),
        Round(5, "five", Tally(0, 0)),
        Round(6, "six", Tally(0, 7)),
    ]
    s = standings(rounds)
    assert (s.rounds, s.kpop_wins, s.classic_wins, s.ties, s.no_votes) == (6, 3, 1, 1, 1)
    assert s.total_votes == 12 + 1 + 99 + 6 + 7
    assert s.closest is not None and s.closest.poll_id == 4  # a tie is the closest
    assert s.most_voted is not None and s.most_voted.poll_id == 3
    assert s.average_turnout == s.total_votes / 6


def test_standings_closest_prefers_more_votes_among_equal_margins() -> None:
    s = standings([Round(1, "a", Tally(1, 0)), Round(2, "b", Tally(50, 49))])
    assert s.closest is not None and s.closest.poll_id == 2


def test_standings_empty() -> None:
    s = standings([])
    assert (s.rounds, s.total_votes, s.closest, s.most_voted, s.average_turnout) == (
        0,
        0,
        None,
        None,
        0.0,
    )
