"""/influence: who shaped whom, from Motown to K-pop, walked by clicking.

``/influence artist`` shows a profile (what influenced an entity, whom it influenced, each link
with its kind, note and source) with buttons that open the connected profiles, paged when there
are many. ``/influence path`` shows the lineage between two entities, or what they share when no
lineage runs either way (see ``cogs.influence.graph``). Typed names are resolved by the
Transformers in ``cogs.influence.names``.

Buttons are ``DynamicItem``s (``inf:go:<entity-id>``, ``inf:page:<entity-id>:<n>``), so they work
on old messages after a restart. A click on a public profile opens the next profile privately
(ephemeral) for the one who clicked; clicks on a private profile update it in place. So one fan
walking the graph never changes the message everyone else sees, and nothing is edited per click
on a public message. Every reply is in the language of the member it answers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Self

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.client import KpopsBot
from bot.errors import UserFacingError
from bot.i18n import N_, Language, reply_locale, t, tn
from bot.ui.buttons import Button, ClickNamespace
from bot.ui.style import BRAND
from bot.ui.text import clip, escape
from bot.views import static_view
from cogs.influence import map_layout
from cogs.influence.content import Entity, Graph
from cogs.influence.graph import (
    Connection,
    Relation,
)
from cogs.influence.lookup import GraphLookup
from cogs.influence.map_layout import MapLayout
from cogs.influence.names import (
    COG_NAME,
    ENTITY_ID,
    GONE,
    UNAVAILABLE,
    EntityName,
    PathEnd,
    Suggestion,
)
from cogs.influence.render import (
    PROFILE_FOOTER,
    entity_name,
    link_field,
    path_embed,
    profile_header,
    profile_pages,
)

PATH_BUTTONS = 15  # three rows of entity buttons under a path
RENDERED_PROFILES = 1024  # profile pages kept rendered
RENDERED_PATHS = 1024  # paths kept rendered (of 64 x 63 possible pairs today)

_ENTITY_ID = ENTITY_ID

# What /influence map and the path picture say, in one place.
MAP_TITLE = N_("{name}: the lineage map")
MAP_SUBTITLE = N_("Above: who influenced them · below: whom they influenced")
MAP_TRIMMED = N_("The best-connected are drawn: `/influence artist` lists every link.")
PATH_TITLE = N_("{start} → {end}: the lineage")
PATH_SUBTITLE = N_("Arrows point from influencer to influenced")
PATH_DESCRIPTION = N_("The path from **{start}** to **{end}**, as a picture.")
PATH_BUTTON = N_("🖼️ Show as picture")
NO_ATTACH = N_(
    "I can't attach pictures in this channel: ask a moderator to give me the "
    "**Attach Files** permission here, or try another channel."
)
NO_PATH = N_("There is no lineage between these two to draw: try `/influence path` again.")
STALE = N_("That button no longer works: try `/influence artist` again.")
SAME_TWICE = N_(
    "That is **{name}** twice: pick two different entries, or use `/influence artist` for one "
    "profile."
)
PREVIOUS = N_("◀ Previous")
NEXT = N_("Next ▶")


# ---------------------------------------------------------------------------------------------
# The loaded graph with its indexes (cogs.influence.lookup) and its rendered pages
# ---------------------------------------------------------------------------------------------
class InfluenceLookup(GraphLookup):
    """The graph with its indexes, plus its profile and path pages, rendered once and kept."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        # (entity id, page, language) -> the rendered profile page, kept for the busiest (page
        # numbers come from custom_ids, which can be forged: the bound keeps memory in check).
        self.rendered_profile = lru_cache(maxsize=RENDERED_PROFILES)(partial(render_profile, self))
        # (from id, to id, language) -> the rendered path, kept for the busiest pairs.
        self.rendered_path = lru_cache(maxsize=RENDERED_PATHS)(partial(render_path, self))


# ---------------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------------
def profile(
    lookup: InfluenceLookup, entity: Entity, page: int, language: Language = "en"
) -> tuple[discord.Embed, discord.ui.View]:
    """A profile page. The graph never changes while the bot runs, so each page (its embed and
    its view of DynamicItems, see static_view) is rendered once per language and sent as often
    as asked."""
    return lookup.rendered_profile(entity.id, page, language)


