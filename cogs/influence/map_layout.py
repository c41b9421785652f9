"""What an influence map shows, as plain data: which entities sit in which row, and which links.

A map of an entity's neighbourhood puts who influenced it in the rows above (``layer`` -1, -2),
the entity itself in row 0 and whom it influenced below (1, 2). Every link drawn runs from one row
to the next one down, so every arrow points from influencer to influenced. A row holds at most
``PER_LAYER`` boxes: when more entities are that far away, the best-connected ones are drawn and
the last box says how many more there are. A path is drawn as a column, one entity per row, each
link pointing the way it runs (up when a walk follows a link against its direction).

Nothing here draws: ``map_render`` turns a :class:`MapLayout` into a picture, and tests check the
layout against the graph rather than pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import mean

from bot.i18n import ENGLISH, Language
from cogs.influence.content import Graph, Link
from cogs.influence.graph import Step

PER_LAYER = 4  # boxes in one row: readable on a phone when the picture is shrunk to its width
DEPTHS = (1, 2)  # how many links away a map reaches
PATH_ROWS_MAX = 10  # a longer walk keeps its start and its end and says how many steps are left out


@dataclass(frozen=True, slots=True)
class MapNode:
    entity_id: str
    name: str
    layer: int  # < 0: influenced the centre (above it); 0: the centre; > 0: influenced by it
    slot: int  # left to right within the row, from 0
    highlighted: bool = False


@dataclass(frozen=True, slots=True)
class MapEdge:
    source_id: str  # the influencer
    target_id: str  # the influenced
    kind: str
    disputed: bool


@dataclass(frozen=True, slots=True)
class MapLayout:
    title: str
    subtitle: str
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    #: row -> how many entities that far away are not drawn (a box "and N more" in that row)
    more: Mapping[int, int] = field(default_factory=dict)
    #: a path: row -> steps left out after that row (drawn as a gap)
    gaps: Mapping[int, int] = field(default_factory=dict)
    #: the language of the words drawn around the names (legend, "and N more", footer)
    language: Language = ENGLISH

    def rows(self) -> list[int]:
        return sorted({n.layer for n in self.nodes} | set(self.more))

    def row(self, layer: int) -> list[MapNode]:
        return sorted((n for n in self.nodes if n.layer == layer), key=lambda n: n.slot)

    def node(self, entity_id: str) -> MapNode:
        return next(n for n in self.nodes if n.entity_id == entity_id)

    def slots(self, layer: int) -> int:
        """Boxes in a row, the "and N more" box included."""
        return len(self.row(layer)) + (1 if self.more.get(layer) else 0)


def degrees(graph: Graph) -> dict[str, int]:
    """Links per entity: how a row chooses whom to keep when it is full."""
    counts = dict.fromkeys(graph.entities, 0)
    for link in graph.links:
        counts[link.source_id] = counts.get(link.source_id, 0) + 1
        counts[link.target_id] = counts.get(link.target_id, 0) + 1
    return counts


def _edge(link: Link) -> MapEdge:
    return MapEdge(link.source_id, link.target_id, link.kind, link.is_disputed)


def neighbourhood(
    graph: Graph,
    entity_id: str,
    depth: int,
    popularity: Mapping[str, int],
    title: tuple[str, str] = ("", ""),
    language: Language = ENGLISH,
) -> MapLayout:
    """The map of ``entity_id`` reaching ``depth`` links up and down (``KeyError`` if unknown),
    its names (and the words around them) in ``language``. Who is drawn where does not depend on
    the language: the same map in every language."""
    centre = graph.entities[entity_id]
    depth = min(max(depth, DEPTHS[0]), DEPTHS[-1])
    upward: dict[str, list[str]] = {}
    downward: dict[str, list[str]] = {}
    for link in graph.links:
        upward.setdefault(link.target_id, []).append(link.source_id)
        downward.setdefault(link.source_id, []).append(link.target_id)

    def importance(other: str) -> tuple[int, str, str]:
        return (-popularity.get(other, 0), graph.entities[other].name.casefold(), other)

    placed: dict[str, int] = {entity_id: 0}
    slots: dict[str, int] = {entity_id: 0}
    more: dict[int, int] = {}
    for sign, step in ((-1, upward), (1, downward)):
        ring = {entity_id}  # everything at this distance, drawn or not
        reached = set(placed)  # nearer on this side, or drawn on the other side
        drawn = [entity_id]  # what is drawn at this distance
        for distance in range(1, depth + 1):
            layer = sign * distance
            ring = {o for e in ring for o in step.get(e, ())} - reached
            reached |= ring
            # Only what is exactly this far away: a trimmed direct link is not drawn a row lower.
            candidates = {o for e in drawn for o in step.get(e, ())} & ring
            if not ring:
                break
            room = PER_LAYER if candidates == ring and len(ring) <= PER_LAYER else PER_LAYER - 1
            kept = sorted(candidates, key=importance)[:room]
            if len(ring) > len(kept):
                more[layer] = len(ring) - len(kept)
            # Order a row under (or over) what it links to, so arrows cross as little as possible.
            order = {
                other: (
                    mean([slots[n] for n in drawn if other in step.get(n, ())]),
                    *importance(other)[1:],
                )
                for other in kept
            }
            kept.sort(key=order.__getitem__)
            for slot, other in enumerate(kept):
                placed[other] = layer
                slots[other] = slot
            drawn = kept
    nodes = tuple(
        MapNode(e, graph.entities[e].name_for(language), layer, slots[e], e == centre.id)
        for e, layer in placed.items()
    )
    edges = tuple(
        _edge(link)
        for link in graph.links
        if link.source_id in placed
        and link.target_id in placed
        and placed[link.target_id] == placed[link.source_id] + 1
    )
    return MapLayout(*title, nodes, edges, more, language=language)


def path(
    graph: Graph,
    steps: Sequence[Step],
    ends: Iterable[str],
    title: tuple[str, str] = ("", ""),
    language: Language = ENGLISH,
) -> MapLayout:
    """A walk as a column: one row per entity, in walk order; ``ends`` are highlighted; names
    (and the words around them) in ``language``."""
    if not steps:
        raise ValueError("a path picture needs at least one step")
    links = {(k.source_id, k.target_id): k for k in graph.links}
    walk = [steps[0].walk_from, *(s.walk_to for s in steps)]
    gaps: dict[int, int] = {}
    kept = list(range(len(walk)))
    if len(walk) > PATH_ROWS_MAX:  # the start, the end, and as much of the walk as fits between
        head = PATH_ROWS_MAX - 1
        kept = [*range(head), len(walk) - 1]
        gaps[head - 1] = len(walk) - 1 - head  # steps left out after the last row of the head
    highlighted = set(ends)
    nodes = tuple(
        MapNode(walk[i], graph.entities[walk[i]].name_for(language), row, 0, walk[i] in highlighted)
        for row, i in enumerate(kept)
    )
    shown = {walk[i] for i in kept}
    edges = tuple(
        _edge(links[s.link])
        for number, s in enumerate(steps)
        if s.walk_from in shown and s.walk_to in shown and number + 1 in kept and number in kept
    )
    return MapLayout(*title, nodes, edges, gaps=gaps, language=language)
