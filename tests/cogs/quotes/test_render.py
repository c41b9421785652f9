"""How quotes look: excerpts cut between words with a mark, whole cards grouped within limits."""

from __future__ import annotations

import pytest

from bot import limits
from bot.i18n import Language
from cogs.quotes.render import EXCERPT_CHARS, ShownQuote, excerpt_of, full_cards, is_cut


def _quote(text: str, key: str = "curated:x") -> ShownQuote:
    return ShownQuote(key, text, "Someone", "Context " * 100, "", None)


def test_an_excerpt_is_cut_between_words_and_marked() -> None:
    text = "word " * 100
    cut = excerpt_of(text, 42)
    assert len(cut) <= 42 and cut.endswith("…")
    assert cut.removesuffix("…").split() == ["word"] * 8  # whole words only
    assert excerpt_of("short", 42) == "short"
    # One endless word has no boundary to cut at: it is cut, and the cut is marked.
    assert excerpt_of("x" * 100, 42) == "x" * 41 + "…"


def test_is_cut_follows_the_excerpt_length() -> None:
    assert is_cut(_quote("y" * (EXCERPT_CHARS + 1)))
    assert not is_cut(_quote("y" * EXCERPT_CHARS))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_whole_cards_are_grouped_within_a_messages_limits(language: Language) -> None:
    quotes = [_quote("z " * 300, key=f"curated:{i}") for i in range(12)]
    groups = full_cards(quotes, language)
    assert sum(len(g) for g in groups) == 12
    for group in groups:
        assert 1 <= len(group) <= 10
        assert sum(len(card) for card in group) <= limits.EMBED_TOTAL_MAX
