"""How the influence graph looks: profiles, paths and their parts, as embeds, in each language.

Every word the bot writes here goes through the catalog (``cogs/influence/locales``); names,
notes and sources are data and are shown as the content loader gives them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot import limits
from bot.i18n import ENGLISH, KOREAN, N_, Language, t, tn
from bot.ui.style import BRAND
from bot.ui.text import clip, escape, source_line, translation_mark
from cogs.influence.content import Entity, Link
from cogs.influence.graph import Connection, Relation, Step
from cogs.influence.lookup import GraphLookup, Neighbour

EMBED_BUDGET = limits.EMBED_TOTAL_MAX - 300  # headroom below 6,000 for page and footer text
LINKS_PER_PAGE = 8  # link fields on one profile page (fewer if their text would not fit)
NEAREST = 6
ALIASES_SHOWN_MAX = 300
WALK_LINE_MAX = 1000
LANGUAGES: tuple[Language, ...] = (ENGLISH, KOREAN)

KIND_LABELS = {
    "own-words": N_("in their own words"),
    "credit": N_("producer/songwriter credit"),
    "cover": N_("cover"),
    "sample": N_("sample"),
    "interpolation": N_("interpolation"),
    "critic": N_("critic's comparison"),
    "lineage": N_("genre lineage"),
}
ENTITY_KINDS = {
    "artist": N_("Artist"),
    "group": N_("Group"),
    "producer": N_("Producer"),
    "label": N_("Label"),
    "genre": N_("Genre"),
    "scene": N_("Scene"),
}
NO_LINKS = N_("No sourced links to or from this entry yet.")
PROFILE_FOOTER = N_("Buttons open the connected profiles.")
PATH_FOOTER = N_("Buttons open each profile on the way.")


_DECADE = re.compile(r"\b(early |mid-|late )?(\d{4})s\b")
_DECADE_WORDS = {
    "": N_("{decade}s"),
    "early ": N_("early {decade}s"),
    "mid-": N_("mid-{decade}s"),
    "late ": N_("late {decade}s"),
}
_ONWARD = re.compile(r"^(.*) onward$")
_REUNITED = re.compile(r"^(.*); reunited by (\d{4})$")


def active_in(language: Language, active: str) -> str:
    """An active range ("1990s–present", "late 1800s onward") in the reader's language: its few
    English words come from the catalog, the years stay as they are."""
    if language == ENGLISH:
        return active
    reunited = _REUNITED.match(active)
    if reunited:
        rest = active_in(language, reunited[1])
        return t(language, "{active}; reunited by {year}", active=rest, year=reunited[2])
    onward = _ONWARD.match(active)
    if onward:
        return t(language, "{start} onward", start=active_in(language, onward[1]))

    def decade(found: re.Match[str]) -> str:
        msgid = _DECADE_WORDS[found[1] or ""]
        return t(language, msgid, decade=found[2])

    text = _DECADE.sub(decade, active)
    return re.sub(r"\bpresent\b", t(language, "present"), text)


def kind_label(language: Language, kind: str) -> str:
    """How a link is known, in words (an unknown kind, which the data check refuses, as is)."""
    msgid = KIND_LABELS.get(kind)
    return t(language, msgid) if msgid else kind


def entity_kind(language: Language, kind: str) -> str:
    msgid = ENTITY_KINDS.get(kind)
    return t(language, msgid) if msgid else kind


def and_more(
    language: Language,
    items: Sequence[str],
    total: int,
    *,
    limit: int,
    sep: str = ", ",
    max_items: int = 1000,
) -> str:
    """Join ``items`` within ``limit`` characters, saying how many of ``total`` were left out."""

    def more(n: int) -> str:
        return tn(language, "and {n} more", "and {n} more", n)

    shown: list[str] = []
    for item in items[:max_items]:
        rest = total - len(shown) - 1
        tail = f"{sep}{more(rest)}" if rest else ""
        if len(sep.join([*shown, item]) + tail) > limit:
            break
        shown.append(item)
    left = total - len(shown)
    text = sep.join(shown)
    if left:
        text += f"{sep if shown else ''}{more(left)}"
    return text


def link_field(language: Language, neighbour: Neighbour) -> tuple[str, str]:
    """A link as an embed field: who, which kind; the note, any dispute, the source."""
    fields = {
        "name": neighbour.other.name_for(language),
        "kind": kind_label(language, neighbour.link.kind),
    }
    if neighbour.incoming:
        name = t(language, "⬅️ Influenced by {name} · {kind}", **fields)
    else:
        name = t(language, "➡️ Influenced {name} · {kind}", **fields)
    return clip(name, limits.EMBED_FIELD_NAME_MAX), hop_value(language, neighbour.link)


def hop_value(language: Language, link: Link) -> str:
    """A link's note, any dispute and its source, in the reader's language, within one field
    (the source kept whole, and marked when the note is our translation of it)."""
    line = source_line(link.source_for(language), language)
    source = t(language, "Source: {source}", source=line) + translation_mark(
        language, link.is_translation(language)
    )
    body = escape(link.note_for(language))
    if link.disputed:
        dispute = escape(link.disputed_for(language))
        body += "\n" + t(language, "⚠️ Disputed: {dispute}", dispute=dispute)
    room = limits.EMBED_FIELD_VALUE_MAX - len(source) - 1
    return clip(f"{clip(body, max(room, 100))}\n{source}", limits.EMBED_FIELD_VALUE_MAX)


def profile_header(
    language: Language, entity: Entity, incoming: int, outgoing: int
) -> discord.Embed:
    aliases = and_more(
        language,
        [escape(a) for a in entity.aliases],
        len(entity.aliases),
        limit=ALIASES_SHOWN_MAX,
    )
    active = escape(active_in(language, entity.active))
    if entity.as_of:
        active = t(language, "{active} (as of {date})", active=active, date=entity.as_of)
    kind = entity_kind(language, entity.kind)
    lines = [f"**{kind}** · {escape(entity.origin_for(language))} · {active}"]
    if aliases:
        lines.append(t(language, "Also known as: {aliases}", aliases=aliases))
    lines.append(
        t(language, "Profile source: {source}", source=source_line(entity.source, language))
        + translation_mark(language, entity.is_translation(language))
    )
    if incoming or outgoing:
        counts = t(
            language,
            "Influenced by **{incoming}** · Influenced **{outgoing}**",
            incoming=incoming,
            outgoing=outgoing,
        )
        lines.append("\n" + counts)
    else:
        lines.append("\n" + t(language, NO_LINKS))
    return discord.Embed(
        title=clip(entity.name_for(language), limits.EMBED_TITLE_MAX),
        description=clip("\n".join(lines), limits.EMBED_DESCRIPTION_MAX),
        colour=BRAND,
    )


def profile_pages(entity: Entity, neighbours: list[Neighbour]) -> list[list[Neighbour]]:
    """Split the links into pages that fit one embed each, in every language: the same split
    every time, so a page number (in a button's custom_id) means the same page for everyone."""
    base = max(len(profile_header(x, entity, 0, 0)) for x in LANGUAGES) + 200  # counts, footer
    pages: list[list[Neighbour]] = [[]]
    size = base
    for neighbour in neighbours:
        cost = max(sum(map(len, link_field(x, neighbour))) for x in LANGUAGES)
        page = pages[-1]
        if page and (len(page) >= LINKS_PER_PAGE or size + cost > EMBED_BUDGET):
            pages.append([])
            size = base
        pages[-1].append(neighbour)
        size += cost
    return pages


def entity_name(lookup: GraphLookup, entity_id: str, language: Language = ENGLISH) -> str:
    entity = lookup.entity(entity_id)
    return entity.name_for(language) if entity else entity_id


def _steps(language: Language, n: int) -> str:
    return tn(language, "{n} step", "{n} steps", n)


def path_description(
    language: Language, lookup: GraphLookup, a: str, b: str, connection: Connection
) -> str:
    """What the answer is, in one sentence: a lineage, the other way, what they share, or none."""
    hops = _steps(language, len(connection.steps))
    shared = [f"**{escape(entity_name(lookup, s, language))}**" for s in connection.shared]
    relation = connection.relation
    if relation is Relation.LINEAGE:
        return t(language, "How **{a}** shaped **{b}**, in {hops}:", a=a, b=b, hops=hops)
    if relation is Relation.REVERSE:
        return t(
            language,
            "No lineage runs from **{a}** to **{b}**, but one runs the other way: "
            "**{b}** shaped **{a}**, in {hops}:",
            a=a,
            b=b,
            hops=hops,
        )
    if relation is Relation.SHARED_INFLUENCE:
        text = t(
            language,
            "No lineage runs between **{a}** and **{b}** in either direction, but they share "
            "an influence: {shared} shaped both.",
            a=a,
            b=b,
            shared=shared[0],
        )
    elif relation is Relation.SHARED_LEGACY:
        text = t(
            language,
            "No lineage runs between **{a}** and **{b}** in either direction, and nothing in "
            "the graph shaped both, but they share a legacy: both shaped {shared}.",
            a=a,
            b=b,
            shared=shared[0],
        )
    else:
        return t(
            language,
            "No lineage runs between **{a}** and **{b}** in either direction, and nothing in the "
            "graph (yet) shaped both or was shaped by both. Here is what each one is closest to:",
            a=a,
            b=b,
        )
    if len(shared) > 1:
        text += "\n" + t(language, "They also share: {names}.", names=", ".join(shared[1:]))
    return text


def path_embed(
    language: Language,
    lookup: GraphLookup,
    start: Entity,
    end: Entity,
    connection: Connection,
) -> discord.Embed:
    start_name, end_name = start.name_for(language), end.name_for(language)
    a, b = escape(start_name), escape(end_name)
    steps = connection.steps
    description = path_description(language, lookup, a, b, connection)
    if steps:
        description += "\n" + clip(walk_line(lookup, steps, language), WALK_LINE_MAX)
    if connection.relation is Relation.LINEAGE:
        title = f"{start_name} → {end_name}"
    elif connection.relation is Relation.REVERSE:
        title = f"{end_name} → {start_name}"
    else:  # no lineage between them: no arrow in the title either
        title = f"{start_name} · {end_name}"
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        description=clip(description, limits.EMBED_DESCRIPTION_MAX),
        colour=BRAND,
    )
    for number, step in enumerate(steps, 1):
        link = lookup.link(step)
        source, target = (entity_name(lookup, x, language) for x in step.link)
        name = clip(
            t(
                language,
                "{number}. {source} → {target} · {kind}",
                number=number,
                source=source,
                target=target,
                kind=kind_label(language, link.kind),
            ),
            limits.EMBED_FIELD_NAME_MAX,
        )
        value = hop_value(language, link)
        fits = len(embed) + len(name) + len(value) <= EMBED_BUDGET
        if not fits or len(embed.fields) >= limits.EMBED_FIELDS_MAX - 3:
            left = len(steps) - number + 1
            embed.add_field(
                name=tn(language, "… and {n} more step", "… and {n} more steps", left),
                value=t(
                    language,
                    "Ends at {name}.",
                    name=escape(entity_name(lookup, steps[-1].walk_to, language)),
                ),
                inline=False,
            )
            break
        embed.add_field(name=name, value=value, inline=False)
    for entity, branch in zip((start, end), connection.branches, strict=False):
        shared = entity_name(lookup, connection.shared[0], language)
        name = entity.name_for(language)
        if connection.relation is Relation.SHARED_INFLUENCE:
            heading = t(language, "How {shared} shaped {name}", shared=shared, name=name)
        else:
            heading = t(language, "How {name} shaped {shared}", shared=shared, name=name)
        embed.add_field(
            name=clip(heading, limits.EMBED_FIELD_NAME_MAX),
            value=clip(walk_line(lookup, branch, language), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    if connection.relation is Relation.NONE:
        for entity in (start, end):
            embed.add_field(
                name=clip(
                    t(language, "Nearest to {name}", name=entity.name_for(language)),
                    limits.EMBED_FIELD_NAME_MAX,
                ),
                value=nearest_text(language, lookup, entity),
                inline=False,
            )
    embed.set_footer(text=t(language, PATH_FOOTER))
    return embed


def walk_line(lookup: GraphLookup, steps: Sequence[Step], language: Language = ENGLISH) -> str:
    """The whole walk on one line, each arrow pointing from influencer to influenced."""
    if not steps:
        return ""
    parts = [f"**{escape(entity_name(lookup, steps[0].walk_from, language))}**"]
    for step in steps:
        arrow = "→" if step.forward else "←"
        parts.append(f"{arrow} **{escape(entity_name(lookup, step.walk_to, language))}**")
    return " ".join(parts)


def nearest_text(language: Language, lookup: GraphLookup, entity: Entity) -> str:
    """The closest entities by hops (either direction), then how many more are reachable."""
    reachable = lookup.paths.nearest(entity.id, len(lookup.graph.entities))
    if not reachable:
        return t(language, NO_LINKS)
    items = [
        tn(
            language,
            "{name} ({n} hop)",
            "{name} ({n} hops)",
            hops,
            name=escape(entity_name(lookup, other, language)),
        )
        for other, hops in reachable
    ]
    return and_more(
        language, items, len(items), limit=limits.EMBED_FIELD_VALUE_MAX, max_items=NEAREST
    )
