"""A loop-lag probe for "never blocks the event loop" tests, fair on a busy machine.

A task asks to wake every ``tick`` seconds and records how late it woke. Lateness has two causes:
this process kept the loop busy (work on the loop thread, or a worker holding the GIL), or the
machine did not run this process at all (other load on a shared 2-core box). Only the first is
the code's fault, and only it costs this process CPU time, so each late wake counts as the smaller
of the delay and the CPU time the process used meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType


class LagProbe:
    def __init__(self, tick: float = 0.002) -> None:
        self.tick = tick
        self.worst = 0.0  # seconds the loop was held up by this process, at the worst wake
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.sleep(self.tick)
            late = time.perf_counter() - wall - self.tick
            used = time.process_time() - cpu
            self.worst = max(self.worst, min(late, used))

    async def __aenter__(self) -> LagProbe:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
