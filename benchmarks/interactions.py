"""Interactions per second, time to first response and CPU per interaction, for each command kind.

kpops-bot and two baselines run side by side as subprocesses, each against its own emulator: a
bare discord.py bot that only acknowledges ("ok"), and a bare bot that sends, with no logic at all,
the replies kpops-bot just gave to the same command (so it pays discord.py's cost for the same
embeds and buttons). For each command kind they take turns (a batch each, the order reversed every
round), so a busy spell on the machine weighs on all alike; the figures and the ratios come from
the same run. Before measuring, kpops-bot's server is given a
lived-in state through ordinary commands and clicks: two finished poll rounds, an open poll with
votes, and trivia scores.

    python -m benchmarks.interactions [--count 1000] [--rounds 5] [--concurrency 4] [--locale ko]

``--locale`` is the Discord language of the members running the measured commands (``ko``: the
bot answers in Korean); the preparation runs in English either way.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import random
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._common import (
    BotProcess,
    Scene,
    build_scene,
    machine,
    percentile,
    postgres_databases,
)
from benchmarks.bare_bot import command_path
from bot.sandbox import Channel, Driver
from bot.sandbox.state import Message
from bot.search import meaningful, words_of
from cogs.quotes.content import load_quotes

# (driver, scene, i, the member's Discord locale) -> the interaction's result
Action = Callable[[Driver, Scene, int, str], Awaitable[Any]]


def command(path: str, *variants: dict[str, Any]) -> Action:
    """Run ``path`` by members in turn, with the option sets in turn (none: no options)."""
    choices = variants or ({},)

    async def act(driver: Driver, scene: Scene, i: int, locale: str) -> Any:
        member = scene.members[i % len(scene.members)]
        options = choices[i % len(choices)]
        return await driver.invoke(
            path, options, member=member, channel=scene.channel, locale=locale
        )

    return act


def complete(path: str, option: str, typed: str) -> Action:
    async def act(driver: Driver, scene: Scene, i: int, locale: str) -> Any:
        member = scene.members[i % len(scene.members)]
        return await driver.autocomplete(
            path, option, typed, member=member, channel=scene.channel, locale=locale
        )

    return act


# What fans would type, several of each, so no single cached answer is measured.
SEARCHES = ["music", "Motown", "Teddy Riley", "family", "hip-hop", "Jackson", "Seoul", "dance"]
ARTISTS = ["BTS", "Motown", "Teddy Riley", "New jack swing", "SWV", "BIGBANG", "TLC", "Rain"]
PATHS = [
    ("The Jackson 5", "BTS"),
    ("Motown", "TWICE"),
    ("New Edition", "H.O.T."),
    ("Hip-hop", "Epik High"),
    ("James Brown", "BLACKPINK"),
    ("Teddy Riley", "SHINee"),
]


def new_searches(count: int = 720) -> list[str]:
    """``count`` three-word searches, each a different set of words taken from one curated quote,
    so every one finds that quote (a search matches every word) and none repeats: what a search
    costs when its page is not kept rendered."""
    seen: set[frozenset[str]] = set()
    found: list[str] = []
    for quote in load_quotes():
        words = [w for w in meaningful(words_of(quote.text)) if len(w) >= 4 and w.isalpha()]
        for combo in itertools.combinations(dict.fromkeys(words), 3):
            if frozenset(combo) not in seen:
                seen.add(frozenset(combo))
                found.append(" ".join(combo))
    random.Random(1).shuffle(found)
    return found[:count]


NEW_SEARCHES = new_searches()

SCENARIOS: list[tuple[str, Action]] = [
    ("/help", command("help")),
    ("/film about", command("film about")),
    ("/film fact", command("film fact")),
    ("/film leaderboard", command("film leaderboard")),
    ("/quote today", command("quote today")),
    ("/quote random", command("quote random")),
    ("/quote search", command("quote search", *({"text": t} for t in SEARCHES))),
    (
        "/quote search (all new words)",
        command("quote search", *({"text": t} for t in NEW_SEARCHES)),
    ),
    ("/influence artist", command("influence artist", *({"name": n} for n in ARTISTS))),
    ("/influence path", command("influence path", *({"from": a, "to": b} for a, b in PATHS))),
    ("autocomplete /influence artist", complete("influence artist", "name", "jakson")),
    ("/poll results", command("poll results")),
    ("/poll standings", command("poll standings")),
]


@dataclass
class Figures:
    count: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    faults: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def cpu_per(self) -> float:
        return self.cpu / self.count

    @property
    def faults_per(self) -> float:
        return self.faults / self.count


async def measure(
    driver: Driver,
    scene: Scene,
    bot: BotProcess,
    action: Action,
    count: int,
    concurrency: int,
    into: Figures,
    locale: str = "en-US",
) -> None:
    queue = list(range(count))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            before = len(driver.interactions)
            started = time.monotonic()
            result = await action(driver, scene, i, locale)
            if isinstance(result, list):  # autocomplete: read the interaction's own timing
                interaction = list(driver.interactions.values())[before]
                into.latencies.append((interaction.acked_at or started) - interaction.created)
            else:
                into.latencies.append((result.acked_at or started) - result.created)

    # The driver keeps every interaction and message it saw: collect and freeze that heap first,
    # so its garbage collector's pauses do not land in one bot's batch.
    gc.collect()
    gc.freeze()
    cpu0, faults0, wall0 = bot.cpu_seconds(), bot.page_faults(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    into.wall += time.monotonic() - wall0
    into.cpu += bot.cpu_seconds() - cpu0
    into.faults += bot.page_faults() - faults0
    into.count += count


async def start_poll(driver: Driver, scene: Scene, channel: Channel) -> Message:
    before = {m.id for m in driver.channel_messages(channel)}
    await driver.invoke("poll start", member=scene.moderator, channel=channel)
    return next(m for m in driver.channel_messages(channel) if m.id not in before and m.buttons())


async def prepare(driver: Driver, scene: Scene) -> None:
    """Give kpops-bot's server a lived-in state, through commands and clicks as members make them."""
    for _ in range(2):  # two finished rounds for the standings
        poll = await start_poll(driver, scene, scene.side_channel)
        for i, member in enumerate(scene.members[:20]):
            await driver.click(poll, member=member, index=i % 3 % 2)
        await driver.invoke("poll end", member=scene.moderator, channel=scene.side_channel)
    poll = await start_poll(driver, scene, scene.channel)  # and one open, with votes
    for i, member in enumerate(scene.members[:30]):
        await driver.click(poll, member=member, index=i % 2)
    trivia = await driver.invoke("film trivia", member=scene.moderator, channel=scene.side_channel)
    for i, member in enumerate(scene.members[:24]):
        await driver.click(trivia.message, member=member, index=i % 4)


