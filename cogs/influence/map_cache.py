"""Map pictures kept by key, drawn in a worker thread.

Pillow (``map_render``) is imported on the first picture, not when the cog loads, so a bot whose
members never ask for a map does not carry it. Drawing runs in a worker thread (Pillow releases
the GIL while it encodes, and the rest is short); the last ``CACHED`` pictures are kept, and a
picture asked for twice at once is drawn once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable

from cogs.influence.map_layout import MapLayout

CACHED = 256  # pictures kept (64 entities x 2 depths today, plus the busiest paths)


def _draw(layout: Callable[[], MapLayout]) -> bytes:
    from cogs.influence import map_render  # Pillow and the font load with the first picture

    return map_render.render(layout())


class MapPictures:
    """Rendered pictures by key, the last ``size`` kept; rendering runs in a worker thread."""

    def __init__(self, size: int = CACHED) -> None:
        self._size = size
        self._done: OrderedDict[Hashable, bytes] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[bytes]] = {}

    def cached(self, key: Hashable) -> bytes | None:
        picture = self._done.get(key)
        if picture is not None:
            self._done.move_to_end(key)
        return picture

    def __len__(self) -> int:
        return len(self._done)

    async def get(self, key: Hashable, layout: Callable[[], MapLayout]) -> bytes:
        """The picture for ``key``, drawn from ``layout()`` unless it is kept or being drawn."""
        picture = self.cached(key)
        if picture is not None:
            return picture
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            picture = await asyncio.to_thread(_draw, layout)
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(error)
                future.exception()  # marked retrieved: only waiters need it, and they re-raise it
            raise
        finally:
            del self._pending[key]
        future.set_result(picture)
        self._done[key] = picture
        while len(self._done) > self._size:
            self._done.popitem(last=False)
        return picture
