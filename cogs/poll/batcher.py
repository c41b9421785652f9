"""The poll's moving parts that are not Discord commands: group commit and debounced edits.

``VoteBatcher`` stores votes in groups: the votes that arrive within a few milliseconds of each
other (or while the previous group is being committed) share one transaction, so a storm of clicks
costs a few transactions instead of one per click, and each click still waits for the COMMIT of its
own group before it is acknowledged.

``Debouncer`` runs an action for a key at most once per interval however often the key is touched
(the live turnout on a poll message: one edit every few seconds, never one per vote).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.clock import Clock
from cogs.poll.store import MAX_GROUP, PollStore, VoteOutcome, VoteRequest

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Told about each committed group's votes and their outcomes, before any of them is answered.
CommitListener = Callable[[Sequence[VoteRequest], Sequence[VoteOutcome]], None]


@dataclass
class PollTimings:
    """Real-time intervals of the poll machinery (deadlines themselves follow the bot's clock)."""

    #: How often the closer looks for polls past their deadline (it also wakes at the next one).
    check_interval: float = 30.0
    #: The live turnout on a poll message: at most one edit per this many seconds...
    turnout_interval: float = 5.0
    #: ...and the first edit after a quiet spell waits this long to gather the burst.
    turnout_settle: float = 1.0
    #: Votes arriving within this many seconds of a group's first vote share its transaction.
    vote_window: float = 0.005
    #: A click still waiting for its COMMIT after this long is deferred ("thinking") so Discord's
    #: 3-second deadline is never missed; its confirmation still comes only after the COMMIT.
    ack_budget: float = 2.0


#: Read when a poll cog starts (tests replace it to shrink the intervals).
TIMINGS = PollTimings()


@dataclass
class BatchStats:
    groups: int = 0
    votes: int = 0
    largest: int = 0


class VoteBatcher:
    """Group commit for votes (one transaction per group, each caller woken after its COMMIT)."""

    def __init__(
        self,
        store: PollStore,
        clock: Clock,
        *,
        window: float = 0.005,
        max_group: int = MAX_GROUP,
        on_commit: CommitListener | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.on_commit = on_commit
        #: Votes arriving within this many seconds of a group's first vote join that group. Each
        #: transaction costs a few thread hand-offs to SQLite's thread (~0.1 ms of CPU each), so
        #: sharing them is what keeps a storm of clicks cheap; it adds at most this to a reply.
        self.window = window
        self.max_group = max_group
        self.stats = BatchStats()
        self._queue: deque[tuple[VoteRequest, asyncio.Future[VoteOutcome]]] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="poll-vote-batcher"
            )

    def submit(self, vote: VoteRequest) -> asyncio.Future[VoteOutcome]:
        """Queue a vote; the future resolves once its group is committed (or fails with it)."""
        if self._closing:
            raise RuntimeError("the vote writer is shutting down")
        future: asyncio.Future[VoteOutcome] = asyncio.get_running_loop().create_future()
        self._queue.append((vote, future))
        self._wake.set()
        return future

    async def stop(self) -> None:
        """Commit everything already queued, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                if self.window > 0 and len(self._queue) < self.max_group and not self._closing:
                    await asyncio.sleep(self.window)
                group = [
                    self._queue.popleft() for _ in range(min(self.max_group, len(self._queue)))
                ]
                await self._commit(group)
            if self._closing:
                return

    async def _commit(self, group: list[tuple[VoteRequest, asyncio.Future[VoteOutcome]]]) -> None:
        votes = [vote for vote, _ in group]
        try:
            outcomes = await self.store.record_votes(votes, self.clock.now())
        except Exception as exc:  # noqa: BLE001 - every waiting click must hear about it
            log.exception("storing a group of %d votes failed; none of them was stored", len(group))
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            return
        self.stats.groups += 1
        self.stats.votes += len(group)
        self.stats.largest = max(self.stats.largest, len(group))
        if self.on_commit is not None:
            # Committed: in-memory views (the live turnout) catch up before anyone is told.
            try:
                self.on_commit(votes, outcomes)
            except Exception:  # noqa: BLE001 - the votes are stored; their clicks must be answered
                log.exception("a listener failed on a committed group of %d votes", len(group))
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


@dataclass
class _Slot(Generic[T]):
    latest: T
    task: asyncio.Task[None] | None = None
    last_run: float = field(default=float("-inf"))


class Debouncer(Generic[T]):
    """Run ``action(key, latest_value)`` at most once per ``interval`` seconds per key.

    The first touch after a quiet spell runs after ``settle`` seconds (gathering a burst); touches
    while a run is pending only replace the value it will use.
    """

    def __init__(
        self,
        action: Callable[[int, T], Awaitable[None]],
        *,
        interval: float,
        settle: float,
    ) -> None:
        self.action = action
        self.interval = interval
        self.settle = settle
        self.runs = 0
        self._slots: dict[int, _Slot[T]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def touch(self, key: int, value: T) -> None:
        if self._closed:
            return
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot(value)
        slot.latest = value
        if slot.task is None or slot.task.done():
            loop = asyncio.get_running_loop()
            delay = max(self.settle, slot.last_run + self.interval - loop.time())
            slot.task = loop.create_task(self._later(key, slot, delay), name=f"debounce-{key}")
            self._tasks.add(slot.task)
            slot.task.add_done_callback(self._tasks.discard)

    def forget(self, key: int) -> None:
        """Drop a key (e.g. the poll closed): a pending run is cancelled."""
        slot = self._slots.pop(key, None)
        if slot is not None and slot.task is not None and slot.task is not asyncio.current_task():
            slot.task.cancel()

    async def _later(self, key: int, slot: _Slot[T], delay: float) -> None:
        await asyncio.sleep(delay)
        slot.last_run = asyncio.get_running_loop().time()
        slot.task = None  # touches from here on schedule the next run
        self.runs += 1
        try:
            await self.action(key, slot.latest)
        except Exception:  # noqa: BLE001 - a failed edit must not stop later ones
            log.exception("debounced action for %s failed", key)

    async def close(self) -> None:
        """Stop: pending and running actions are cancelled, later touches ignored."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._slots.clear()