def render_profile(
    lookup: InfluenceLookup, entity_id: str, page: int, language: Language
) -> tuple[discord.Embed, discord.ui.View]:
    entity = lookup.graph.entities[entity_id]
    neighbours = lookup.neighbours(entity.id)
    pages = profile_pages(entity, neighbours)
    page = min(max(page, 0), len(pages) - 1)
    incoming = sum(n.incoming for n in neighbours)
    embed = profile_header(language, entity, incoming, len(neighbours) - incoming)
    for neighbour in pages[page]:
        name, value = link_field(language, neighbour)
        embed.add_field(name=name, value=value, inline=False)
    footer = t(language, PROFILE_FOOTER)
    if len(pages) > 1:
        first = sum(len(p) for p in pages[:page]) + 1
        footer = t(
            language,
            "Page {page}/{pages} · links {first}–{last} of {total} · {footer}",
            page=page + 1,
            pages=len(pages),
            first=first,
            last=first + len(pages[page]) - 1,
            total=len(neighbours),
            footer=footer,
        )
    embed.set_footer(text=footer)
    buttons: list[GoToEntity | TurnPage] = []
    seen: set[str] = set()
    for neighbour in pages[page]:
        if neighbour.other.id in seen:
            continue
        seen.add(neighbour.other.id)
        arrow = "⬅️" if neighbour.incoming else "➡️"
        label = f"{arrow} {neighbour.other.name_for(language)}"
        buttons.append(GoToEntity(neighbour.other.id, label))
    if len(pages) > 1:
        buttons.append(
            TurnPage(entity.id, max(page - 1, 0), t(language, PREVIOUS), page == 0, row=4)
        )
        buttons.append(
            TurnPage(
                entity.id,
                min(page + 1, len(pages) - 1),
                t(language, NEXT),
                page == len(pages) - 1,
                row=4,
            )
        )
    return embed, static_view(buttons)


# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------
def path_view(
    lookup: InfluenceLookup,
    start: Entity,
    end: Entity,
    connection: Connection,
    language: Language,
) -> discord.ui.View:
    """A button for each entry on the walk or the branches (or just the two ends)."""
    order: list[str] = []
    walk: list[str] = []
    for steps in (connection.steps, *connection.branches):
        walk += [steps[0].walk_from, *(step.walk_to for step in steps)] if steps else []
    for entity_id in [*walk, *connection.shared, start.id, end.id]:
        if entity_id not in order:
            order.append(entity_id)
    buttons: list[GoToEntity | ShowPathPicture] = [
        GoToEntity(entity_id, entity_name(lookup, entity_id, language))
        for entity_id in order[:PATH_BUTTONS]
    ]
    if connection.steps and len(path_picture_id(start.id, end.id)) <= limits.CUSTOM_ID_MAX:
        buttons.append(ShowPathPicture(start.id, end.id, t(language, PATH_BUTTON)))
    return static_view(buttons)


def render_path(
    lookup: InfluenceLookup, start_id: str, end_id: str, language: Language = "en"
) -> tuple[discord.Embed, discord.ui.View]:
    """The path between two entries (``InfluenceLookup.rendered_path`` keeps the busiest)."""
    start, end = lookup.graph.entities[start_id], lookup.graph.entities[end_id]
    connection = lookup.paths.connection(start_id, end_id)
    embed = path_embed(language, lookup, start, end, connection)
    return embed, path_view(lookup, start, end, connection, language)


# ---------------------------------------------------------------------------------------------
# Pictures: /influence map and the path's "show as picture"
# ---------------------------------------------------------------------------------------------
def map_filename(*parts: object) -> str:
    """An attachment name made of entity ids and numbers only (``attachment://`` needs it exact)."""
    return "influence-" + "-".join(str(p) for p in parts) + ".png"


def neighbourhood_layout(
    lookup: InfluenceLookup, entity_id: str, depth: int, language: Language = "en"
) -> MapLayout:
    name = lookup.graph.entities[entity_id].name_for(language)
    title = (t(language, MAP_TITLE, name=name), t(language, MAP_SUBTITLE))
    return map_layout.neighbourhood(
        lookup.graph, entity_id, depth, lookup.popularity, title, language
    )


