"""Which servers this process holds, and its share of the one rate-limit budget.

Discord splits a bot's servers over gateway shards: a server belongs to shard
``(guild_id >> 22) % shard_count``, and only the connection for that shard receives its events and
interactions. When several processes run one bot (``SHARD_IDS``), each holds some of the shards,
so each server belongs to exactly one process. Every piece of per-server memory (the open-poll
board, the fact rotation, caches, trivia timers, the daily scheduler) is only touched by that
process: :func:`assert_owns` checks it at the entry points (interactions and daily posts).

Discord's global limit (50 requests per second) is per bot token, not per process, so each process
paces its daily fan-out at its share of the shards (:func:`pacing`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass

import aiohttp
import discord

#: Discord's global rate limit: requests per second per bot token, for all processes together.
GLOBAL_REQUESTS_PER_SECOND = 50
#: Requests per second the daily fan-out leaves for the bot's other requests in the same second
#: (fetching a channel, editing a poll); replies to interactions do not count against the limit.
RESERVED_REQUESTS_PER_SECOND = 2
#: How much closer together two requests may reach Discord than their tokens were handed out (a
#: busy event loop, a queued connection); the pacing keeps every cap even then.
JITTER_SECONDS = 0.02
#: A process holding every shard keeps a burst of 2 (a token maturing while a post oversleeps is
#: kept); several processes each keep 1, so their bursts together stay inside the limit.
ALONE_BURST = 2
SHARED_BURST = 1
#: With more processes than this, even one request each in the same second would pass the budget.
MAX_PROCESSES = GLOBAL_REQUESTS_PER_SECOND - RESERVED_REQUESTS_PER_SECOND

_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")


class ShardSettingError(ValueError):
    """SHARD_COUNT / SHARD_IDS cannot be used; the message says why in one line."""


class NotOwnedError(RuntimeError):
    """A server's work reached a process that does not hold its shard: a routing bug, never
    something to paper over (another process may be touching the same server's memory)."""


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that holds a server, by Discord's formula."""
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """``"0-3"``, ``"4,5"`` or ``"0-1,6"``: the shards one process holds, sorted, each once."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise ShardSettingError(f"SHARD_IDS has an empty entry (got {text!r}); write e.g. 0-3")
        ranged = _RANGE.match(part)
        if ranged:
            first, last = int(ranged.group(1)), int(ranged.group(2))
            if first > last:
                raise ShardSettingError(
                    f"SHARD_IDS range {part!r} runs backwards; write the lower id first"
                )
            ids.update(range(first, last + 1))
        elif part.isdigit():
            ids.add(int(part))
        else:
            raise ShardSettingError(
                f"SHARD_IDS must be shard ids and ranges like 0-3 or 4,5 (got {text!r})"
            )
    beyond = sorted(i for i in ids if i >= shard_count)
    if beyond:
        raise ShardSettingError(
            f"SHARD_IDS {text!r} names shard {beyond[0]}, but SHARD_COUNT {shard_count} "
            f"numbers them 0-{shard_count - 1}"
        )
    return tuple(sorted(ids))


def format_shard_ids(ids: Collection[int]) -> str:
    """The inverse of :func:`parse_shard_ids`: ``[0, 1, 2, 5]`` -> ``"0-2,5"``."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    start = prev = None
    for shard in [*ordered, None]:
        if shard is not None and prev is not None and shard == prev + 1:
            prev = shard
            continue
        if start is not None and prev is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = shard
    return ",".join(parts)


def held(bot: discord.AutoShardedClient) -> tuple[tuple[int, ...], int]:
    """(the shards this process holds, the bot's shard count); all shards when not configured."""
    count = bot.shard_count or 1
    ids = tuple(sorted(bot.shard_ids)) if bot.shard_ids is not None else tuple(range(count))
    return ids, count


def owns(bot: discord.AutoShardedClient, guild_id: int) -> bool:
    ids, count = held(bot)
    return shard_of(guild_id, count) in ids


def assert_owns(bot: discord.AutoShardedClient, guild_id: int | None) -> None:
    """Raise NotOwnedError unless this process holds ``guild_id``'s shard (None: a DM, no server)."""
    if guild_id is None:
        return
    ids, count = held(bot)
    shard = shard_of(guild_id, count)
    if shard not in ids:
        raise NotOwnedError(
            f"server {guild_id} belongs to shard {shard} of {count}, but this process holds "
            f"shards {format_shard_ids(ids)}"
        )


@dataclass(frozen=True, slots=True)
class Pacing:
    posts_per_second: float
    burst: int


def processes_sharing(held_shards: int, shard_count: int) -> int:
    """How many processes run the bot, inferred from this one's share (equal ranges assumed)."""
    if held_shards < 1 or shard_count < held_shards:
        raise ValueError(f"cannot hold {held_shards} of {shard_count} shards")
    return math.ceil(shard_count / held_shards)


def pacing(held_shards: int, shard_count: int) -> Pacing:
    """This process's share of the daily fan-out budget.

    Each of ``n`` processes may send at most ``cap = (50 - reserved) // n`` requests in any one
    second, so all of them together stay within Discord's limit with the reserve to spare. A
    token bucket hands out at most ``floor(burst + rate * T)`` tokens in any ``T`` seconds; at the
    rate below, ``cap + 1`` of them take at least ``1 + JITTER_SECONDS`` seconds, so they cannot
    reach Discord within one second unless the way there squeezes them by more than the jitter.
    The number of processes is inferred from this one's share, hence equal ranges (the README
    says so).
    """
    processes = processes_sharing(held_shards, shard_count)
    if processes > MAX_PROCESSES:
        raise ShardSettingError(
            f"{processes} processes would share one token, more than the {MAX_PROCESSES} whose "
            "daily posts fit in Discord's global limit together; give each process more shards"
        )
    burst = ALONE_BURST if processes == 1 else SHARED_BURST
    cap = (GLOBAL_REQUESTS_PER_SECOND - RESERVED_REQUESTS_PER_SECOND) // processes
    return Pacing((cap + 1 - burst) / (1 + JITTER_SECONDS), burst)


def bot_pacing(bot: discord.AutoShardedClient) -> Pacing:
    ids, count = held(bot)
    return pacing(len(ids), count)


async def recommended_shard_count(api_base: str, token: str, *, timeout: float = 30.0) -> int:
    """Discord's recommended shard count (GET /gateway/bot), through DISCORD_API_BASE (so a REST
    proxy in front sees this request like every other)."""
    url = f"{api_base.rstrip('/')}/gateway/bot"
    headers = {"Authorization": f"Bot {token}", "User-Agent": "DiscordBot (kpops-bot, 1)"}
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
        session.get(url, headers=headers) as response,
    ):
        if response.status == 401:
            raise discord.LoginFailure("Improper token has been passed.")
        if response.status >= 500:
            raise discord.DiscordServerError(response, await response.text())
        if response.status != 200:
            raise discord.HTTPException(response, await response.text())
        data = await response.json()
    shards = data.get("shards") if isinstance(data, dict) else None
    if not isinstance(shards, int) or shards < 1:
        raise discord.GatewayNotFound()
    return shards