def reply_of(result: Any) -> dict[str, Any]:
    """What kpops-bot answered, as the same-replies baseline bot will send it."""
    if isinstance(result, list):  # autocomplete choices
        return {"choices": result}
    message = result.message
    return {
        "content": message.content,
        "embeds": message.embeds,
        "components": message.components,
        "ephemeral": message.ephemeral,
    }


def path_of(result: Any) -> str:
    if isinstance(result, list):
        return "autocomplete"
    return command_path(result.payload.get("data") or {})


# kpops-bot; a bare bot that only says "ok"; a bare bot that sends kpops-bot's own replies.
LABELS = ("kpops-bot", "bare", "same replies")


async def run(
    count: int, rounds: int, concurrency: int, locale: str = "en-US", database: str = "sqlite"
) -> None:
    async with AsyncExitStack() as stack:
        new_postgres_database = (
            await stack.enter_async_context(postgres_databases())
            if database == "postgresql"
            else None
        )
        await run_on(count, rounds, concurrency, locale, new_postgres_database)


async def run_on(
    count: int,
    rounds: int,
    concurrency: int,
    locale: str,
    new_postgres_database: Callable[[str], Awaitable[str]] | None,
) -> None:
    """``new_postgres_database``: kpops-bot's database is on PostgreSQL (the bare bots keep no
    data), or None for a SQLite file."""
    drivers = {label: Driver() for label in LABELS}
    scenes: dict[str, Scene] = {}
    bots: dict[str, BotProcess] = {}
    results: dict[str, dict[str, Figures]] = {}
    batch = max(1, count // rounds)
    with tempfile.TemporaryDirectory() as tmp:
        replies_file = Path(tmp) / "replies.json"
        try:
            for label in LABELS:
                driver = drivers[label]
                await driver.start()
                scene = scenes[label] = build_scene(driver)
                db: Path | str = Path(tmp) / f"{label}.sqlite3"
                if new_postgres_database is not None and label == "kpops-bot":
                    db = await new_postgres_database("bench_interactions")
                bot = bots[label] = BotProcess(
                    driver,
                    db,
                    bare=label != "kpops-bot",
                    env={"BARE_REPLIES": str(replies_file)} if label == "same replies" else None,
                )
                await bot.start()
                if label != "kpops-bot":  # they register nothing: users see kpops-bot's commands
                    driver.global_commands = drivers["kpops-bot"].global_commands
                await bot.wait_ready(
                    lambda d=driver, s=scene: d.invoke(
                        "help", member=s.members[0], channel=s.channel
                    )
                )
            await prepare(drivers["kpops-bot"], scenes["kpops-bot"])
            for name, action in SCENARIOS:
                pair = results[name] = {label: Figures() for label in LABELS}
                # Warm-up (first reads fill the caches); kpops-bot's replies become the third
                # bot's script.
                replies: dict[str, list[dict[str, Any]]] = {}
                for i in range(10):
                    result = await action(drivers["kpops-bot"], scenes["kpops-bot"], i, locale)
                    replies.setdefault(path_of(result), []).append(reply_of(result))
                replies_file.write_text(json.dumps(replies), encoding="utf-8")
                same = bots["same replies"].proc
                assert same is not None
                same.send_signal(signal.SIGUSR1)
                await asyncio.sleep(0.5)  # let it read them
                for label in LABELS[1:]:
                    for i in range(10):
                        await action(drivers[label], scenes[label], i, locale)
                for round_ in range(rounds):
                    order = LABELS if round_ % 2 == 0 else LABELS[::-1]
                    for label in order:
                        await measure(
                            drivers[label],
                            scenes[label],
                            bots[label],
                            action,
                            batch,
                            concurrency,
                            pair[label],
                            locale,
                        )
        finally:
            for label in bots:
                await bots[label].stop()
            for driver in drivers.values():
                await driver.stop()

    print(f"machine: {machine()}")
    print(
        f"{batch * rounds} interactions per command kind and bot ({rounds} alternating rounds "
        f"of {batch}), {concurrency} at a time, members' locale {locale}, kpops-bot's database "
        f"{'PostgreSQL' if new_postgres_database else 'SQLite'}. CPU: the bot "
        "process's own, per interaction.\n"
        "bare: a discord.py bot that only says 'ok'; same replies: one that sends kpops-bot's "
        "replies (read from a file) with no logic.\n"
        "faults: minor page faults per interaction (kpops-bot / bare / same replies); a bot that "
        "faults is paying for memory churn, and a ratio against a faulting baseline flatters.\n"
    )
    header = (
        f"{'command':32} {'rate/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} |"
        f" {'bare rate':>9} {'p50 ms':>7} {'p99 ms':>7} {'bare CPU':>8} {'rate x':>6} {'CPU x':>6} |"
        f" {'same CPU':>8} {'CPU x':>6} | {'faults':>14}"
    )
    print(header)
    print("-" * len(header))
    for name, figures in results.items():
        k, b, same = figures["kpops-bot"], figures["bare"], figures["same replies"]
        print(
            f"{name:32} {k.rate:7.0f} {percentile(k.latencies, 50) * 1000:7.2f}"
            f" {percentile(k.latencies, 99) * 1000:7.2f} {k.cpu_per * 1000:7.3f} |"
            f" {b.rate:9.0f} {percentile(b.latencies, 50) * 1000:7.2f}"
            f" {percentile(b.latencies, 99) * 1000:7.2f} {b.cpu_per * 1000:8.3f} {k.rate / b.rate:6.2f}"
            f" {k.cpu_per / max(b.cpu_per, 1e-9):6.2f} |"
            f" {same.cpu_per * 1000:8.3f} {k.cpu_per / max(same.cpu_per, 1e-9):6.2f} |"
            f" {k.faults_per:4.1f}/{b.faults_per:4.1f}/{same.faults_per:4.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--locale", default="en-US", help="the members' Discord locale (ko, en-US)")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="kpops-bot's engine: a SQLite file, or a throwaway PostgreSQL server started here",
    )
    args = parser.parse_args()
    asyncio.run(run(args.count, args.rounds, args.concurrency, args.locale, args.database))


if __name__ == "__main__":
    main()
