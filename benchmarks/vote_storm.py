"""A storm of poll votes: 5,000 clicks from distinct members, as fast as the emulator can send them.

kpops-bot (``python -m bot``) and a bare discord.py bot that only acknowledges
(``benchmarks/bare_bot.py``) run one after the other as subprocesses against the same emulator, and
receive byte-for-byte the same kind of click (the same poll message, the same custom_ids). Printed
for each: votes per second, p50/p99 time to acknowledgement, the bot process's CPU time per vote
(utime + stime from /proc), the number of edits of the poll message; then the ratios.

kpops-bot acknowledges a click only after the vote's group is committed; at the end the script
reads the database and checks that every acknowledged vote is there.

    python benchmarks/vote_storm.py [--votes 5000] [--concurrency 100] [--rounds 1]
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


@dataclass
class Figures:
    label: str
    votes: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    edits: int
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.votes / self.seconds

    @property
    def cpu_per_vote(self) -> float:
        return self.cpu_seconds / self.votes


def poll_message(driver: Driver, scene: Scene) -> Message:
    found = [m for m in driver.channel_messages(scene.channel) if m.buttons()]
    if not found:
        raise RuntimeError("no poll message in the channel")
    return found[-1]


async def start_poll(driver: Driver, scene: Scene) -> Message:
    """Start a poll through kpops-bot (retrying while the process is still starting up)."""
    last = ""
    for _ in range(300):
        try:
            r = await driver.invoke("poll start", member=scene.moderator, channel=scene.channel)
            last = r.text
            if "Poll started" in last:
                return poll_message(driver, scene)
        except Exception as exc:  # noqa: BLE001 - not registered or not answering yet
            last = repr(exc)
        await asyncio.sleep(0.2)
    raise RuntimeError(f"could not start a poll: {last}")


def message_edits(driver: Driver, message: Message) -> int:
    return sum(
        1
        for r in driver.requests
        if r.method == "PATCH" and r.path.endswith(f"/messages/{message.id}")
    )


async def storm(
    driver: Driver,
    bot: BotProcess,
    message: Message,
    members: list[Member],
    concurrency: int,
    label: str,
) -> Figures:
    """Every member clicks once (alternating sides), ``concurrency`` clicks in flight at a time."""
    buttons = [b["custom_id"] for b in message.buttons()]
    latencies: list[float] = []
    answers: dict[str, int] = {}
    pending = list(enumerate(members))
    pending.reverse()

    async def worker() -> None:
        while pending:
            i, member = pending.pop()
            r = await driver.click(message, member=member, custom_id=buttons[i % 2], settle=False)
            assert r.acked_at is not None
            latencies.append(r.acked_at - r.created)
            text = r.text.split(":", 1)[0] if r.response_type == 4 else f"type {r.response_type}"
            answers[text] = answers.get(text, 0) + 1

    edits_before = message_edits(driver, message)
    cpu0, wall0 = bot.cpu_seconds(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds, cpu = time.monotonic() - wall0, bot.cpu_seconds() - cpu0
    # Edits still pending from the debounce belong to this storm: give them their interval.
    await asyncio.sleep(6.5 if label == "kpops-bot" else 0)
    # The emulator finds an interaction by scanning all it has seen: start each storm from an
    # empty list so the bot measured later is not slowed by the earlier one's interactions.
    driver.interactions.clear()
    return Figures(
        label,
        len(members),
        seconds,
        latencies,
        cpu,
        message_edits(driver, message) - edits_before,
        answers,
    )


def stored_voters(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        return {int(r[0]) for r in conn.execute("SELECT user_id FROM poll_votes")}


async def one_round(
    driver: Driver, scene: Scene, tmp: Path, votes: int, concurrency: int, round_no: int
) -> tuple[Figures, Figures]:
    warm, voters = scene.members[:WARM_UP], scene.members[WARM_UP : WARM_UP + votes]
    db = tmp / f"round{round_no}.sqlite3"

    kpops = BotProcess(driver, db)
    await kpops.start()
    try:
        message = await start_poll(driver, scene)
        await storm(driver, kpops, message, warm, concurrency, "warm-up")
        ours = await storm(driver, kpops, message, voters, concurrency, "kpops-bot")
        acknowledged_ok = ours.answers.get(
            "✅ Your vote is in for **K-pop**", 0
        ) + ours.answers.get("✅ Your vote is in for **Classic**", 0)
    finally:
        await kpops.stop()
    stored = stored_voters(db)
    missing = {m.id for m in voters} - stored
    if missing or acknowledged_ok != votes:
        raise SystemExit(
            f"durability check failed: {len(missing)} acknowledged votes missing, "
            f"{acknowledged_ok}/{votes} confirmations ({ours.answers})"
        )

    bare = BotProcess(driver, tmp / "bare.sqlite3", bare=True)
    await bare.start()
    try:
        await bare.wait_ready(lambda: driver.click(message, member=warm[0], custom_id="probe"))
        await storm(driver, bare, message, warm, concurrency, "warm-up")
        theirs = await storm(driver, bare, message, voters, concurrency, "bare")
    finally:
        await bare.stop()
    return ours, theirs


def row(f: Figures) -> str:
    return (
        f"{f.label:10} {f.rate:9.1f} {percentile(f.latencies, 50) * 1000:9.2f} "
        f"{percentile(f.latencies, 99) * 1000:9.2f} {f.cpu_per_vote * 1000:10.3f} {f.edits:6d}"
    )


async def run(votes: int, concurrency: int, rounds: int) -> None:
    driver = Driver()
    await driver.start()
    scene = build_scene(driver, members=WARM_UP + votes, channels=1)
    pairs: list[tuple[Figures, Figures]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for round_no in range(rounds):
                pairs.append(
                    await one_round(driver, scene, Path(tmp), votes, concurrency, round_no)
                )
    finally:
        await driver.stop()

    print(f"machine: {machine()}")
    print(
        f"{votes} votes from distinct members per bot and round, {concurrency} clicks in flight\n"
    )
    header = (
        f"{'bot':10} {'votes/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'CPU ms/vote':>10} {'edits':>6}"
    )
    print(header)
    print("-" * len(header))
    rate_ratios, cpu_ratios = [], []
    for round_no, (ours, theirs) in enumerate(pairs, 1):
        if rounds > 1:
            print(f"round {round_no}")
        print(row(ours))
        print(row(theirs))
        rate_ratios.append(ours.rate / theirs.rate)
        cpu_ratios.append(ours.cpu_per_vote / theirs.cpu_per_vote)
        print(
            f"ratios: rate {rate_ratios[-1]:.2f}x (target >= {TARGET_RATE}), "
            f"CPU per vote {cpu_ratios[-1]:.2f}x (target <= {TARGET_CPU})\n"
        )
    rate, cpu = statistics.median(rate_ratios), statistics.median(cpu_ratios)
    verdict = "meets" if rate >= TARGET_RATE and cpu <= TARGET_CPU else "MISSES"
    print(f"median over {rounds} round(s): rate {rate:.2f}x, CPU {cpu:.2f}x: {verdict} the targets")
    print("every acknowledged vote was found in the database after each kpops-bot run")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.votes, args.concurrency, args.rounds))


if __name__ == "__main__":
    main()
