"""A storm of poll votes: 5,000 clicks from distinct members, as fast as the emulator can send them.

kpops-bot (``python -m bot``) and a bare discord.py bot that only acknowledges
(``benchmarks/bare_bot.py``) both run as subprocesses against the same emulator and receive the same
clicks (the same poll message, the same custom_ids, the same members). Printed for each: votes per
second, p50/p99 time to acknowledgement, the bot process's CPU time per vote (utime + stime from
/proc, all threads), the number of edits of the poll message; then the ratios.

The machine these run on is shared, and its load drifts by tens of percent within seconds. So the
two bots stay connected side by side and take turns: the storm is cut into bursts (default 500
votes), each burst sent as fast as possible to one bot and then the same-sized burst to the other,
alternating which goes first. Each pair of bursts gives a ratio measured seconds apart; the script
prints the totals and the median of the pairs' ratios.

kpops-bot acknowledges a click only after the vote's group is committed; at the end the script
stops it and checks that every one of the 5,000 acknowledged votes is in its database.

    python benchmarks/vote_storm.py [--votes 5000] [--burst 500] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import BotProcess, Scene, build_scene, machine, percentile  # noqa: E402
from bot.sandbox import Driver, Member, Message  # noqa: E402

TARGET_RATE = 0.8  # kpops-bot's votes/s at least this times the bare bot's
TARGET_CPU = 1.25  # kpops-bot's CPU per vote at most this times the bare bot's
WARM_UP = 50
EDIT_SETTLE_SECONDS = 6.5  # longer than the turnout debounce (5 s): the last edit lands


@dataclass
class Figures:
    """What one bot did over one or more bursts."""

    label: str
    votes: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    driver_cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    edits: int = 0

    @property
    def rate(self) -> float:
        return self.votes / self.seconds

    @property
    def cpu_per_vote(self) -> float:
        return self.cpu_seconds / self.votes

    def add(self, other: Figures) -> None:
        self.votes += other.votes
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds
        self.driver_cpu_seconds += other.driver_cpu_seconds
        self.latencies += other.latencies
        for text, n in other.answers.items():
            self.answers[text] = self.answers.get(text, 0) + n


class Contender:
    """A bot process and its gateway session; ``activate`` routes the emulator's events to it."""

    def __init__(self, label: str, process: BotProcess, driver: Driver) -> None:
        self.label, self.process, self.driver = label, process, driver
        self.total = Figures(label)
        self.session: object = None

    async def start(self) -> None:
        await self.process.start()
        self.session = self.driver._active  # noqa: SLF001 - the session this process identified

    def activate(self) -> None:
        # The emulator sends gateway events to one session; both processes stay connected and
        # take turns (the idle one uses no CPU).
        self.driver._active = self.session  # type: ignore[assignment] # noqa: SLF001


async def start_poll(driver: Driver, scene: Scene) -> Message:
    """Start a poll through kpops-bot (retrying while the process is still starting up)."""
    last = ""
    for _ in range(300):
        try:
            r = await driver.invoke("poll start", member=scene.moderator, channel=scene.channel)
            last = r.text
            if "Poll started" in last:
                found = [m for m in driver.channel_messages(scene.channel) if m.buttons()]
                return found[-1]
        except Exception as exc:  # noqa: BLE001 - not registered or not answering yet
            last = repr(exc)
        await asyncio.sleep(0.2)
    raise RuntimeError(f"could not start a poll: {last}")


def message_edits(driver: Driver, message: Message) -> int:
    return sum(
        1
        for r in driver.requests
        if r.method == "PATCH" and r.path.endswith(f"/messages/{message.id}") and r.status < 300
    )


