"""/influence: who shaped whom, from Motown to K-pop, walked by clicking.

``/influence artist`` shows a profile (what influenced an entity, whom it influenced, each link
with its kind, note and source) with buttons that open the connected profiles, paged when there
are many. ``/influence path`` shows the shortest lineage between two entities (see
``cogs.influence.graph`` for what is reported when no lineage runs from one to the other).

Buttons are ``DynamicItem``s (``inf:go:<entity-id>``, ``inf:page:<entity-id>:<n>``), so they work
on old messages after a restart. A click on a public profile opens the next profile privately
(ephemeral) for the one who clicked; clicks on a private profile update it in place. So one fan
walking the graph never changes the message everyone else sees, and nothing is edited per click
on a public message.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.client import KpopsBot
from bot.errors import UserFacingError
from bot.ui.buttons import Button, ClickNamespace
from bot.ui.style import BRAND
from bot.ui.text import clip, escape, shown
from bot.views import static_view
from cogs.influence import map_layout
from cogs.influence.content import Entity, Graph, Link
from cogs.influence.graph import (
    Connection,
    LinkGraph,
    Match,
    Named,
    NameIndex,
    Resolution,
    Step,
)
from cogs.influence.map_cache import MapPictures
from cogs.influence.map_layout import MapLayout
from cogs.influence.render import (
    entity_name,
    link_field,
    path_embed,
    profile_header,
    profile_pages,
)

SUGGESTIONS = 5
PATH_BUTTONS = 15  # three rows of entity buttons under a path
RESOLVED_NAMES = 2048  # typed names kept resolved
RENDERED_PROFILES = 1024  # profile pages kept rendered
RENDERED_PATHS = 1024  # paths kept rendered (of 64 x 63 possible pairs today)
SHOWN_INPUT_MAX = 60  # how much of what a user typed is ever echoed back

_ENTITY_ID = r"[a-z0-9][a-z0-9-]{0,63}"

# What /influence map and the path picture say, in one place.
MAP_TEXT = {
    "map_title": "{name}: the lineage map",
    "map_subtitle": "Above: who influenced them · below: whom they influenced",
    "map_description": (
        "**{name}** in the middle: above, who shaped them; below, whom they shaped; up to "
        "{depth} link{s} away. Arrows point from influencer to influenced, colours show how "
        "each link is known, dashed links are disputed."
    ),
    "map_trimmed": "The best-connected are drawn: `/influence artist` lists every link.",
    "map_footer": "Buttons open the connected profiles.",
    "path_title": "{start} → {end}: the lineage",
    "path_subtitle": "Arrows point from influencer to influenced",
    "path_description": "The path from **{start}** to **{end}**, as a picture.",
    "path_button": "🖼️ Show as picture",
    "no_attach": (
        "I can't attach pictures in this channel: ask a moderator to give me the "
        "**Attach Files** permission here, or try another channel."
    ),
    "no_path": "There is no lineage between these two to draw: try `/influence path` again.",
    "gone": "That entry is no longer in the influence graph: try `/influence artist`.",
}


# ---------------------------------------------------------------------------------------------
# The loaded graph with its indexes
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Neighbour:
    """One link as seen from an entity's profile."""

    link: Link
    other: Entity
    incoming: bool  # True: ``other`` influenced the profiled entity


