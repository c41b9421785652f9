"""The matchup option: what it offers as a moderator types, and what it resolves to."""

from __future__ import annotations

import pytest

from bot.errors import UserFacingError
from cogs.poll.content import load_matchups
from cogs.poll.options import MatchupIndex

MATCHUPS = load_matchups()
INDEX = MatchupIndex(MATCHUPS)


def test_an_id_or_a_label_picked_from_the_list_resolves_exactly() -> None:
    for item in MATCHUPS:
        assert INDEX.resolve(item.id) is item
        assert INDEX.resolve(item.label.upper()) is item


def test_typed_words_find_the_one_pairing_they_name() -> None:
    target = next(m for m in MATCHUPS if m.kpop.title.casefold() == "butter")
    assert INDEX.resolve("bts butter") is target


def test_a_misspelling_gets_the_closest_pairing_and_several_matches_ask_to_pick() -> None:
    with pytest.raises(UserFacingError) as caught:
        INDEX.resolve("jackon 5")
    assert "Did you mean" in str(caught.value) and "Jackson 5" in str(caught.value)
    with pytest.raises(UserFacingError) as several:
        INDEX.resolve("bts")
    assert "matches 2 pairings" in str(several.value)


@pytest.mark.parametrize("typed", ["", "   ", "@everyone", "\u200b" * 50, "한" * 6000, "'; DROP"])
def test_hostile_typing_is_refused_kindly_or_offers_choices_within_limits(typed: str) -> None:
    choices = INDEX.choices(typed)
    assert len(choices) <= 25 and all(1 <= len(c.name) <= 100 for c in choices)
    if typed.strip().strip("\u200b"):
        with pytest.raises(UserFacingError) as caught:
            INDEX.resolve(typed)
        assert "@everyone" not in str(caught.value) and len(str(caught.value)) < 400


def test_autocomplete_ranks_labels_that_start_with_the_typed_text_first() -> None:
    first = MATCHUPS.items[0]
    assert INDEX.choices(first.label[:6])[0].value == first.id
    assert len(INDEX.choices("")) == min(25, len(MATCHUPS))
