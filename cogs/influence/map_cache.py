"""Map pictures kept by key, drawn in a worker thread.

Pillow (``map_render``) is imported on the first picture, not when the cog loads, so a bot whose
members never ask for a map does not carry it. Drawing runs in one worker thread (Pillow releases
the GIL while it encodes, and the rest is short); the last ``CACHED`` pictures are kept, and a
picture asked for twice at once is drawn once.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

from cogs.influence.map_layout import MapLayout

CACHED = 256  # pictures kept (64 entities x 2 depths today, plus the busiest paths)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD = 1024 * 1024


def _map_big_blocks() -> None:
    """Have glibc give blocks of 1 MiB and more straight back to the system when freed.

    Pillow draws on ~6 MB canvases; by default glibc raises its mmap threshold after freeing one,
    so the next canvases come from the heap, which keeps them once freed: the bot grew by ~20 MiB
    over a hundred maps. A fixed threshold keeps it to the pictures themselves. Nothing happens
    where the C library is not glibc (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    except OSError:
        return
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


# One drawing thread for the whole process: one picture at a time is quick enough, and every
# extra thread would keep its own malloc arena holding a freed canvas or two (~6 MB each).
_drawn_before = False
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="influence-map")


def _draw(layout: Callable[[], MapLayout]) -> bytes:
    global _drawn_before
    if not _drawn_before:  # only the drawing thread runs this, one picture at a time
        _map_big_blocks()
        _drawn_before = True
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
            picture = await asyncio.get_running_loop().run_in_executor(_DRAWER, _draw, layout)
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
