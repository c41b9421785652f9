"""Names typed into /influence options: autocomplete and resolution in one place.

``EntityName`` (``/influence artist``, ``map``) and ``PathEnd`` (``/influence path`` from/to) are
``app_commands.Transformer``s: Discord asks them for choices while the member types, and hands
them the final text, which they turn into an :class:`Entity` or refuse with a friendly private
reply naming the closest entries, each a button ("Did you mean …?") that runs the lookup as if
that name had been typed. Only the member who asked can use those buttons (their id is in the
custom_id); anyone else, or a forged id, gets a friendly answer and nothing else happens.

This module reaches the cog through the bot (``InfluenceAnswers``), not by import, so the cog
can import the Transformers for its annotations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self, cast

import discord
from discord import app_commands

from bot import limits
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Language, reply_locale
from bot.ui.buttons import Button
from bot.ui.text import clip, escape, shown
from bot.views import static_view
from cogs.influence.content import Entity
from cogs.influence.graph import Match, NameIndex, Resolution

COG_NAME = "Influence"
SHOWN_INPUT_MAX = 60  # how much of what a member typed is ever echoed back
ENTITY_ID = r"[a-z0-9][a-z0-9-]{0,63}"
_ASKER = r"[0-9]{1,20}"

UNAVAILABLE = N_("The influence graph is not available right now: try again later.")
NOT_YOURS = N_(
    "These suggestions are for the member who asked. Run the command yourself to get your own."
)
NOT_FOUND = N_(
    "I couldn't find “{typed}” in the influence graph. Start typing a name and pick one "
    "from the list."
)
DID_YOU_MEAN = N_("No entry is called “{typed}”. Did you mean: {names}?")
BOTH_UNKNOWN = N_("Neither end of the path is in the influence graph as typed.\n{first}\n{second}")
GONE = N_("That entry is no longer in the influence graph: try `/influence artist`.")


class Names(Protocol):
    names: NameIndex

    def resolve(self, text: str) -> Resolution: ...

    def entity(self, entity_id: str) -> Entity | None: ...


class InfluenceAnswers(Protocol):
    """What the cog offers this module: its lookup, and the answers a suggestion runs."""

    @property
    def names_lookup(self) -> Names: ...

    async def answer_artist(
        self, interaction: discord.Interaction[Any], entity: Entity
    ) -> None: ...

    async def answer_map(
        self, interaction: discord.Interaction[Any], entity: Entity, depth: int
    ) -> None: ...

    async def answer_path(
        self, interaction: discord.Interaction[Any], start: Entity, end: Entity
    ) -> None: ...


def answers_of(interaction: discord.Interaction[Any]) -> InfluenceAnswers:
    cog = interaction.client.get_cog(COG_NAME)
    if cog is None:  # unloaded (a reload in progress): say so instead of failing
        raise UserFacingError(UNAVAILABLE)
    # The cog registered under this name is always cogs.influence.cog's (an isinstance check
    # against the Protocol would cost more than the rest of an autocomplete answer).
    return cast(InfluenceAnswers, cog)


def label_in(lookup: Names, match: Match, language: Language) -> str:
    """A match as the reader sees it: the entity's name in their language (its Hangul name for
    a Korean reader), plus the alias typed when it is not just a spelling of that name."""
    entity = lookup.entity(match.entity_id)
    return match.label if entity is None else match.label_as(entity.name_for(language))


def choices(
    lookup: Names, typed: str, language: Language = ENGLISH
) -> list[app_commands.Choice[str]]:
    """Autocomplete: the best matches first (exact, then prefixes, then the rest)."""
    return [
        app_commands.Choice(
            name=clip(label_in(lookup, m, language), limits.AUTOCOMPLETE_CHOICE_NAME_MAX),
            value=m.entity_id,
        )
        for m in lookup.names.search(typed)
    ]


def unknown_name(
    lookup: Names,
    language: Language,
    typed: str,
    suggestions: Sequence[Match],
    view: discord.ui.View | None = None,
) -> UserFacingError:
    """For a name that matches no entry, or several: the closest entries, if any."""
    echoed = shown(typed, SHOWN_INPUT_MAX)
    if suggestions:
        names = ", ".join(f"**{escape(label_in(lookup, m, language))}**" for m in suggestions)
        return UserFacingError(DID_YOU_MEAN, view=view, typed=echoed, names=names)
    return UserFacingError(NOT_FOUND, view=view, typed=echoed)


# ---------------------------------------------------------------------------------------------
# The suggestion buttons
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Ask:
    """What a suggestion runs: ``a`` an artist profile, ``m1``/``m2`` a map of that depth, ``p``
    a path (``ids`` holds its two ends)."""

    asker: int
    what: str
    ids: tuple[str, ...]

    @property
    def custom_id(self) -> str:
        return ":".join(("inf:dym", str(self.asker), self.what, *self.ids))


class Suggestion(
    Button,
    template=rf"inf:dym:(?P<asker>{_ASKER}):(?:(?P<what>a|m[12]):(?P<entity>{ENTITY_ID})"
    rf"|p:(?P<start>{ENTITY_ID}):(?P<end>{ENTITY_ID}))",
):
    def __init__(self, ask: Ask, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, limits.BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.primary,
                custom_id=ask.custom_id,
            )
        )
        self.ask = ask

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        # Possibly forged: the ids are only looked up, the asker only compared.
        if match["what"]:
            ask = Ask(int(match["asker"]), match["what"], (match["entity"],))
        else:
            ask = Ask(int(match["asker"]), "p", (match["start"], match["end"]))
        return cls(ask, label)

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.ask.asker:
            raise UserFacingError(NOT_YOURS)
        answers = answers_of(interaction)
        lookup = answers.names_lookup
        found = [lookup.entity(entity_id) for entity_id in self.ask.ids]
        entities = [e for e in found if e is not None]
        if len(entities) != len(found):
            raise UserFacingError(GONE)
        if self.ask.what == "p":
            await answers.answer_path(interaction, entities[0], entities[1])
        elif self.ask.what.startswith("m"):
            await answers.answer_map(interaction, entities[0], int(self.ask.what[1:]))
        else:
            await answers.answer_artist(interaction, entities[0])


def suggestion_view(buttons: Sequence[tuple[Ask, str]]) -> discord.ui.View | None:
    """The buttons that fit Discord's custom_id limit (every real id does), or no view."""
    items = [
        Suggestion(ask, label)
        for ask, label in buttons
        if len(ask.custom_id) <= limits.CUSTOM_ID_MAX
    ]
    return (
        static_view(items[: limits.BUTTONS_PER_ROW_MAX * limits.ACTION_ROWS_MAX]) if items else None
    )


