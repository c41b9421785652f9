"""The /poll start ``matchup`` option: one Transformer that autocompletes and resolves.

What a moderator types is matched by the shared search rule (``bot.search``): an id or a label
picked from the list resolves exactly; typed words must each match a word of one pairing's label
(or the start of one). Nothing found: the reply names the closest pairing, if one is near.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot import limits
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, Language, command_name, reply_locale
from bot.search import Vocabulary, fold, meaningful, suggestion, words_of
from bot.ui.text import shown
from cogs.poll.content import Matchup, Matchups

SHOWN_TYPED_MAX = 80
QUERY_MAX = 100  # what is worth matching of a typed value (a client can send 6,000 characters)


class MatchupIndex:
    """The pairings with their folded words, built once (autocomplete runs on every keystroke)."""

    def __init__(self, matchups: Matchups) -> None:
        self.items: tuple[Matchup, ...] = tuple(matchups)
        self.by_id = {m.id: m for m in self.items}
        self.by_label = {fold(m.label): m for m in self.items}
        self.words = [Vocabulary([*words_of(m.label), *words_of(m.id)]) for m in self.items]
        self.vocabulary = Vocabulary(w for v in self.words for w in v.words)

    def matching(self, words: Sequence[str]) -> list[Matchup]:
        return [m for m, v in zip(self.items, self.words, strict=True) if v.matches_all(words)]

    def choices(self, typed: str) -> list[app_commands.Choice[str]]:
        """Up to 25 pairings for what is typed: labels starting with it first, then word matches."""
        query = fold(typed[:QUERY_MAX]).strip()
        if not query:
            found = list(self.items)
        else:
            words = meaningful(words_of(query))
            starts = [
                m for m in self.items if fold(m.label).startswith(query) or m.id.startswith(query)
            ]
            found = starts + [m for m in self.matching(words) if m not in starts]
        return [
            app_commands.Choice(name=m.label[: limits.AUTOCOMPLETE_CHOICE_NAME_MAX], value=m.id)
            for m in found[: limits.AUTOCOMPLETE_MAX_CHOICES]
        ]

    def resolve(self, typed: str, language: Language = ENGLISH) -> Matchup:
        """The one pairing ``typed`` names, or a friendly error (with the closest, if any)."""
        wanted = typed.strip()[:QUERY_MAX]
        exact = self.by_id.get(wanted) or self.by_label.get(fold(wanted))
        if exact is not None:
            return exact
        words = meaningful(words_of(wanted))
        found = self.matching(words) if words else []
        if len(found) == 1:
            return found[0]
        typed_shown = shown(typed.strip(), SHOWN_TYPED_MAX)
        if found:
            raise UserFacingError(
                "“{typed}” matches {count} pairings: pick one from the list.",
                typed=typed_shown,
                count=len(found),
            )
        # The option as the reader's Discord names it (대결 in Korean).
        option = command_name(language, "matchup").removeprefix("/")
        near = suggestion(words, self.vocabulary, lambda option: bool(self.matching(option)))
        if near is not None:
            raise UserFacingError(
                "No pairing matches “{typed}”. Did you mean {closest}? Pick one from the list, "
                "or leave `{option}` empty for the next pairing.",
                typed=typed_shown,
                option=option,
                closest=self.matching(near)[0].label,
            )
        raise UserFacingError(
            "No pairing matches “{typed}”. Pick one from the list, or leave `{option}` empty for "
            "the next pairing.",
            typed=typed_shown,
            option=option,
        )


def _index(interaction: discord.Interaction[Any]) -> MatchupIndex:
    index = getattr(interaction.client.get_cog("Poll"), "matchup_index", None)
    if not isinstance(index, MatchupIndex):
        raise UserFacingError("Polls are restarting; try again in a moment.")
    return index


class MatchupOption(app_commands.Transformer):
    """A pairing from the curated list, typed or picked (see :class:`MatchupIndex`)."""

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Matchup:
        return _index(interaction).resolve(str(value), reply_locale(interaction))

    async def autocomplete(  # type: ignore[override] - discord.py types the value loosely
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return _index(interaction).choices(str(value))
