"""Members own their data: the hooks every feature that stores something about a member provides.

Modelled on Red-DiscordBot's data-deletion hooks. A feature's store implements
:class:`PrivacyHooks`; its cog hands the store over through ``privacy_hooks()`` and its package
through a module-level ``privacy_hooks(db)`` (for the command line, where no cog is loaded). The
privacy cog and ``python -m bot purge`` collect them, so a new feature plugs in by providing both.

Deleting runs every feature's SQL on ONE transaction (the caller's :class:`~bot.storage.Tx`, on
SQLite or PostgreSQL alike); caches are dropped after the commit.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.storage.database import Database
    from bot.storage.engines import Tx

#: What a member-id column holds once its member's data was deleted but the row stays (a quote
#: they added, a poll they started, a settings change they made). Discord never gives out id 0,
#: and 0 keeps those columns NOT NULL: NULL already means "kpops-bot itself" in the change log.
DELETED_MEMBER = 0


@dataclass(frozen=True, slots=True)
class Holding:
    """One kind of thing kept about a member: how many, and the latest few as short lines.

    ``member_text``: the lines hold text members wrote (a quote), which renderers escape."""

    kind: str
    count: int
    latest: tuple[str, ...] = ()
    member_text: bool = False


@dataclass(frozen=True, slots=True)
class FeatureData:
    """What one feature keeps about a member in a server (``holdings`` without zero counts)."""

    feature: str
    holdings: tuple[Holding, ...]

    @property
    def empty(self) -> bool:
        return not self.holdings

    @property
    def total(self) -> int:
        return sum(h.count for h in self.holdings)


def feature_data(feature: str, *holdings: Holding) -> FeatureData:
    return FeatureData(feature, tuple(h for h in holdings if h.count))


@runtime_checkable
class PrivacyHooks(Protocol):
    """What a feature's store offers for its members' data."""

    @property
    def user_columns(self) -> frozenset[str]:
        """The ``table.column`` pairs holding member ids that this feature answers for (the
        tests check every such column of the schema is claimed by exactly one feature)."""
        ...

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        """Everything kept about ``user_id`` in ``guild_id``."""
        ...

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        """Delete (or, where others rely on the row, strip the id from) the member's rows, on
        ``tx`` without committing; returns what was removed."""
        ...

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        """Delete every row of the server on ``tx``; returns how many rows went."""
        ...

    def forget(self, guild_id: int, user_id: int | None) -> None:
        """Drop cached reads after a deletion committed (``user_id`` None: the whole server)."""
        ...


@runtime_checkable
class ProvidesPrivacyHooks(Protocol):
    """A cog whose feature stores member data."""

    def privacy_hooks(self) -> PrivacyHooks: ...


@dataclass(frozen=True, slots=True)
class CachedHooks:
    """A store's hooks plus a cog's own caches to drop after a deletion (the store's SQL, the
    cog's memory): what a cog returns when it keeps reads the store does not know about."""

    store: PrivacyHooks
    drop_cached: Callable[[int, int | None], None]

    @property
    def user_columns(self) -> frozenset[str]:
        return self.store.user_columns

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        return await self.store.member_data(guild_id, user_id)

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        return await self.store.delete_member_data(tx, guild_id, user_id)

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        return await self.store.delete_guild_data(tx, guild_id)

    def forget(self, guild_id: int, user_id: int | None) -> None:
        self.store.forget(guild_id, user_id)
        self.drop_cached(guild_id, user_id)


def hooks_of_cogs(cogs: Iterable[object]) -> list[PrivacyHooks]:
    """The live hooks of the loaded cogs (their caches are the ones to drop)."""
    return [cog.privacy_hooks() for cog in cogs if isinstance(cog, ProvidesPrivacyHooks)]


def hooks_of_packages(db: Database) -> list[PrivacyHooks]:
    """Hooks from every feature package's ``privacy_hooks(db)``, without loading any cog."""
    from bot.client import extension_names  # the same discovery the bot loads its cogs with

    found: list[PrivacyHooks] = []
    for name in extension_names():
        factory = getattr(importlib.import_module(name), "privacy_hooks", None)
        if callable(factory):
            hooks = factory(db)
            if isinstance(hooks, PrivacyHooks):
                found.append(hooks)
    return found


async def delete_member(
    db: Database, hooks: Iterable[PrivacyHooks], guild_id: int, user_id: int
) -> list[FeatureData]:
    """Delete a member's data in a server across every feature, in one transaction."""
    hooks = list(hooks)
    async with db.begin() as tx:
        removed = [await h.delete_member_data(tx, guild_id, user_id) for h in hooks]
    for h in hooks:
        h.forget(guild_id, user_id)
    return removed


async def delete_guild(
    db: Database,
    hooks: Iterable[PrivacyHooks],
    guild_id: int,
    *,
    still_due: Callable[[Tx], Awaitable[bool]] | None = None,
) -> int | None:
    """Delete everything about a server across every feature, in one transaction.

    ``still_due`` is asked inside that transaction first (the server may have added the bot back
    a moment ago); if it says no, nothing is deleted and None is returned."""
    hooks = list(hooks)
    async with db.begin() as tx:
        if still_due is not None and not await still_due(tx):
            return None
        rows = sum([await h.delete_guild_data(tx, guild_id) for h in hooks])
    for h in hooks:
        h.forget(guild_id, None)
    db.forget()
    return rows
