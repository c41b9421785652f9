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
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.client import KpopsBot
from bot.content.common import Source
from bot.errors import UserFacingError, report_error
from bot.views import static_view
from cogs.influence import map_layout
from cogs.influence.content import Entity, Graph, Link
from cogs.influence.graph import (
    Connection,
    LinkGraph,
    Match,
    Named,
    NameIndex,
    Relation,
    Resolution,
    Step,
)
from cogs.influence.map_cache import MapPictures
from cogs.influence.map_layout import MapLayout

EMBED_COLOUR = discord.Colour.from_rgb(255, 94, 154)
EMBED_BUDGET = limits.EMBED_TOTAL_MAX - 300  # headroom below 6,000 for page and footer text
LINKS_PER_PAGE = 8  # link fields on one profile page (fewer if their text would not fit)
SUGGESTIONS = 5
NEAREST = 6
PATH_BUTTONS = 15  # three rows of entity buttons under a path
RESOLVED_NAMES = 2048  # typed names kept resolved
RENDERED_PROFILES = 1024  # profile pages kept rendered
RENDERED_PATHS = 1024  # paths kept rendered (of 64 x 63 possible pairs today)
SHOWN_INPUT_MAX = 60  # how much of what a user typed is ever echoed back
ALIASES_SHOWN_MAX = 300
WALK_LINE_MAX = 1000

KIND_LABELS = {
    "own-words": "in their own words",
    "credit": "producer/songwriter credit",
    "cover": "cover",
    "sample": "sample",
    "critic": "critic's comparison",
    "lineage": "genre lineage",
}
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
# Text helpers
# ---------------------------------------------------------------------------------------------
def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escaped(text: str) -> str:
    """Data or user text shown literally: markdown and mention syntax escaped, not rendered."""
    return discord.utils.escape_markdown(text).replace("<", "\\<").replace("@", "@\u200b")


def shown_input(text: str) -> str:
    """What a user typed, safe to echo: invisible characters dropped, short, escaped."""
    visible = "".join(
        " " if ch.isspace() else ch
        for ch in text[: SHOWN_INPUT_MAX * 4]
        if unicodedata.category(ch) not in ("Cf", "Cc") or ch.isspace()
    )
    return escaped(clip(" ".join(visible.split()), SHOWN_INPUT_MAX)) or "(nothing)"


def source_line(source: Source) -> str:
    """A masked link whose URL cannot break out of the markdown."""
    url = source.url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    label = f"{source.publication}, {source.date}"
    if source.via:
        label += f" (via {source.via})"
    return f"[{escaped(label).replace(']', ')').replace('[', '(')}]({url})"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def and_more(
    items: Sequence[str], total: int, *, limit: int, sep: str = ", ", max_items: int = 1000
) -> str:
    """Join ``items`` within ``limit`` characters, saying how many of ``total`` were left out."""
    shown: list[str] = []
    for item in items[:max_items]:
        rest = total - len(shown) - 1
        tail = f"{sep}and {rest} more" if rest else ""
        if len(sep.join([*shown, item]) + tail) > limit:
            break
        shown.append(item)
    left = total - len(shown)
    text = sep.join(shown)
    if left:
        text += f"{sep if shown else ''}and {left} more"
    return text


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
def link_field(entity: Entity, neighbour: Neighbour) -> tuple[str, str]:
    """A link as an embed field: who, which kind; the note, any dispute, the source."""
    arrow = "⬅️ Influenced by" if neighbour.incoming else "➡️ Influenced"
    name = clip(f"{arrow} {neighbour.other.name} · {kind_label(neighbour.link.kind)}", 256)
    return name, hop_value(neighbour.link)


def hop_value(link: Link) -> str:
    """A link's note, any dispute and its source, within one field (the source kept whole)."""
    source = f"Source: {source_line(link.source)}"
    body = escaped(link.note)
    if link.disputed:
        body += f"\n⚠️ Disputed: {escaped(link.disputed)}"
    room = limits.EMBED_FIELD_VALUE_MAX - len(source) - 1
    return clip(f"{clip(body, max(room, 100))}\n{source}", limits.EMBED_FIELD_VALUE_MAX)


