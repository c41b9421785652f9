"""CPU per interaction of bots from different checkouts, side by side against the same emulator.

``interactions.py`` compares kpops-bot with bare bots of the same checkout, each checkout with its
own emulator and script. To tell a change in the bot from a change in the harness, this runs the
bots of several checkouts (an older commit checked out with ``git worktree add``, say) against
this checkout's emulator and scenarios, taking turns batch by batch as ``interactions.py`` does.
The last bot given is the baseline every other is divided by.

    git worktree add --detach /tmp/kpops-old 2ae1101
    python -m benchmarks.checkouts --bot . --bot /tmp/kpops-old --bot bare:/tmp/kpops-old --bot bare:.

A bot is ``[pg:|bare:|bare+:]PATH``: ``PATH``'s kpops-bot on a SQLite file, ``pg:PATH`` on a
throwaway PostgreSQL database, ``bare:PATH`` that checkout's bare bot (``bare_bot.py``), and
``bare+:PATH`` the same bare bot with that checkout's kpops-bot modules loaded and unused
(``BARE_LOAD_PROJECT=1``; the bare bots before 2026-12-03 imported some of them).
Every command kind of ``interactions.py`` is run (``--kinds`` picks some by name).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import BotProcess, Scene, build_scene, machine, postgres_databases
from benchmarks.interactions import SCENARIOS, Figures, measure, prepare
from bot.sandbox import Driver


@dataclass(frozen=True)
class Spec:
    """One bot to run: which checkout, and as what."""

    root: Path
    bare: bool = False
    postgres: bool = False
    loads_project: bool = False  # a bare bot with kpops-bot's modules in its heap

    @classmethod
    def parse(cls, text: str) -> Spec:
        kind, _, path = text.rpartition(":")
        if kind not in ("", "pg", "bare", "bare+"):
            raise argparse.ArgumentTypeError(f"{text!r}: expected [pg:|bare:|bare+:]PATH")
        root = Path(path).resolve()
        if not (root / "bot").is_dir():
            raise argparse.ArgumentTypeError(f"{root} holds no kpops-bot checkout")
        bare = kind.startswith("bare")
        return cls(root, bare=bare, postgres=kind == "pg", loads_project=kind == "bare+")

    def __str__(self) -> str:
        prefix = "bare+:" if self.loads_project else "bare:" if self.bare else ""
        prefix = prefix or ("pg:" if self.postgres else "")
        return prefix + self.root.name


async def run(specs: list[Spec], kinds: list[str], count: int, rounds: int) -> None:
    scenarios = [(name, action) for name, action in SCENARIOS if not kinds or name in kinds]
    figures: dict[tuple[str, int], Figures] = {}
    async with AsyncExitStack() as stack:
        new_database: Callable[[str], Awaitable[str]] | None = None
        if any(spec.postgres for spec in specs):
            new_database = await stack.enter_async_context(postgres_databases())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        drivers: list[Driver] = []
        scenes: list[Scene] = []
        bots: list[BotProcess] = []
        try:
            kpops = next((n for n, spec in enumerate(specs) if not spec.bare), None)
            if kpops is None:
                raise SystemExit("give at least one kpops-bot (a bot that is not bare:)")
            # kpops-bot first: the bare bots answer the commands it registers. order[i]: the spec
            # of the i-th bot started.
            order = sorted(range(len(specs)), key=lambda n: n != kpops)
            for n in order:
                spec, driver = specs[n], Driver()
                await driver.start()
                drivers.append(driver)
                scene = build_scene(driver)
                if spec.bare:
                    driver.global_commands = drivers[0].global_commands
                db: Path | str = tmp / f"{n}.sqlite3"
                if spec.postgres and new_database is not None:
                    db = await new_database(f"bench_checkouts_{n}")
                env = {"BARE_LOAD_PROJECT": "1"} if spec.loads_project else None
                bot = BotProcess(driver, db, bare=spec.bare, root=spec.root, env=env)
                bots.append(bot)
                await bot.start()
                await bot.wait_ready(
                    lambda d=driver, s=scene: d.invoke(
                        "help", member=s.members[0], channel=s.channel
                    )
                )
                if not spec.bare:
                    await prepare(driver, scene)
                scenes.append(scene)
            for name, action in scenarios:
                for i in range(len(specs)):
                    for warm in range(10):
                        await action(drivers[i], scenes[i], warm, "en-US")
                for round_ in range(rounds):
                    turn = range(len(specs)) if round_ % 2 == 0 else reversed(range(len(specs)))
                    for i in turn:
                        into = figures.setdefault((name, order[i]), Figures())
                        await measure(drivers[i], scenes[i], bots[i], action, count, 4, into)
        finally:
            for bot in bots:
                await bot.stop()
            for driver in drivers:
                await driver.stop()

    print(f"machine: {machine()}")
    print(
        f"{count * rounds} interactions per command kind and bot ({rounds} alternating rounds of "
        f"{count}, 4 at a time), against this checkout's emulator. CPU: the bot process's own, "
        "per interaction; faults: minor page faults per interaction; x: CPU over the last bot's.\n"
    )
    names = [str(spec) for spec in specs]
    header = f"{'command':32} " + " ".join(f"{n[-14:]:>14}" for n in names)
    print(header + " | faults per interaction")
    print("-" * (len(header) + 25))
    for name, _ in scenarios:
        cpu = [figures[(name, n)].cpu_per * 1000 for n in range(len(specs))]
        ratios = [f"{ms:6.3f} {ms / max(cpu[-1], 1e-9):5.2f}x" for ms in cpu[:-1]]
        faults = [figures[(name, n)].faults_per for n in range(len(specs))]
        print(
            f"{name:32} "
            + " ".join(f"{r:>14}" for r in ratios)
            + f" {cpu[-1]:12.3f} ms | "
            + " ".join(f"{f:4.1f}" for f in faults)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bot", type=Spec.parse, action="append", required=True)
    parser.add_argument("--kinds", nargs="*", default=[], help="command kinds by name")
    parser.add_argument("--count", type=int, default=200, help="interactions per batch")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if len(args.bot) < 2:
        parser.error("give at least two bots; the last is the baseline")
    asyncio.run(run(args.bot, args.kinds, args.count, args.rounds))


if __name__ == "__main__":
    main()