async def burst(
    driver: Driver, bot: Contender, message: Message, members: list[Member], concurrency: int
) -> Figures:
    """Every member clicks once (alternating sides), ``concurrency`` clicks in flight at a time."""
    bot.activate()
    buttons = [b["custom_id"] for b in message.buttons()]
    figures = Figures(bot.label, votes=len(members))
    pending = list(enumerate(members))
    pending.reverse()

    async def worker() -> None:
        while pending:
            i, member = pending.pop()
            r = await driver.click(message, member=member, custom_id=buttons[i % 2], settle=False)
            assert r.acked_at is not None
            figures.latencies.append(r.acked_at - r.created)
            text = r.text.split(":", 1)[0] if r.response_type == 4 else f"type {r.response_type}"
            figures.answers[text] = figures.answers.get(text, 0) + 1

    cpu0, wall0, driver0 = bot.process.cpu_seconds(), time.monotonic(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    figures.seconds = time.monotonic() - wall0
    figures.cpu_seconds = bot.process.cpu_seconds() - cpu0
    figures.driver_cpu_seconds = time.process_time() - driver0
    # The emulator finds an interaction by scanning all it has seen: keep only the last two
    # bursts' worth, so later bursts are not slowed by earlier ones (and kpops-bot's recent
    # tokens, which its turnout edits use, stay known).
    keep = list(driver.interactions.items())[-2 * len(members) - WARM_UP :]
    driver.interactions.clear()
    driver.interactions.update(keep)
    return figures


def stored_voters(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        return {int(r[0]) for r in conn.execute("SELECT user_id FROM poll_votes")}


def row(f: Figures) -> str:
    return (
        f"{f.label:10} {f.rate:9.1f} {percentile(f.latencies, 50) * 1000:9.2f} "
        f"{percentile(f.latencies, 99) * 1000:9.2f} {f.cpu_per_vote * 1000:11.3f} {f.edits:6d}"
        f" {f.driver_cpu_seconds / f.seconds * 100:8.0f}%"
    )


async def run(votes: int, burst_size: int, concurrency: int) -> None:
    driver = Driver()
    await driver.start()
    scene = build_scene(driver, members=WARM_UP + votes, channels=1)
    warm, voters = scene.members[:WARM_UP], scene.members[WARM_UP:]
    pairs: list[tuple[Figures, Figures]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kpops.sqlite3"
        kpops = Contender("kpops-bot", BotProcess(driver, db), driver)
        bare = Contender("bare", BotProcess(driver, Path(tmp) / "bare.sqlite3", bare=True), driver)
        try:
            await kpops.start()
            message = await start_poll(driver, scene)
            await burst(driver, kpops, message, warm, concurrency)
            await bare.start()
            await bare.process.wait_ready(
                lambda: driver.click(message, member=warm[0], custom_id="probe")
            )
            await burst(driver, bare, message, warm, concurrency)
            edits_before = message_edits(driver, message)
            for n, start in enumerate(range(0, votes, burst_size)):
                members = voters[start : start + burst_size]
                order = (kpops, bare) if n % 2 == 0 else (bare, kpops)
                done = {
                    c.label: await burst(driver, c, message, members, concurrency) for c in order
                }
                pairs.append((done["kpops-bot"], done["bare"]))
                kpops.total.add(done["kpops-bot"])
                bare.total.add(done["bare"])
            kpops.activate()
            await asyncio.sleep(EDIT_SETTLE_SECONDS)
            kpops.total.edits = message_edits(driver, message) - edits_before
        finally:
            await bare.process.stop()
            await kpops.process.stop()
            await driver.stop()
        confirmed = sum(n for text, n in kpops.total.answers.items() if "Your vote is in" in text)
        missing = {m.id for m in voters} - stored_voters(db)
    if missing or confirmed != votes:
        raise SystemExit(
            f"durability check failed: {len(missing)} acknowledged votes missing, "
            f"{confirmed}/{votes} confirmations ({kpops.total.answers})"
        )

    print(f"machine: {machine()}")
    print(
        f"{votes} votes from distinct members per bot, in bursts of {burst_size} alternating "
        f"between the bots, {concurrency} clicks in flight\n"
    )
    header = (
        f"{'bot':10} {'votes/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'CPU ms/vote':>11} {'edits':>6}"
        f" {'emulator':>9}"
    )
    print(header)
    print("-" * len(header))
    print(row(kpops.total))
    print(row(bare.total))
    rate = kpops.total.rate / bare.total.rate
    # CPU time moves in 10 ms ticks: a small burst can read as none at all (no ratio then).
    cpu = kpops.total.cpu_per_vote / (bare.total.cpu_per_vote or float("nan"))
    print(
        f"\ntotals: rate {rate:.2f}x (target >= {TARGET_RATE}), CPU per vote {cpu:.2f}x (target <= {TARGET_CPU})"
    )
    rate_pairs = [ours.rate / theirs.rate for ours, theirs in pairs]
    cpu_pairs = [
        ours.cpu_per_vote / theirs.cpu_per_vote for ours, theirs in pairs if theirs.cpu_per_vote
    ]
    print(
        "burst pairs: rate "
        + " ".join(f"{r:.2f}" for r in rate_pairs)
        + f" (median {statistics.median(rate_pairs):.2f}x); CPU "
        + " ".join(f"{c:.2f}" for c in cpu_pairs)
        + (f" (median {statistics.median(cpu_pairs):.2f}x)" if cpu_pairs else " (too few ticks)")
    )
    verdict = "meets" if rate >= TARGET_RATE and cpu <= TARGET_CPU else "MISSES"
    print(f"{verdict} the targets on the totals")
    print(f"all {votes} acknowledged votes were in kpops-bot's database afterwards")
    print(
        "emulator = the driver process's CPU use during the bursts (100% = one core busy); "
        "near 100%, the emulator, not the bot, sets the pace"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=5000)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.votes, args.burst, args.concurrency))


if __name__ == "__main__":
    main()