class InfluenceLookup:
    """The content graph plus the name index and path engine built from it at load."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.paths = LinkGraph(graph.entities, ((k.source_id, k.target_id) for k in graph.links))
        popularity = {entity_id: self.paths.degree(entity_id) for entity_id in graph.entities}
        self.names = NameIndex(
            (Named(e.id, e.name, tuple(e.aliases)) for e in graph.entities.values()), popularity
        )
        self._links = {(k.source_id, k.target_id): k for k in graph.links}
        self._resolve = lru_cache(maxsize=RESOLVED_NAMES)(
            partial(self.names.resolve, suggestions=SUGGESTIONS)
        )
        # (entity id, page) -> the rendered profile page, kept for the busiest (page numbers come
        # from custom_ids, which can be forged: the bound keeps that from filling memory).
        self.rendered_profile = lru_cache(maxsize=RENDERED_PROFILES)(partial(render_profile, self))
        # (from id, to id) -> the rendered path, kept for the busiest pairs.
        self.rendered_path = lru_cache(maxsize=RENDERED_PATHS)(partial(render_path, self))
        self.popularity = map_layout.degrees(graph)
        self.pictures = MapPictures()

    def entity(self, entity_id: str) -> Entity | None:
        return self.graph.entities.get(entity_id)

    def link(self, step: Step) -> Link:
        return self._links[step.link]

    def neighbours(self, entity_id: str) -> list[Neighbour]:
        """What influenced the entity, then whom it influenced, each by name."""
        entities = self.graph.entities
        incoming = [
            Neighbour(k, entities[k.source_id], True) for k in self.graph.influences_of(entity_id)
        ]
        outgoing = [
            Neighbour(k, entities[k.target_id], False) for k in self.graph.influenced_by(entity_id)
        ]
        incoming.sort(key=lambda n: n.other.name.casefold())
        outgoing.sort(key=lambda n: n.other.name.casefold())
        return incoming + outgoing

    def resolve(self, text: str) -> Resolution:
        """What a typed name means; the graph never changes, so the busiest answers are kept
        (for name-sized input only: a 6,000-character paste is not worth keeping)."""
        if len(text) > SHOWN_INPUT_MAX:
            return self.names.resolve(text, SUGGESTIONS)
        return self._resolve(text)


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------
def profile(
    lookup: InfluenceLookup, entity: Entity, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    """A profile page. The graph never changes while the bot runs, so each page (its embed and
    its view of DynamicItems, see static_view) is rendered once and sent as often as asked."""
    return lookup.rendered_profile(entity.id, page)


def render_profile(
    lookup: InfluenceLookup, entity_id: str, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    entity = lookup.graph.entities[entity_id]
    neighbours = lookup.neighbours(entity.id)
    pages = profile_pages(entity, neighbours)
    page = min(max(page, 0), len(pages) - 1)
    incoming = sum(n.incoming for n in neighbours)
    embed = profile_header(entity, incoming, len(neighbours) - incoming)
    for neighbour in pages[page]:
        name, value = link_field(entity, neighbour)
        embed.add_field(name=name, value=value, inline=False)
    footer = "Buttons open the connected profiles."
    if len(pages) > 1:
        first = sum(len(p) for p in pages[:page]) + 1
        footer = (
            f"Page {page + 1}/{len(pages)} · links {first}–{first + len(pages[page]) - 1} "
            f"of {len(neighbours)} · {footer}"
        )
    embed.set_footer(text=footer)
    buttons: list[GoToEntity | TurnPage] = []
    seen: set[str] = set()
    for neighbour in pages[page]:
        if neighbour.other.id in seen:
            continue
        seen.add(neighbour.other.id)
        arrow = "⬅️" if neighbour.incoming else "➡️"
        buttons.append(GoToEntity(neighbour.other.id, f"{arrow} {neighbour.other.name}"))
    if len(pages) > 1:
        buttons.append(TurnPage(entity.id, max(page - 1, 0), "◀ Previous", page == 0, row=4))
        buttons.append(
            TurnPage(
                entity.id,
                min(page + 1, len(pages) - 1),
                "Next ▶",
                page == len(pages) - 1,
                row=4,
            )
        )
    return embed, static_view(buttons)


# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------
def path_view(
    lookup: InfluenceLookup, start: Entity, end: Entity, connection: Connection
) -> discord.ui.View:
    """A button for each entry on the walk (or just the two ends when there is none)."""
    order: list[str] = []
    walk = [connection.steps[0].walk_from] if connection.steps else []
    walk += [step.walk_to for step in connection.steps]
    for entity_id in [*walk, start.id, end.id]:
        if entity_id not in order:
            order.append(entity_id)
    buttons: list[GoToEntity | ShowPathPicture] = [
        GoToEntity(entity_id, entity_name(lookup, entity_id)) for entity_id in order[:PATH_BUTTONS]
    ]
    if connection.steps and len(path_picture_id(start.id, end.id)) <= limits.CUSTOM_ID_MAX:
        buttons.append(ShowPathPicture(start.id, end.id))
    return static_view(buttons)


def render_path(
    lookup: InfluenceLookup, start_id: str, end_id: str
) -> tuple[discord.Embed, discord.ui.View]:
    """The path between two entries (``InfluenceLookup.rendered_path`` keeps the busiest)."""
    start, end = lookup.graph.entities[start_id], lookup.graph.entities[end_id]
    connection = lookup.paths.connection(start_id, end_id)
    return path_embed(lookup, start, end, connection), path_view(lookup, start, end, connection)


# ---------------------------------------------------------------------------------------------
# Pictures: /influence map and the path's "show as picture"
# ---------------------------------------------------------------------------------------------
def map_filename(*parts: object) -> str:
    """An attachment name made of entity ids and numbers only (``attachment://`` needs it exact)."""
    return "influence-" + "-".join(str(p) for p in parts) + ".png"


def neighbourhood_layout(lookup: InfluenceLookup, entity_id: str, depth: int) -> MapLayout:
    name = lookup.graph.entities[entity_id].name
    title = (MAP_TEXT["map_title"].format(name=name), MAP_TEXT["map_subtitle"])
    return map_layout.neighbourhood(lookup.graph, entity_id, depth, lookup.popularity, title)


def path_layout(lookup: InfluenceLookup, start_id: str, end_id: str) -> MapLayout:
    """The path /influence path shows, as a column (``ValueError`` when there is none)."""
    start, end = lookup.graph.entities[start_id], lookup.graph.entities[end_id]
    connection = lookup.paths.connection(start_id, end_id)
    title = (
        MAP_TEXT["path_title"].format(start=start.name, end=end.name),
        MAP_TEXT["path_subtitle"],
    )
    return map_layout.path(lookup.graph, connection.steps, (start_id, end_id), title)


def map_embed(entity: Entity, depth: int, filename: str, trimmed: bool) -> discord.Embed:
    name = escape(entity.name)
    description = MAP_TEXT["map_description"].format(
        name=name, depth=depth, s="s" if depth != 1 else ""
    )
    if trimmed:
        description += "\n" + MAP_TEXT["map_trimmed"]
    embed = discord.Embed(
        title=clip(MAP_TEXT["map_title"].format(name=entity.name), limits.EMBED_TITLE_MAX),
        description=clip(description, limits.EMBED_DESCRIPTION_MAX),
        colour=BRAND,
    )
    embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text=MAP_TEXT["map_footer"])
    return embed