def profile_header(entity: Entity, incoming: int, outgoing: int) -> discord.Embed:
    aliases = and_more(
        [escaped(a) for a in entity.aliases], len(entity.aliases), limit=ALIASES_SHOWN_MAX
    )
    active = f"{entity.active} (as of {entity.as_of})" if entity.as_of else entity.active
    lines = [f"**{entity.kind.capitalize()}** · {escaped(entity.origin)} · {escaped(active)}"]
    if aliases:
        lines.append(f"Also known as: {aliases}")
    lines.append(f"Profile source: {source_line(entity.source)}")
    if incoming or outgoing:
        lines.append(f"\nInfluenced by **{incoming}** · Influenced **{outgoing}**")
    else:
        lines.append("\nNo sourced links to or from this entry yet.")
    return discord.Embed(
        title=clip(entity.name, limits.EMBED_TITLE_MAX),
        description=clip("\n".join(lines), limits.EMBED_DESCRIPTION_MAX),
        colour=EMBED_COLOUR,
    )


def profile_pages(entity: Entity, neighbours: list[Neighbour]) -> list[list[Neighbour]]:
    """Split the links into pages that fit one embed each (the same split every time)."""
    base = len(profile_header(entity, 0, 0)) + 200  # header counts and footer
    pages: list[list[Neighbour]] = [[]]
    size = base
    for neighbour in neighbours:
        name, value = link_field(entity, neighbour)
        cost = len(name) + len(value)
        page = pages[-1]
        if page and (len(page) >= LINKS_PER_PAGE or size + cost > EMBED_BUDGET):
            pages.append([])
            size = base
        pages[-1].append(neighbour)
        size += cost
    return pages


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
def entity_name(lookup: InfluenceLookup, entity_id: str) -> str:
    entity = lookup.entity(entity_id)
    return entity.name if entity else entity_id


def path_embed(
    lookup: InfluenceLookup, start: Entity, end: Entity, connection: Connection
) -> discord.Embed:
    a, b = escaped(start.name), escaped(end.name)
    steps = connection.steps
    hops = f"{len(steps)} step{'s' if len(steps) != 1 else ''}"
    descriptions = {
        Relation.LINEAGE: f"How **{a}** shaped **{b}**, in {hops}:",
        Relation.REVERSE: (
            f"No lineage runs from **{a}** to **{b}**, but one runs the other way: "
            f"**{b}** shaped **{a}**, in {hops}:"
        ),
        Relation.RELATED: (
            f"No lineage runs from **{a}** to **{b}** or back, but they are related through "
            f"shared influences ({hops}; arrows show who influenced whom):"
        ),
        Relation.NONE: (
            f"**{a}** and **{b}** are not connected in the influence graph (yet). "
            "Here is what each one is closest to:"
        ),
    }
    description = descriptions[connection.relation]
    if steps:
        description += "\n" + clip(walk_line(lookup, steps), WALK_LINE_MAX)
    embed = discord.Embed(
        title=clip(f"{start.name} → {end.name}", limits.EMBED_TITLE_MAX),
        description=description,
        colour=EMBED_COLOUR,
    )
    reserve = 2 * 1100 if connection.relation in (Relation.RELATED, Relation.NONE) else 0
    for number, step in enumerate(steps, 1):
        link = lookup.link(step)
        source, target = (entity_name(lookup, x) for x in step.link)
        name = clip(f"{number}. {source} → {target} · {kind_label(link.kind)}", 256)
        value = hop_value(link)
        fits = len(embed) + len(name) + len(value) + reserve <= EMBED_BUDGET
        if not fits or len(embed.fields) >= limits.EMBED_FIELDS_MAX - 3:
            left = len(steps) - number + 1
            embed.add_field(
                name=f"… and {left} more step{'s' if left != 1 else ''}",
                value=f"Ends at {escaped(entity_name(lookup, steps[-1].walk_to))}.",
                inline=False,
            )
            break
        embed.add_field(name=name, value=value, inline=False)
    if connection.relation in (Relation.RELATED, Relation.NONE):
        for entity in (start, end):
            embed.add_field(
                name=clip(f"Nearest to {entity.name}", 256),
                value=nearest_text(lookup, entity),
                inline=False,
            )
    embed.set_footer(text="Buttons open each profile on the way.")
    return embed


def walk_line(lookup: InfluenceLookup, steps: Sequence[Step]) -> str:
    """The whole walk on one line, each arrow pointing from influencer to influenced."""
    parts = [f"**{escaped(entity_name(lookup, steps[0].walk_from))}**"]
    for step in steps:
        arrow = "→" if step.forward else "←"
        parts.append(f"{arrow} **{escaped(entity_name(lookup, step.walk_to))}**")
    return " ".join(parts)


