"""/influence map pictures: render time for every entity at depth 1 and 2, and the bot's memory.

python benchmarks/render_map.py [--rounds 3] [--no-rss]

Prints, for depth 1 and 2 over every entity of data/influence.toml:

* cold: layout and drawing of a picture not kept (what a first request waits for, in its
  worker thread), ``rounds`` times each, every round with a fresh cache;
* cached: ``MapPictures.get`` for a picture that is kept (what every later request waits for);

and the resident memory (VmRSS) of a real bot process (``python -m bot`` against the emulator)
after READY, before any map (Pillow not even imported), then after it has drawn and kept every
map at both depths. Targets (issue 17): cached p99 < 5 ms, cold p99 < 300 ms, RSS at most 15 MiB
more. Figures only: nothing here is judged.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import BotProcess, build_scene, machine, summary_ms  # noqa: E402
from bot import limits  # noqa: E402
from bot.sandbox import Driver  # noqa: E402
from cogs.influence.content import load_influence  # noqa: E402
from cogs.influence.map_cache import MapPictures  # noqa: E402
from cogs.influence.map_layout import DEPTHS, degrees, neighbourhood  # noqa: E402


async def render_times(rounds: int) -> None:
    graph = load_influence()
    popularity = degrees(graph)
    from cogs.influence import map_render  # the first picture pays for this import, once

    map_render.render(neighbourhood(graph, next(iter(graph.entities)), 1, popularity))
    sizes: list[int] = []
    for depth in DEPTHS:
        cold: list[float] = []
        cached: list[float] = []
        for _ in range(rounds):
            pictures = MapPictures()
            for entity_id in graph.entities:

                def layout(e: str = entity_id, d: int = depth):  # noqa: ANN202
                    return neighbourhood(graph, e, d, popularity, (e, "subtitle"))

                started = time.perf_counter()
                picture = await pictures.get((entity_id, depth), layout)
                cold.append(time.perf_counter() - started)
                sizes.append(len(picture))
                started = time.perf_counter()
                await pictures.get((entity_id, depth), layout)
                cached.append(time.perf_counter() - started)
        count = len(graph.entities)
        print(f"depth {depth}, {count} entities x {rounds} rounds")
        print(f"  cold   {summary_ms(cold)}")
        print(f"  cached {summary_ms(cached)}")
    print(f"PNG size: {min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f} KiB")


async def rss() -> None:
    driver = Driver()
    await driver.start()
    scene = build_scene(driver, members=2)
    bot_role = next(r for r in scene.guild.roles.values() if r.name == driver.bot_user.username)
    member = scene.members[0]
    graph = load_influence()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(driver, Path(tmp) / "bench.sqlite3")
        await bot.start()
        try:
            await bot.wait_ready(
                lambda: driver.invoke("help", member=member, channel=scene.channel)
            )
            await asyncio.sleep(3)  # let start-up work (sync, scheduler, caches) settle
            ready = bot.rss_mib()
            figures: list[float] = []
            # First without Attach Files (every map refused before drawing: the cost of the
            # requests themselves), then with it (every map drawn and kept).
            for allowed in (False, True):
                if allowed:
                    bot_role.permissions |= limits.ATTACH_FILES
                for depth in DEPTHS:
                    for entity_id in graph.entities:
                        await driver.invoke(
                            "influence map",
                            {"name": entity_id, "depth": depth},
                            member=member,
                            channel=scene.channel,
                        )
                await asyncio.sleep(1)
                figures.append(bot.rss_mib())
            before, after = figures
        finally:
            await bot.stop()
    await driver.stop()
    maps = len(graph.entities) * len(DEPTHS)
    print(
        f"bot RSS after READY {ready:.1f} MiB; after {maps} map requests refused before drawing "
        f"{before:.1f} MiB; after drawing and keeping all {maps} maps {after:.1f} MiB: "
        f"renderer +{after - before:.1f} MiB ({after / before:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-rss", action="store_true", help="skip the bot process")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    asyncio.run(render_times(args.rounds))
    if not args.no_rss:
        asyncio.run(rss())


if __name__ == "__main__":
    main()
