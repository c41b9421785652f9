"""How the influence graph looks: profiles, paths and their parts, as embeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot import limits
from bot.ui.style import BRAND
from bot.ui.text import clip, escape, source_line
from cogs.influence.content import Entity, Link
from cogs.influence.graph import Connection, Relation, Step

if TYPE_CHECKING:
    from cogs.influence.cog import InfluenceLookup, Neighbour

EMBED_BUDGET = limits.EMBED_TOTAL_MAX - 300  # headroom below 6,000 for page and footer text
LINKS_PER_PAGE = 8  # link fields on one profile page (fewer if their text would not fit)
NEAREST = 6
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


def link_field(entity: Entity, neighbour: Neighbour) -> tuple[str, str]:
    """A link as an embed field: who, which kind; the note, any dispute, the source."""
    arrow = "⬅️ Influenced by" if neighbour.incoming else "➡️ Influenced"
    name = clip(f"{arrow} {neighbour.other.name} · {kind_label(neighbour.link.kind)}", 256)
    return name, hop_value(neighbour.link)


def hop_value(link: Link) -> str:
    """A link's note, any dispute and its source, within one field (the source kept whole)."""
    source = f"Source: {source_line(link.source)}"
    body = escape(link.note)
    if link.disputed:
        body += f"\n⚠️ Disputed: {escape(link.disputed)}"
    room = limits.EMBED_FIELD_VALUE_MAX - len(source) - 1
    return clip(f"{clip(body, max(room, 100))}\n{source}", limits.EMBED_FIELD_VALUE_MAX)


def profile_header(entity: Entity, incoming: int, outgoing: int) -> discord.Embed:
    aliases = and_more(
        [escape(a) for a in entity.aliases], len(entity.aliases), limit=ALIASES_SHOWN_MAX
    )
    active = f"{entity.active} (as of {entity.as_of})" if entity.as_of else entity.active
    lines = [f"**{entity.kind.capitalize()}** · {escape(entity.origin)} · {escape(active)}"]
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
        colour=BRAND,
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


def entity_name(lookup: InfluenceLookup, entity_id: str) -> str:
    entity = lookup.entity(entity_id)
    return entity.name if entity else entity_id


def path_embed(
    lookup: InfluenceLookup, start: Entity, end: Entity, connection: Connection
) -> discord.Embed:
    a, b = escape(start.name), escape(end.name)
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
        colour=BRAND,
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
                value=f"Ends at {escape(entity_name(lookup, steps[-1].walk_to))}.",
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
    parts = [f"**{escape(entity_name(lookup, steps[0].walk_from))}**"]
    for step in steps:
        arrow = "→" if step.forward else "←"
        parts.append(f"{arrow} **{escape(entity_name(lookup, step.walk_to))}**")
    return " ".join(parts)


def nearest_text(lookup: InfluenceLookup, entity: Entity) -> str:
    """The closest entities by hops (either direction), then how many more are reachable."""
    reachable = lookup.paths.nearest(entity.id, len(lookup.graph.entities))
    if not reachable:
        return "No sourced links to or from this entry yet."
    items = [
        f"{escape(entity_name(lookup, other))} ({hops} hop{'s' if hops != 1 else ''})"
        for other, hops in reachable
    ]
    return and_more(items, len(items), limit=limits.EMBED_FIELD_VALUE_MAX, max_items=NEAREST)
