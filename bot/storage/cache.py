"""Reads kept in memory until a write makes them stale.

Every hand-off to the database thread costs ~80 µs of CPU, more than a whole slash command's own
work, so what a command reads on every call (settings, a leaderboard, a poll's standings) is read
once and kept here. The database stays the only source of truth: whoever writes calls
:meth:`ReadCache.forget` after the commit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReadCache(Generic[K, V]):
    """Loaded values by key, the least recently used dropped beyond ``max_entries`` (None: no bound).

    A load that overlapped a :meth:`forget` (of any key) is returned to its caller but not kept, so
    a read that started before a write never outlives it.
    """

    def __init__(self, max_entries: int | None = None) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._writes = 0  # bumped by every forget()

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        try:
            value = self._entries[key]
        except KeyError:
            pass
        else:
            self._entries.move_to_end(key)
            return value
        writes = self._writes
        value = await load()
        if writes == self._writes:
            self._entries[key] = value
            if self.max_entries is not None and len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def forget(self, key: K | None = None) -> None:
        """Drop one key's value (after a write that changed it), or every value."""
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)
        self._writes += 1