# ---------------------------------------------------------------------------------------------
# The Transformers
# ---------------------------------------------------------------------------------------------
class _NameOption(app_commands.Transformer):
    """What every name option shares: autocomplete, and the look-up of what was sent (an id
    when the member picked a choice, else whatever they typed); a name that names no entry is
    answered by :meth:`unknown`."""

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str, /
    ) -> list[app_commands.Choice[str]]:
        lookup = answers_of(interaction).names_lookup
        return choices(lookup, str(value), reply_locale(interaction))

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Entity:
        typed = str(value)
        lookup = answers_of(interaction).names_lookup
        resolution = lookup.resolve(typed)
        entity = lookup.entity(resolution.entity_id or "")
        if entity is None:
            raise self.unknown(interaction, lookup, typed, resolution)
        return entity

    def unknown(
        self,
        interaction: discord.Interaction[Any],
        lookup: Names,
        typed: str,
        resolution: Resolution,
    ) -> UserFacingError:
        """What to answer when ``typed`` names no entry (with suggestions to try)."""
        raise NotImplementedError


class EntityName(_NameOption):
    """An artist, group, producer, label, genre or scene, by id, name or alias.

    ``action`` says what a suggestion button runs: ``"artist"`` (a profile) or ``"map"``.
    """

    def __init__(self, action: str = "artist") -> None:
        self.action = action

    def unknown(
        self,
        interaction: discord.Interaction[Any],
        lookup: Names,
        typed: str,
        resolution: Resolution,
    ) -> UserFacingError:
        what = "a"
        if self.action == "map":
            depth = getattr(interaction.namespace, "depth", None)
            what = f"m{depth if depth in (1, 2) else 1}"
        asker, language = interaction.user.id, reply_locale(interaction)
        view = suggestion_view(
            [
                (Ask(asker, what, (m.entity_id,)), label_in(lookup, m, language))
                for m in resolution.suggestions
            ]
        )
        return unknown_name(lookup, language, typed, resolution.suggestions, view)


class PathEnd(_NameOption):
    """One end of ``/influence path``; ``side`` is this option's name, ``other`` the other's.

    An unknown end is answered with pairs to try: each suggestion with the other end (or, when
    that one is unknown too, with its closest entry).
    """

    def __init__(self, side: str, other: str) -> None:
        self.side, self.other = side, other

    def unknown(
        self,
        interaction: discord.Interaction[Any],
        lookup: Names,
        typed: str,
        resolution: Resolution,
    ) -> UserFacingError:
        language = reply_locale(interaction)
        other_typed = getattr(interaction.namespace, self.other, None)
        other_ends: list[tuple[str, str]] = []  # (id, label)
        other_problem: UserFacingError | None = None
        if isinstance(other_typed, str):
            other = lookup.resolve(other_typed)
            other_entity = lookup.entity(other.entity_id or "")
            if other_entity is not None:
                other_ends = [(other_entity.id, other_entity.name_for(language))]
            else:
                other_problem = unknown_name(lookup, language, other_typed, other.suggestions)
                other_ends = [
                    (m.entity_id, label_in(lookup, m, language)) for m in other.suggestions[:1]
                ]
        pairs: list[tuple[Ask, str]] = []
        for match in resolution.suggestions:
            for other_id, other_label in other_ends:
                if other_id == match.entity_id:
                    continue
                ends = (match.entity_id, other_id)
                labels = (label_in(lookup, match, language), other_label)
                if self.side != "from":
                    ends, labels = ends[::-1], labels[::-1]
                pairs.append((Ask(interaction.user.id, "p", ends), " → ".join(labels)))
        view = suggestion_view(pairs)
        problem = unknown_name(lookup, language, typed, resolution.suggestions, view)
        if other_problem is None:
            return problem
        first, second = problem.text(language), other_problem.text(language)
        if self.side != "from":
            first, second = second, first
        return UserFacingError(BOTH_UNKNOWN, view=problem.view, first=first, second=second)