def path_layout(
    lookup: InfluenceLookup, start_id: str, end_id: str, language: Language = "en"
) -> MapLayout:
    """The path /influence path shows, as a column (``ValueError`` when there is none)."""
    start, end = lookup.graph.entities[start_id], lookup.graph.entities[end_id]
    connection = lookup.paths.connection(start_id, end_id)
    if connection.relation is Relation.REVERSE:  # the walk runs from end to start
        start, end = end, start
    title = (
        t(language, PATH_TITLE, start=start.name_for(language), end=end.name_for(language)),
        t(language, PATH_SUBTITLE),
    )
    return map_layout.path(lookup.graph, connection.steps, (start_id, end_id), title, language)


def map_embed(
    language: Language, entity: Entity, depth: int, filename: str, trimmed: bool
) -> discord.Embed:
    description = tn(
        language,
        "**{name}** in the middle: above, who shaped them; below, whom they shaped; up to "
        "{n} link away. Arrows point from influencer to influenced, colours show how each "
        "link is known, dashed links are disputed.",
        "**{name}** in the middle: above, who shaped them; below, whom they shaped; up to "
        "{n} links away. Arrows point from influencer to influenced, colours show how each "
        "link is known, dashed links are disputed.",
        depth,
        name=escape(entity.name_for(language)),
    )
    if trimmed:
        description += "\n" + t(language, MAP_TRIMMED)
    title = t(language, MAP_TITLE, name=entity.name_for(language))
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        description=clip(description, limits.EMBED_DESCRIPTION_MAX),
        colour=BRAND,
    )
    embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text=t(language, PROFILE_FOOTER))
    return embed


def path_picture_embed(
    language: Language, start: Entity, end: Entity, filename: str
) -> discord.Embed:
    start_name, end_name = start.name_for(language), end.name_for(language)
    title = t(language, PATH_TITLE, start=start_name, end=end_name)
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        description=t(language, PATH_DESCRIPTION, start=escape(start_name), end=escape(end_name)),
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
        raise UserFacingError(NO_ATTACH)
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


def map_picture(
    lookup: InfluenceLookup, entity: Entity, depth: int, language: Language = "en"
) -> Picture:
    filename = map_filename("map", entity.id, depth)
    layout = partial(neighbourhood_layout, lookup, entity.id, depth, language)
    # Trimmed when the entity has more links than the first ring can show.
    trimmed = any(layer for layer in layout().more)
    _, view = profile(lookup, entity, 0, language)  # the same walk buttons as the profile
    return Picture(
        ("map", entity.id, str(depth), language),
        layout,
        filename,
        map_embed(language, entity, depth, filename, trimmed),
        view,
    )


def path_picture(
    lookup: InfluenceLookup, start: Entity, end: Entity, language: Language = "en"
) -> Picture:
    filename = map_filename("path", start.id, end.id)
    return Picture(
        ("path", start.id, end.id, language),
        partial(path_layout, lookup, start.id, end.id, language),
        filename,
        path_picture_embed(language, start, end, filename),
        discord.utils.MISSING,
    )


def path_picture_id(start_id: str, end_id: str) -> str:
    return f"inf:pic:{start_id}:{end_id}"


class ShowPathPicture(Button, template=rf"inf:pic:(?P<start>{_ENTITY_ID}):(?P<end>{_ENTITY_ID})"):
    def __init__(self, start_id: str, end_id: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or "🖼️", limits.BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.primary,
                custom_id=path_picture_id(start_id, end_id),
            )
        )
        self.start_id, self.end_id = start_id, end_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        return cls(match["start"], match["end"], label)  # possibly forged

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        lookup = _lookup(interaction)
        start, end = lookup.entity(self.start_id), lookup.entity(self.end_id)
        if start is None or end is None:
            raise UserFacingError(GONE)
        if start.id == end.id or not lookup.paths.connection(start.id, end.id).steps:
            raise UserFacingError(NO_PATH)
        # A click on the public path answers privately, like the profile buttons.
        picture = path_picture(lookup, start, end, reply_locale(interaction))
        await send_picture(interaction, picture, ephemeral=True)


# ---------------------------------------------------------------------------------------------
# Buttons that work after a restart
# ---------------------------------------------------------------------------------------------
def _lookup(interaction: discord.Interaction[Any]) -> InfluenceLookup:
    cog = interaction.client.get_cog(COG_NAME)
    if not isinstance(cog, Influence):
        raise UserFacingError(UNAVAILABLE)
    return cog.lookup