def nearest_text(lookup: InfluenceLookup, entity: Entity) -> str:
    """The closest entities by hops (either direction), then how many more are reachable."""
    reachable = lookup.paths.nearest(entity.id, len(lookup.graph.entities))
    if not reachable:
        return "No sourced links to or from this entry yet."
    items = [
        f"{escaped(entity_name(lookup, other))} ({hops} hop{'s' if hops != 1 else ''})"
        for other, hops in reachable
    ]
    return and_more(items, len(items), limit=limits.EMBED_FIELD_VALUE_MAX, max_items=NEAREST)


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
    name = escaped(entity.name)
    description = MAP_TEXT["map_description"].format(
        name=name, depth=depth, s="s" if depth != 1 else ""
    )
    if trimmed:
        description += "\n" + MAP_TEXT["map_trimmed"]
    embed = discord.Embed(
        title=clip(MAP_TEXT["map_title"].format(name=entity.name), limits.EMBED_TITLE_MAX),
        description=clip(description, limits.EMBED_DESCRIPTION_MAX),
        colour=EMBED_COLOUR,
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
            start=escaped(start.name), end=escaped(end.name)
        ),
        colour=EMBED_COLOUR,
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


class ShowPathPicture(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"inf:pic:(?P<start>{_ENTITY_ID}):(?P<end>{_ENTITY_ID})",
):
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

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        try:
            lookup = _lookup(interaction)
            start, end = lookup.entity(self.start_id), lookup.entity(self.end_id)
            if start is None or end is None:
                raise UserFacingError(MAP_TEXT["gone"])
            if start.id == end.id or not lookup.paths.connection(start.id, end.id).steps:
                raise UserFacingError(MAP_TEXT["no_path"])
            # A click on the public path answers privately, like the profile buttons.
            await send_picture(interaction, path_picture(lookup, start, end), ephemeral=True)
        except Exception as error:  # noqa: BLE001 - component errors would otherwise vanish
            await report_error(interaction, error)


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


class GoToEntity(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"inf:go:(?P<entity>{_ENTITY_ID})"
):
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

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        try:
            await show_profile(interaction, self.entity_id, 0)
        except Exception as error:  # noqa: BLE001 - component errors would otherwise vanish
            await report_error(interaction, error)


class TurnPage(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"inf:page:(?P<entity>{_ENTITY_ID}):(?P<page>[0-9]{{1,3}})",
):
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

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        try:
            await show_profile(interaction, self.entity_id, self.page)
        except Exception as error:  # noqa: BLE001 - component errors would otherwise vanish
            await report_error(interaction, error)


_TEMPLATES = (GoToEntity, TurnPage, ShowPathPicture)


def is_stale_click(interaction: discord.Interaction[Any]) -> bool:
    """An ``inf:`` click no button template will answer: not on the message, or malformed.

    discord.py ignores a dynamic custom_id that is not on the clicked message (a forged or very
    old click), which would leave the user with "interaction failed".
    """
    if interaction.type is not discord.InteractionType.component:
        return False
    custom_id = str((interaction.data or {}).get("custom_id", ""))
    if not custom_id.startswith("inf:"):
        return False
    matched = any(t.__discord_ui_compiled_template__.fullmatch(custom_id) for t in _TEMPLATES)
    message = interaction.message
    on_message = message is not None and any(
        getattr(child, "custom_id", None) == custom_id
        for row in message.components
        for child in getattr(row, "children", ())
    )
    return not (matched and on_message)


# ---------------------------------------------------------------------------------------------
# The cog
# ---------------------------------------------------------------------------------------------
def did_you_mean(typed: str, suggestions: Sequence[Match]) -> str:
    """For a name that matches no entry, or several: the closest entries, if any."""
    if suggestions:
        names = ", ".join(f"**{escaped(m.label)}**" for m in suggestions)
        return f"No entry is called “{shown_input(typed)}”. Did you mean: {names}?"
    return (
        f"I couldn't find “{shown_input(typed)}” in the influence graph. "
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
        self.bot.add_click_fallback(("inf:",), self.on_stale_click)
        self.bot.add_dynamic_items(*_TEMPLATES)

    async def cog_unload(self) -> None:
        self.bot.remove_click_fallback(("inf:",))
        self.bot.remove_dynamic_items(*_TEMPLATES)

    async def on_stale_click(self, interaction: discord.Interaction[Any]) -> None:
        if is_stale_click(interaction):
            await interaction.response.send_message(
                "That button no longer works: try `/influence artist` again.", ephemeral=True
            )

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
                f"That is **{escaped(start.name)}** twice: pick two different entries, "
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
