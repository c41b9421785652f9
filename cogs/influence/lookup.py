"""The loaded influence graph with the indexes built from it at load: names, paths, neighbours.

The renderers (``cogs.influence.render``) read the graph through this; the cog adds the rendered
pages it keeps (``cogs.influence.cog.InfluenceLookup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

from cogs.influence import map_layout
from cogs.influence.content import Entity, Graph, Link
from cogs.influence.graph import LinkGraph, Named, NameIndex, Resolution, Step
from cogs.influence.map_cache import MapPictures
from cogs.influence.names import SHOWN_INPUT_MAX

SUGGESTIONS = 5
RESOLVED_NAMES = 2048  # typed names kept resolved


@dataclass(frozen=True, slots=True)
class Neighbour:
    """One link as seen from an entity's profile."""

    link: Link
    other: Entity
    incoming: bool  # True: ``other`` influenced the profiled entity


class GraphLookup:
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