def path_picture_embed(start: Entity, end: Entity, filename: str) -> discord.Embed:
    embed = discord.Embed(
        title=clip(
            MAP_TEXT["path_title"].format(start=start.name, end=end.name), limits.EMBED_TITLE_MAX
        ),
        description=MAP_TEXT["path_description"].format(
            start=escape(start.name), end=escape(end.name)
        ),
        colour=BRAND,
    )
    embed.set_image(url=f"attachment://{filename}")
    return embed


def can_attach(interaction: discord.Interaction[Any]) -> bool:
    return interaction.app_permissions.attach_files


async def send_picture(
    interaction: discord.Interaction[Any],
    picture: Picture,
    *,
    ephemeral: bool,
) -> None:
    """Send a picture with its embed: at once when it is kept, else after a "thinking…" while a
    worker thread draws it (so a cold render never risks the three-second deadline)."""
    if not can_attach(interaction):
        raise UserFacingError(MAP_TEXT["no_attach"])
    pictures = _lookup(interaction).pictures
    png = pictures.cached(picture.key)
    if png is None:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        png = await pictures.get(picture.key, picture.layout)
        await interaction.followup.send(
            embed=picture.embed,
            view=picture.view,
            file=discord.File(io.BytesIO(png), filename=picture.filename),
            ephemeral=ephemeral,
        )
        return
    await interaction.response.send_message(
        embed=picture.embed,
        view=picture.view,
        file=discord.File(io.BytesIO(png), filename=picture.filename),
        ephemeral=ephemeral,
    )


@dataclass(frozen=True, slots=True)
class Picture:
    """One picture to send: its cache key, how to lay it out, and the message around it."""

    key: tuple[str, ...]
    layout: Callable[[], MapLayout]
    filename: str
    embed: discord.Embed
    view: discord.ui.View | Any  # discord.utils.MISSING when there are no buttons


def map_picture(lookup: InfluenceLookup, entity: Entity, depth: int) -> Picture:
    filename = map_filename("map", entity.id, depth)
    layout = partial(neighbourhood_layout, lookup, entity.id, depth)
    # Trimmed when the entity has more links than the first ring can show.
    trimmed = any(layer for layer in layout().more)
    _, view = profile(lookup, entity, 0)  # the same walk buttons as the profile
    return Picture(
        ("map", entity.id, str(depth)),
        layout,
        filename,
        map_embed(entity, depth, filename, trimmed),
        view,
    )