async def show_profile(interaction: discord.Interaction[Any], entity_id: str, page: int) -> None:
    """Answer a click: a private profile, or this private profile updated in place."""
    lookup = _lookup(interaction)
    entity = lookup.entity(entity_id)
    if entity is None:
        raise UserFacingError(GONE)
    embed, view = profile(lookup, entity, page, reply_locale(interaction))
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
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        # Possibly forged: the id is only looked up, never trusted further.
        return cls(match["entity"], label)

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
                label=label or str(page + 1),
                style=discord.ButtonStyle.primary,
                custom_id=f"inf:page:{entity_id}:{page}",
                disabled=disabled,
                row=row,
            )
        )
        self.entity_id = entity_id
        self.page = page

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        return cls(match["entity"], int(match["page"]), label)

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        await show_profile(interaction, self.entity_id, self.page)


async def refuse_stale(interaction: discord.Interaction[Any]) -> None:
    """The answer to a click no influence button takes, in the member's language."""
    if not interaction.response.is_done():
        text = t(reply_locale(interaction), STALE)
        await interaction.response.send_message(text, ephemeral=True)


BUTTONS = ClickNamespace(
    prefixes=("inf:",),
    buttons=(GoToEntity, TurnPage, ShowPathPicture, Suggestion),
    stale_reply=STALE,
    on_stale=refuse_stale,
)


# ---------------------------------------------------------------------------------------------
# The cog
# ---------------------------------------------------------------------------------------------
class Influence(
    commands.GroupCog,
    group_name="influence",
    group_description="Who shaped whom: a sourced lineage from Motown to K-pop.",
):
    def __init__(self, bot: KpopsBot, graph: Graph) -> None:
        self.bot = bot
        self.lookup = InfluenceLookup(graph)
        super().__init__()

    @property
    def names_lookup(self) -> InfluenceLookup:
        return self.lookup

    async def cog_load(self) -> None:
        self.bot.add_buttons(BUTTONS)

    async def cog_unload(self) -> None:
        self.bot.remove_buttons(BUTTONS)

    # ------------------------------------------------------------------ the answers
    # Each command resolves its names through the Transformers, then answers here; a "did you
    # mean" button runs the same answer (cogs.influence.names.Suggestion).
    async def answer_artist(self, interaction: discord.Interaction[Any], entity: Entity) -> None:
        embed, view = profile(self.lookup, entity, 0, reply_locale(interaction))
        await interaction.response.send_message(embed=embed, view=view)

    async def answer_path(
        self, interaction: discord.Interaction[Any], start: Entity, end: Entity
    ) -> None:
        if start.id == end.id:
            name = start.name_for(reply_locale(interaction))
            raise UserFacingError(SAME_TWICE, name=escape(name))
        embed, view = self.lookup.rendered_path(start.id, end.id, reply_locale(interaction))
        await interaction.response.send_message(embed=embed, view=view)

    async def answer_map(
        self, interaction: discord.Interaction[Any], entity: Entity, depth: int
    ) -> None:
        picture = map_picture(self.lookup, entity, depth, reply_locale(interaction))
        await send_picture(interaction, picture, ephemeral=False)

    # ------------------------------------------------------------------ the commands
    @app_commands.command(
        name="artist",
        description="A profile: who influenced them, whom they influenced, with sources.",
    )
    @app_commands.describe(name="An artist, group, producer, label, genre or scene")
    async def artist(
        self,
        interaction: discord.Interaction[KpopsBot],
        name: app_commands.Transform[Entity, EntityName("artist")],
    ) -> None:
        await self.answer_artist(interaction, name)

    @app_commands.command(
        name="path",
        description="The lineage from one artist, genre or scene to another, or what they share.",
    )
    @app_commands.rename(from_="from")
    @app_commands.describe(from_="Where the lineage starts", to="Where the lineage ends")
    async def path(
        self,
        interaction: discord.Interaction[KpopsBot],
        from_: app_commands.Transform[Entity, PathEnd("from", "to")],
        to: app_commands.Transform[Entity, PathEnd("to", "from")],
    ) -> None:
        await self.answer_path(interaction, from_, to)

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
        name: app_commands.Transform[Entity, EntityName("map")],
        depth: app_commands.Range[int, 1, 2] = 1,
    ) -> None:
        await self.answer_map(interaction, name, depth)
