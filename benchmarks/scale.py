"""Many servers over 1, 2 and 4 bot processes: interactions per second and memory per process.

One emulator per layout, each holding the same number of servers (10,000 by default) over 4
gateway shards; real ``python -m bot`` processes hold the shards (``SHARD_IDS`` 0-3; 0-1 and
2-3; or one each), each layout on its own fresh database on one throwaway PostgreSQL server
(several processes need a database all of them can write). All layouts run at once and are
measured in alternating rounds, so each sees the same machine: a round sends interactions to
random servers for a fixed time, a fixed number in flight, and reads each bot process's CPU time
and RSS from /proc. The load generator and the emulators run in this process and take CPU too:
it is printed, so the figures can be read for a machine with more cores.

    python -m benchmarks.scale [--servers 10000] [--processes 1 2 4] [--seconds 15] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._common import CLK_TCK, machine, postgres_databases
from benchmarks.shards import LAYOUTS, OUR_SETTINGS, SHARD_COUNT
from bot.sandbox import Channel, Driver, Member
from bot.sandbox.driver import CommandUsageError
from bot.sandbox.interactions import InteractionError
from bot.sandbox.server import shard_of

ROOT = Path(__file__).resolve().parent.parent
# Commands any member may run, touching the database, the content and the renderer.
COMMANDS = ("help", "film about", "film fact", "quote random", "poll standings")


@dataclass
class Server:
    channel: Channel
    member: Member
    shard: int


@dataclass
class Layout:
    processes: int
    driver: Driver
    servers: list[Server]
    procs: list[asyncio.subprocess.Process] = field(default_factory=list)
    answered: int = 0
    seconds: float = 0.0
    cpu: list[float] = field(default_factory=list)  # per bot process, over the measured rounds
    rss: list[float] = field(default_factory=list)  # MiB per bot process, after the last round
    generator_cpu: float = 0.0  # this process (load generator and emulators) while measured

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else float("nan")


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_servers(driver: Driver, count: int) -> list[Server]:
    servers = []
    for i in range(count):
        guild = driver.add_guild(f"Fans {i}", channels=("general",))
        channel = next(iter(guild.channels.values()))
        member = driver.add_member(guild, "fan")
        servers.append(Server(channel, member, shard_of(guild.id, SHARD_COUNT)))
    return servers


async def start_layout(layout: Layout, database_url: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in OUR_SETTINGS}
    env.update(layout.driver.env(), PYTHONPATH=str(ROOT), DATABASE_URL=database_url)
    env.update(SHARD_COUNT=str(SHARD_COUNT), LOG_LEVEL="WARNING")
    for shard_ids in LAYOUTS[layout.processes]:
        layout.procs.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                env={**env, "SHARD_IDS": shard_ids},
                cwd=cwd,
                stdout=asyncio.subprocess.DEVNULL,
            )
        )
    layout.cpu = [0.0] * len(layout.procs)


async def wait_ready(layout: Layout, timeout: float = 300) -> None:
    """Ready once a server of every shard has had a command answered."""
    firsts = {s.shard: s for s in reversed(layout.servers)}
    deadline = time.monotonic() + timeout
    for server in firsts.values():
        while True:
            if any(p.returncode is not None for p in layout.procs):
                raise RuntimeError(f"a bot process of the {layout.processes}-process layout died")
            try:
                await layout.driver.invoke("help", member=server.member, channel=server.channel)
                break
            except (InteractionError, CommandUsageError, TimeoutError, RuntimeError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{layout.processes} processes never got ready") from None
                await asyncio.sleep(0.5)


async def measure(layout: Layout, seconds: float, concurrency: int, rng: random.Random) -> None:
    """Interactions to random servers for ``seconds``, ``concurrency`` in flight."""
    before = [proc_cpu(p.pid) for p in layout.procs]
    own_before = time.process_time()
    stop = time.monotonic() + seconds
    answered = 0

    async def worker() -> None:
        nonlocal answered
        while time.monotonic() < stop:
            server = rng.choice(layout.servers)
            command = rng.choice(COMMANDS)
            await layout.driver.invoke(command, member=server.member, channel=server.channel)
            answered += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    layout.seconds += time.monotonic() - started
    layout.answered += answered
    layout.generator_cpu += time.process_time() - own_before
    for n, proc in enumerate(layout.procs):
        layout.cpu[n] += proc_cpu(proc.pid) - before[n]
    layout.rss = [proc_rss_mib(p.pid) for p in layout.procs]


async def stop_layout(layout: Layout) -> None:
    for proc in layout.procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    for proc in layout.procs:
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    await layout.driver.stop()


async def run(
    servers: int, processes: list[int], seconds: float, rounds: int, concurrency: int
) -> list[Layout]:
    rng = random.Random(18)
    layouts: list[Layout] = []
    async with postgres_databases() as new_database:
        try:
            for n in processes:
                driver = Driver()
                await driver.start()
                layout = Layout(n, driver, build_servers(driver, servers))
                layouts.append(layout)
                url = await new_database(f"bench_scale_{n}p")
                await start_layout(layout, url, ROOT)
            for layout in layouts:
                await wait_ready(layout)
            for layout in layouts:  # warm-up: first reads fill the caches
                await measure(layout, 2, concurrency, rng)
                layout.answered, layout.seconds, layout.generator_cpu = 0, 0.0, 0.0
                layout.cpu = [0.0] * len(layout.procs)
            for round_no in range(rounds):
                for layout in layouts if round_no % 2 == 0 else layouts[::-1]:
                    await measure(layout, seconds, concurrency, rng)
        finally:
            for layout in layouts:
                await stop_layout(layout)
    return layouts


def report(layouts: list[Layout], servers: int) -> None:
    base = layouts[0]
    print(
        "processes | interactions/s | x first layout | servers/process | RSS MiB per process"
        " | RSS MiB all | bot CPU ms per interaction | busiest process CPU share"
        " | load generator + emulator CPU share"
    )
    for layout in layouts:
        per_interaction = sum(layout.cpu) / max(layout.answered, 1) * 1000
        busiest = max(layout.cpu) / layout.seconds if layout.seconds else float("nan")
        print(
            f"{layout.processes} | {layout.rate:.0f} | {layout.rate / base.rate:.2f}x | "
            f"{servers // layout.processes} | {', '.join(f'{r:.0f}' for r in layout.rss)} | "
            f"{sum(layout.rss):.0f} | {per_interaction:.2f} | {busiest:.0%} | "
            f"{layout.generator_cpu / layout.seconds:.0%}"
        )
    # Memory that grows with servers: the slope between the process holding every server and
    # the processes of the widest layout (each holding a share), per 1,000 servers.
    widest = max(layouts, key=lambda lay: lay.processes)
    if widest.processes > base.processes:
        held = servers / widest.processes
        small = sum(widest.rss) / len(widest.rss)
        slope = (sum(base.rss) / len(base.rss) - small) / ((servers / base.processes - held) / 1000)
        print(
            f"RSS per 1,000 servers: {slope:.1f} MiB (fixed part per process ~{small - slope * held / 1000:.0f} MiB)"
        )


async def main(args: argparse.Namespace) -> None:
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {machine()}{load}")
    print(
        f"{args.servers} servers over {SHARD_COUNT} shards per layout, PostgreSQL; {args.rounds} "
        f"alternating rounds of {args.seconds:.0f} s per layout, {args.concurrency} interactions "
        f"in flight; commands: {', '.join('/' + c for c in COMMANDS)}",
        flush=True,
    )
    layouts = await run(args.servers, args.processes, args.seconds, args.rounds, args.concurrency)
    report(layouts, args.servers)


def cli() -> None:
    parser = argparse.ArgumentParser(description="Servers over 1, 2 and 4 bot processes.")
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument(
        "--processes", type=int, nargs="+", choices=sorted(LAYOUTS), default=[1, 2, 4]
    )
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