def path_picture(lookup: InfluenceLookup, start: Entity, end: Entity) -> Picture:
    filename = map_filename("path", start.id, end.id)
    return Picture(
        ("path", start.id, end.id),
        partial(path_layout, lookup, start.id, end.id),
        filename,
        path_picture_embed(start, end, filename),
        discord.utils.MISSING,
    )


def path_picture_id(start_id: str, end_id: str) -> str:
    return f"inf:pic:{start_id}:{end_id}"


class ShowPathPicture(Button, template=rf"inf:pic:(?P<start>{_ENTITY_ID}):(?P<end>{_ENTITY_ID})"):
    def __init__(self, start_id: str, end_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=MAP_TEXT["path_button"],
                style=discord.ButtonStyle.primary,
                custom_id=path_picture_id(start_id, end_id),
            )
        )
        self.start_id, self.end_id = start_id, end_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> ShowPathPicture:
        return cls(match["start"], match["end"])  # possibly forged: only looked up

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        lookup = _lookup(interaction)
        start, end = lookup.entity(self.start_id), lookup.entity(self.end_id)
        if start is None or end is None:
            raise UserFacingError(MAP_TEXT["gone"])
        if start.id == end.id or not lookup.paths.connection(start.id, end.id).steps:
            raise UserFacingError(MAP_TEXT["no_path"])
        # A click on the public path answers privately, like the profile buttons.
        await send_picture(interaction, path_picture(lookup, start, end), ephemeral=True)


# ---------------------------------------------------------------------------------------------
# Buttons that work after a restart
# ---------------------------------------------------------------------------------------------
def _lookup(interaction: discord.Interaction[Any]) -> InfluenceLookup:
    cog = interaction.client.get_cog(Influence.__cog_name__)
    if not isinstance(cog, Influence):
        raise UserFacingError("The influence graph is not available right now: try again later.")
    return cog.lookup


async def show_profile(interaction: discord.Interaction[Any], entity_id: str, page: int) -> None:
    """Answer a click: a private profile, or this private profile updated in place."""
    lookup = _lookup(interaction)
    entity = lookup.entity(entity_id)
    if entity is None:
        raise UserFacingError(
            "That entry is no longer in the influence graph: try `/influence artist`."
        )
    embed, view = profile(lookup, entity, page)
    message = interaction.message
    if message is not None and message.flags.ephemeral:
        await interaction.response.edit_message(content=None, embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class GoToEntity(Button, template=rf"inf:go:(?P<entity>{_ENTITY_ID})"):
    def __init__(self, entity_id: str, label: str = "", *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or entity_id, limits.BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.secondary,
                custom_id=f"inf:go:{entity_id}",
                row=row,
            )
        )
        self.entity_id = entity_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> GoToEntity:
        # Possibly forged: the id is only looked up, never trusted further.
        return cls(match["entity"], item.label or "")

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        await show_profile(interaction, self.entity_id, 0)


class TurnPage(Button, template=rf"inf:page:(?P<entity>{_ENTITY_ID}):(?P<page>[0-9]{{1,3}})"):
    def __init__(
        self,
        entity_id: str,
        page: int,
        label: str = "",
        disabled: bool = False,
        *,
        row: int | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or f"Page {page + 1}",
                style=discord.ButtonStyle.primary,
                custom_id=f"inf:page:{entity_id}:{page}",
                disabled=disabled,
                row=row,
            )
        )
        self.entity_id = entity_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> TurnPage:
        return cls(match["entity"], int(match["page"]), item.label or "")

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        await show_profile(interaction, self.entity_id, self.page)


BUTTONS = ClickNamespace(
    prefixes=("inf:",),
    buttons=(GoToEntity, TurnPage, ShowPathPicture),
    stale_reply="That button no longer works: try `/influence artist` again.",
)


