"""Interactions in flight: what Discord sent the bot and everything the bot answered."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot import limits
from bot.sandbox.state import Channel, Member, Message

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL = 1, 2, 3, 4, 5


class InteractionError(AssertionError):
    """The bot did not answer an interaction the way Discord requires."""


@dataclass
class InteractionResult:
    """One interaction the driver sent, and the bot's answers to it, as they arrive."""

    id: int
    token: str
    type: int
    member: Member
    channel: Channel
    payload: dict[str, Any]
    created: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    #: The message of the initial response (type 4/5), or the component's message (type 6/7).
    original: Message | None = None
    source_message: Message | None = None
    followups: list[Message] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    acked_at: float | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.created > limits.INTERACTION_TOKEN_SECONDS

    @property
    def messages(self) -> list[Message]:
        """Every message this interaction produced (the response first, then follow-ups)."""
        first = (
            [self.original] if self.original is not None and self.response_type in (4, 5) else []
        )
        return first + self.followups

    @property
    def message(self) -> Message:
        """The reply a user sees: the response message, or the first follow-up."""
        for msg in self.messages:
            if not msg.loading:
                return msg
        if self.response_type == 7 and self.original is not None:
            return self.original
        raise InteractionError(
            f"interaction {self.id} has no visible reply (type {self.response_type})"
        )

    @property
    def ephemeral(self) -> bool:
        return self.message.ephemeral

    @property
    def text(self) -> str:
        return self.message.text()

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(
        self, predicate: Callable[[InteractionResult], bool], timeout: float = 5.0
    ) -> None:
        """Wait until ``predicate(self)`` holds, e.g. a deferred reply has been filled in."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def settled(self, timeout: float = 5.0) -> InteractionResult:
        """Wait until the bot has answered and no response is still 'thinking'."""

        def done(r: InteractionResult) -> bool:
            if r.response_type is None:
                return False
            if r.response_type == 5:
                return any(not m.loading for m in r.messages)
            return True

        await self.wait_for(done, timeout)
        return self
