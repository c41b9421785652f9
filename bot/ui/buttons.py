"""Buttons that outlive restarts, and the answer to clicks no button takes.

Every button of the bot is a :class:`Button`: a ``DynamicItem`` whose custom_id carries all it
needs, so a click on a message months old still works. Its failures reach the member as the
standard friendly reply (with a reference code), not as Discord's "This interaction failed".
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import discord

from bot.errors import report_error
from bot.i18n import reply_locale, t
from bot.shards import owns

# discord.py requires a template even on a base class; this one matches nothing.
_NEVER = re.compile(r"(?!)")


class Button(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_NEVER):
    """A persistent button: subclasses give ``template=`` and implement :meth:`from_match` and
    :meth:`clicked`."""

    #: The compiled custom_id template (public, unlike discord.py's own copy of it).
    pattern: ClassVar[re.Pattern[str]] = _NEVER

    def __init_subclass__(cls, *, template: str | re.Pattern[str]) -> None:
        pattern = re.compile(template) if isinstance(template, str) else template
        super().__init_subclass__(template=pattern)
        cls.pattern = pattern

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        """discord.py rebuilds a clicked button from its custom_id: see :meth:`from_match`."""
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls.from_match(match, label or "")

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        """The button a clicked custom_id's ``match`` of the template and the ``label`` shown
        describe. The custom_id may be forged: its ids are only looked up, never trusted."""
        raise NotImplementedError

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # A click for a server whose shard another process holds is never handled here (the
        # bot's on_interaction logs it); see bot.shards.
        client = interaction.client
        if isinstance(client, discord.AutoShardedClient):
            return owns(client, interaction.guild_id) if interaction.guild_id else True
        return True

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        try:
            await self.clicked(interaction)
        except Exception as error:  # noqa: BLE001 - discord.py would only log it
            await report_error(interaction, error)

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


def custom_ids(message: discord.Message | None) -> set[str]:
    """Every custom_id on a message's components."""
    found: set[str] = set()
    for row in message.components if message is not None else ():
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None)
            if isinstance(custom_id, str):
                found.add(custom_id)
    return found


def clicked_custom_id(interaction: discord.Interaction[Any]) -> str | None:
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id")
    return custom_id if isinstance(custom_id, str) else None


StaleHandler = Callable[[discord.Interaction[Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ClickNamespace:
    """A feature's buttons: the custom_id prefixes they use, and what a member hears when a
    click in that namespace cannot be answered (forged, garbled, or not on the message).

    discord.py dispatches a click only to a button whose template matches and that is on the
    clicked message, and drops every other click silently; the bot answers those with
    ``stale_reply`` (a catalog msgid, marked with ``N_``, shown in the member's language), or
    hands them to ``on_stale`` when the feature needs more.
    """

    prefixes: tuple[str, ...]
    buttons: tuple[type[Button], ...]
    stale_reply: str
    on_stale: StaleHandler | None = None

    def answers(self, interaction: discord.Interaction[Any], custom_id: str) -> bool:
        """True when one of these buttons will take the click (discord.py dispatches it)."""
        data: Any = interaction.data or {}
        if data.get("component_type") != discord.ComponentType.button.value:
            return False
        return any(b.pattern.fullmatch(custom_id) for b in self.buttons) and (
            custom_id in custom_ids(interaction.message)
        )

    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        if self.on_stale is not None:
            await self.on_stale(interaction)
        elif not interaction.response.is_done():
            text = t(reply_locale(interaction), self.stale_reply)
            await interaction.response.send_message(text, ephemeral=True)