# ---------------------------------------------------------------------------------------------
# The cog
# ---------------------------------------------------------------------------------------------
def did_you_mean(typed: str, suggestions: Sequence[Match]) -> str:
    """For a name that matches no entry, or several: the closest entries, if any."""
    if suggestions:
        names = ", ".join(f"**{escape(m.label)}**" for m in suggestions)
        return f"No entry is called “{shown(typed, SHOWN_INPUT_MAX)}”. Did you mean: {names}?"
    return (
        f"I couldn't find “{shown(typed, SHOWN_INPUT_MAX)}” in the influence graph. "
        "Start typing a name and pick one from the list."
    )


class Influence(
    commands.GroupCog,
    group_name="influence",
    group_description="Who shaped whom: a sourced lineage from Motown to K-pop.",
):
    def __init__(self, bot: KpopsBot, graph: Graph) -> None:
        self.bot = bot
        self.lookup = InfluenceLookup(graph)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_buttons(BUTTONS)

    async def cog_unload(self) -> None:
        self.bot.remove_buttons(BUTTONS)

    async def choices(self, current: str) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(
                name=clip(m.label, limits.AUTOCOMPLETE_CHOICE_NAME_MAX), value=m.entity_id
            )
            for m in self.lookup.names.search(current)
        ]

    @app_commands.command(
        name="artist",
        description="A profile: who influenced them, whom they influenced, with sources.",
    )
    @app_commands.describe(name="An artist, group, producer, label, genre or scene")
    async def artist(self, interaction: discord.Interaction[KpopsBot], name: str) -> None:
        resolution = self.lookup.resolve(name)
        entity = self.lookup.entity(resolution.entity_id or "")
        if entity is None:
            view = discord.ui.View(timeout=None)
            for match in resolution.suggestions:
                view.add_item(GoToEntity(match.entity_id, match.label))
            await interaction.response.send_message(
                did_you_mean(name, resolution.suggestions), view=view, ephemeral=True
            )
            return
        embed, view = profile(self.lookup, entity, 0)
        await interaction.response.send_message(embed=embed, view=view)

    @app_commands.command(
        name="path", description="The shortest lineage from one artist, genre or scene to another."
    )
    @app_commands.rename(from_="from")
    @app_commands.describe(from_="Where the lineage starts", to="Where the lineage ends")
    async def path(self, interaction: discord.Interaction[KpopsBot], from_: str, to: str) -> None:
        ends: list[Entity] = []
        problems: list[str] = []
        for typed in (from_, to):
            resolution = self.lookup.resolve(typed)
            entity = self.lookup.entity(resolution.entity_id or "")
            if entity is None:
                problems.append(did_you_mean(typed, resolution.suggestions))
            else:
                ends.append(entity)
        if problems:
            raise UserFacingError(clip("\n".join(problems), limits.CONTENT_MAX))
        start, end = ends
        if start.id == end.id:
            raise UserFacingError(
                f"That is **{escape(start.name)}** twice: pick two different entries, "
                "or use `/influence artist` for one profile."
            )
        embed, view = self.lookup.rendered_path(start.id, end.id)
        await interaction.response.send_message(embed=embed, view=view)

    @app_commands.command(
        name="map",
        description="A picture of who shaped an artist, genre or scene, and whom they shaped.",
    )
    @app_commands.describe(
        name="An artist, group, producer, label, genre or scene",
        depth="How many links away to draw (1 or 2)",
    )
    async def lineage_map(
        self,
        interaction: discord.Interaction[KpopsBot],
        name: str,
        depth: app_commands.Range[int, 1, 2] = 1,
    ) -> None:
        resolution = self.lookup.resolve(name)
        entity = self.lookup.entity(resolution.entity_id or "")
        if entity is None:
            view = discord.ui.View(timeout=None)
            for match in resolution.suggestions:
                view.add_item(GoToEntity(match.entity_id, match.label))
            await interaction.response.send_message(
                did_you_mean(name, resolution.suggestions), view=view, ephemeral=True
            )
            return
        await send_picture(interaction, map_picture(self.lookup, entity, depth), ephemeral=False)

    @lineage_map.autocomplete("name")
    async def map_name(
        self, interaction: discord.Interaction[KpopsBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.choices(current)

    @artist.autocomplete("name")
    async def artist_name(
        self, interaction: discord.Interaction[KpopsBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.choices(current)

    @path.autocomplete("from_")
    async def path_from(
        self, interaction: discord.Interaction[KpopsBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.choices(current)

    @path.autocomplete("to")
    async def path_to(
        self, interaction: discord.Interaction[KpopsBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.choices(current)
