"""ReadCache: values kept until forgotten, bounded, and never kept stale after an overlapping write."""

from __future__ import annotations

import asyncio

from bot.storage.cache import ReadCache


async def test_values_are_loaded_once_and_the_least_recently_used_is_dropped() -> None:
    loads: list[str] = []
    cache: ReadCache[str, str] = ReadCache(max_entries=2)

    async def get(key: str) -> str:
        async def load() -> str:
            loads.append(key)
            return key.upper()

        return await cache.get(key, load)

    assert [await get("a"), await get("b"), await get("a")] == ["A", "B", "A"]
    assert loads == ["a", "b"]
    await get("c")  # "b" was used least recently
    assert "a" in cache and "c" in cache and "b" not in cache and len(cache) == 2
    await get("b")
    assert loads == ["a", "b", "c", "b"]


async def test_forget_drops_one_key_or_all() -> None:
    cache: ReadCache[int, int] = ReadCache()
    counter = iter(range(100))

    async def load() -> int:
        return next(counter)

    first = [await cache.get(k, load) for k in (1, 2)]
    cache.forget(1)
    assert await cache.get(1, load) != first[0]
    assert await cache.get(2, load) == first[1]
    cache.forget()
    assert len(cache) == 0


async def test_a_load_that_overlapped_a_write_is_not_kept() -> None:
    cache: ReadCache[str, str] = ReadCache()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_load() -> str:
        started.set()
        await release.wait()
        return "read before the write"

    pending = asyncio.create_task(cache.get("board", slow_load))
    await started.wait()
    cache.forget("board")  # a write commits while the read is in flight
    release.set()
    assert await pending == "read before the write"  # its caller still gets an answer
    assert "board" not in cache
