"""Faults, through the emulator: a dropped gateway, 429s on the message routes, a database locked
by another process, and kill -9 in the middle of a vote storm (ten times in a row).

Each test drives the real bot as Discord would and checks that nothing acknowledged is lost, that
the daily post goes out exactly once, and that whoever hits the fault gets a clean answer in time
(the emulator records any late or double acknowledgement as a violation).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver, InteractionResult, Member, Message
from bot.sandbox.harness import running_bot
from bot.scheduler import SENT
from bot.storage import Database
from bot.storage.config import ConfigStore, DailyPostStore
from bot.storage.database import BUSY_TIMEOUT_MS
from cogs.poll import batcher as poll_runtime
from cogs.poll.store import PollStore
from tests.bot.test_scheduler import configure, scheduler_of
from tests.cogs.poll.test_cog import (
    fast_timers,  # noqa: F401 - autouse: the poll's real-time intervals shrunk for tests
    poll_id_of,
    start_bot_process,
    start_poll,
    store,
    until,
    vote,
)
from tests.conftest import World
from tests.test_process import kill_if_running

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def daily_posts(driver: Driver, world: World) -> list[Message]:
    """The quote-of-the-day posts in the daily channel."""
    return [
        m
        for m in driver.channel_messages(world.daily)
        if m.embeds and "Quote of the day" in (m.embeds[0].get("title") or "")
    ]


async def expect_one_daily_post(bot: KpopsBot, driver: Driver, world: World) -> None:
    """Exactly one quote of the day went out today, the ledger points at it, and later runs of
    the scheduler (the minute loop) post nothing more."""
    for _ in range(3):
        assert await scheduler_of(bot).run_due() == []
    posts = daily_posts(driver, world)
    assert len(posts) == 1, [m.text()[:80] for m in posts]
    record = await DailyPostStore(bot.db).get(world.guild.id, "quote", TODAY)
    assert record is not None and record.status == SENT and record.message_id == posts[0].id
    assert posts[0].pings == []


# ---------------------------------------------------------------------- the gateway drops
async def test_gateway_drop_resumes_and_carries_on(
    bot: KpopsBot,
    driver: Driver,
    world: World,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await configure(driver, world, at="09:00")
    _, poll_message = await start_poll(driver, world)

    # Hold the bot's RESUME for a moment, so that the blip lasts long enough to act inside it.
    released = asyncio.Event()
    resume = driver._resume

    async def held_resume(*args: Any) -> Any:
        await released.wait()
        return await resume(*args)

    monkeypatch.setattr(driver, "_resume", held_resume)
    await driver.drop_gateway()
    assert not driver.connected

    # During the blip: the daily post falls due (REST still works), and a member clicks a vote
    # button (Discord keeps the event for the resumed session).
    clock.set(NINE)
    outcomes = await scheduler_of(bot).run_due()
    assert [(o.feature, o.status) for o in outcomes] == [("quote", SENT)]
    click = await vote(driver, poll_message, world.fan, "kpop", wait=False)
    assert not driver.connected and not click.acknowledged

    released.set()
    await until(lambda: driver.connected and driver.resumes == 1, timeout=5)
    await click.settled()
    assert "Your vote is in" in click.text
    assert driver.identifies == 1, "the bot identified again instead of resuming"

    # And carries on: a command, a button click, no second daily post.
    today = await driver.invoke("quote today", member=world.owner, channel=world.general)
    assert today.message.embeds and today.message.pings == []
    moved = await vote(driver, poll_message, world.fan, "classic")
    assert "moved" in moved.text
    second = await vote(driver, poll_message, world.owner, "kpop")
    assert "Your vote is in" in second.text
    tally = await store(bot).tally(poll_id_of(poll_message))
    assert (tally.kpop, tally.classic) == (1, 1)
    await expect_one_daily_post(bot, driver, world)


# ---------------------------------------------------------------------- 429s for a while
async def test_429s_on_message_routes_lose_nothing(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await configure(driver, world, at="09:00")
    _, poll_message = await start_poll(driver, world)
    pid = poll_id_of(poll_message)
    voters = [driver.add_member(world.guild, f"voter{i}") for i in range(40)]
    sides = ["kpop" if i % 4 else "classic" for i in range(len(voters))]

    # Discord answers 429 to every channel post and every message edit for two seconds.
    posting = driver.fail("POST", r"/channels/\d+/messages", status=429, seconds=2, retry_after=0.5)
    editing = driver.fail("PATCH", r"/messages/", status=429, seconds=2, retry_after=0.5)
    started = time.monotonic()

    clock.set(NINE)
    daily = asyncio.create_task(scheduler_of(bot).run_due())
    clicks: list[InteractionResult] = []
    for member, side in zip(voters, sides, strict=True):
        clicks.append(await vote(driver, poll_message, member, side, wait=False))
        await asyncio.sleep(0.01)
    second_poll = await driver.invoke(
        "poll start", member=world.moderator, channel=world.daily, wait=False
    )
    await asyncio.gather(*(c.settled() for c in clicks))
    outcomes = await daily
    await second_poll.settled(timeout=10)

    assert posting.hits >= 2 and editing.hits >= 1, (posting.hits, editing.hits)
    assert time.monotonic() - started >= 2.0  # the bot waited the 429s out
    # The daily post: once, after the 429s.
    assert [(o.feature, o.status) for o in outcomes] == [("quote", SENT)]
    await expect_one_daily_post(bot, driver, world)
    # Every vote acknowledged and counted; the live turnout catches up once Discord accepts edits.
    assert all("Your vote is in" in c.text for c in clicks)
    tally = await store(bot).tally(pid)
    assert (tally.kpop, tally.classic) == (sides.count("kpop"), sides.count("classic"))
    await driver.wait_for_message(
        lambda m: m.id == poll_message.id and f"{len(voters)} votes so far" in m.text()
    )
    # The poll started during the 429s was posted once, and its moderator told so.
    assert "Poll started in" in second_poll.text, second_poll.text
    assert len([m for m in driver.channel_messages(world.daily) if m.buttons()]) == 1


async def test_429s_outlasting_discord_py_retries_do_not_cost_the_day(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    """discord.py gives up after five tries; a 429 means Discord did not take the post, so the
    scheduler must try again at the next minute rather than record the day as failed."""
    await configure(driver, world, at="09:00")
    storm = driver.fail("POST", r"/channels/\d+/messages", status=429, seconds=3, retry_after=0.5)
    clock.set(NINE)
    assert await scheduler_of(bot).run_due() == []  # gave up for now: neither sent nor failed
    assert storm.hits == 5 and daily_posts(driver, world) == []
    ledger = DailyPostStore(bot.db)
    assert await ledger.get(world.guild.id, "quote", TODAY) is None  # the claim was given back

    await until(lambda: not storm.active(), timeout=5)
    clock.advance(minutes=1)
    outcomes = await scheduler_of(bot).run_due()
    assert [(o.feature, o.status) for o in outcomes] == [("quote", SENT)]
    await expect_one_daily_post(bot, driver, world)
    assert not await ledger.release_claim(world.guild.id, "quote", TODAY)  # a sent day stays


# ---------------------------------------------------------------------- the database is locked
@contextmanager
def locked_database(path: Path, seconds: float) -> Iterator[threading.Event]:
    """Another process's write transaction: ``BEGIN EXCLUSIVE`` on the same SQLite file, held for
    ``seconds`` in a thread (the stdlib driver, as a backup script or an admin's shell would)."""
    taken, failure = threading.Event(), []

    def hold() -> None:
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=0)
            try:
                conn.execute("BEGIN EXCLUSIVE")
                taken.set()
                time.sleep(seconds)
                conn.execute("ROLLBACK")
            finally:
                conn.close()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            failure.append(exc)
            taken.set()

    thread = threading.Thread(target=hold, name="exclusive-lock", daemon=True)
    thread.start()
    try:
        assert taken.wait(5) and not failure, failure
        yield taken
    finally:
        thread.join()
    assert not failure, failure


async def poll_enabled(bot: KpopsBot, world: World) -> bool:
    return (await ConfigStore(bot.db).feature(world.guild.id, "poll")).enabled


BUSY_SECONDS = BUSY_TIMEOUT_MS / 1000


@pytest.mark.sqlite_only  # another process's lock on the SQLite file
async def test_a_briefly_locked_database_is_waited_for(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path
) -> None:
    _, poll_message = await start_poll(driver, world)
    hold = BUSY_SECONDS / 2
    with locked_database(db_path, hold):
        started = time.monotonic()
        reads = await driver.invoke("poll results", member=world.fan, channel=world.general)
        assert "0 votes" in reads.text  # readers are not blocked (WAL)
        click = await vote(driver, poll_message, world.fan, "kpop", wait=False)
        toggled = await driver.invoke(
            "config toggle",
            {"feature": "quote", "enabled": False},
            member=world.moderator,
            channel=world.general,
        )
        waited = time.monotonic() - started
    await click.settled()
    assert "Your vote is in" in click.text
    assert "is now off" in toggled.text and toggled.ephemeral
    assert waited >= hold * 0.9  # the write really waited for the lock, then went through
    config = await ConfigStore(bot.db).feature(world.guild.id, "quote")
    assert not config.enabled
    assert await store(bot).vote_of(poll_id_of(poll_message), world.fan.id) == "kpop"


@pytest.mark.sqlite_only  # another process's lock on the SQLite file
async def test_a_database_locked_past_the_busy_timeout_fails_that_request_cleanly(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path
) -> None:
    _, poll_message = await start_poll(driver, world)
    # Held past two busy timeouts: the command, then the vote, each wait one out and give up.
    with locked_database(db_path, 2 * BUSY_SECONDS + 1.5):
        toggled = await driver.invoke(
            "config toggle",
            {"feature": "poll", "enabled": False},
            member=world.moderator,
            channel=world.general,
        )
        click = await vote(driver, poll_message, world.fan, "kpop", settle=False)
        await click.settled(timeout=BUSY_SECONDS + 3)
    for reply in (toggled, click):
        assert reply.ephemeral and "something went wrong" in reply.text, reply.text
        assert "Traceback" not in reply.text and "locked" not in reply.text
    assert await poll_enabled(bot, world)  # nothing changed
    assert await store(bot).vote_of(poll_id_of(poll_message), world.fan.id) is None

    # The bot keeps working once the lock is gone.
    toggled = await driver.invoke(
        "config toggle",
        {"feature": "poll", "enabled": False},
        member=world.moderator,
        channel=world.general,
    )
    assert "is now off" in toggled.text and not await poll_enabled(bot, world)
    click = await vote(driver, poll_message, world.fan, "kpop")
    assert "Your vote is in" in click.text


# ---------------------------------------------------------------------- kill -9, ten times
KILL_ROUNDS = 10
STORM_VOTERS = 240  # members who may vote; each round a random 150 of them click
CLICKS_PER_ROUND = 150
CONFIRMED = ("Your vote is in", "moved", "already voted")


def confirmed_side(click: InteractionResult, side: str) -> str | None:
    """The side a click's reply promised is stored, or None if nothing was promised (no answer,
    or only a 'thinking' acknowledgement whose confirmation never came)."""
    if not click.acknowledged:
        return None
    replies = [m for m in click.messages if not m.loading]
    if not replies:
        return None
    text = replies[0].text()
    assert any(phrase in text for phrase in CONFIRMED), text
    return side


async def stored_sides(db_path: Path, poll_id: int) -> tuple[dict[int, str], tuple[int, int]]:
    """Every stored vote (member -> side) and the store's own tally, read from the file."""
    db = await Database.open(db_path)
    try:
        rows = await db.fetchall(
            "SELECT user_id, side FROM poll_votes WHERE poll_id = ?", (poll_id,)
        )
        tally = await PollStore(db).tally(poll_id)
    finally:
        await db.close()
    return {int(r["user_id"]): str(r["side"]) for r in rows}, (tally.kpop, tally.classic)


async def storm_then_kill(
    driver: Driver,
    db: Path,
    cwd: Path,
    message: Message,
    voters: list[Member],
    rng: random.Random,
) -> list[tuple[InteractionResult, str]]:
    """Start ``python -m bot``, let ``voters`` click a random side each, concurrently, and
    SIGKILL the process once a random number of the clicks has been answered."""
    before = driver.identifies
    proc = await start_bot_process(driver, db, cwd)
    clicks: list[tuple[InteractionResult, str]] = []
    kill_after = rng.randint(10, len(voters) - 40)

    async def storm() -> None:
        for member in voters:
            side = rng.choice(("kpop", "classic"))
            clicks.append((await vote(driver, message, member, side, wait=False), side))
            await asyncio.sleep(rng.uniform(0, 0.004))

    try:
        await until(lambda: driver.identifies > before and driver.connected)
        sender = asyncio.create_task(storm())
        await until(lambda: sum(c.acknowledged for c, _ in clicks) >= kill_after)
        proc.kill()  # SIGKILL: no shutdown, no flush, mid-storm
        await proc.wait()
        await sender
    finally:
        await kill_if_running(proc)
    return clicks


async def test_kill_9_mid_vote_storm_ten_times_loses_no_acknowledged_vote(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    """``python -m bot`` is SIGKILLed at a random moment of a vote storm, restarted on the same
    database, and killed again, ten times. After each kill every vote whose click was confirmed is
    in the database with its latest side, and the tally matches the stored votes."""
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    db = tmp_path / "storm.sqlite3"
    async with running_bot(driver, db):
        _, message = await start_poll(driver, world, hours=48)
    pid = poll_id_of(message)
    members = [driver.add_member(world.guild, f"storm{i}") for i in range(STORM_VOTERS)]
    # What the database may hold for each member: one side once a click was confirmed; after an
    # unanswered click, either the side before it or the side clicked.
    allowed: dict[int, set[str | None]] = {m.id: {None} for m in members}
    confirmed_total = 0

    async with asyncio.timeout(90):
        for round_no in range(KILL_ROUNDS):
            clicks = await storm_then_kill(
                driver, db, tmp_path, message, rng.sample(members, CLICKS_PER_ROUND), rng
            )
            stored, (kpop, classic) = await stored_sides(db, pid)
            promised = 0
            for click, side in clicks:
                member_id = click.member.id
                promise = confirmed_side(click, side)
                if promise is not None:
                    allowed[member_id] = {promise}
                    promised += 1
                else:
                    allowed[member_id] = allowed[member_id] | {side}
            context = f"round {round_no + 1}, seed {seed}"
            assert 10 <= promised < len(clicks), f"{context}: the kill did not land mid-storm"
            lost = [m for m, sides in allowed.items() if stored.get(m) not in sides]
            assert not lost, f"{context}: {len(lost)} acknowledged votes lost or wrong"
            expected = list(stored.values())
            assert (kpop, classic) == (expected.count("kpop"), expected.count("classic"))
            # What is stored now is what every later round starts from.
            allowed = {m: {stored.get(m)} for m in allowed}
            confirmed_total += promised

        # A last restart: the bot's own results agree with the database.
        async with running_bot(driver, db) as restarted:
            ended = await driver.invoke("poll end", member=world.moderator, channel=world.general)
            assert "closed early" in ended.text
            poll = await PollStore(restarted.db).get(pid)
            assert poll is not None and poll.final is not None
            assert (poll.final.kpop, poll.final.classic) == (kpop, classic)
            result = await driver.wait_for_message(lambda m: "Listening poll result" in m.text())
            assert f"({kpop})" in result.text() and f"({classic})" in result.text()
    assert confirmed_total >= KILL_ROUNDS * 10
    # Clicks a killed process never answered are Discord's "interaction failed" for those users
    # (nothing was promised to them); they are not bot errors.
    driver.violations[:] = [v for v in driver.violations if v.code != 10062]


@pytest.mark.sqlite_only  # another process's lock on the SQLite file
async def test_a_vote_deferred_as_its_database_wait_fails_is_answered_once(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A click defers ("thinking") when its commit is slow; if the commit then fails while the
    deferral is still on its way to Discord, the error must follow the deferral, not race it
    with a second initial response (Discord refuses that: 40060, already acknowledged)."""
    _, poll_message = await start_poll(driver, world)
    cog = bot.get_cog("Poll")
    timings = getattr(cog, "timings", None)
    assert isinstance(timings, poll_runtime.PollTimings)
    # The click defers just before its database wait gives up...
    monkeypatch.setattr(cog, "timings", replace(timings, ack_budget=BUSY_SECONDS - 0.05))
    # ...and Discord takes its time to answer the deferral (the emulator's callback route slowed).
    slow: set[int] = set()

    def slowed(handler: Any) -> Any:
        async def slow_callback(request: Any, match: Any) -> Any:
            if int(match.group(1)) in slow:
                await asyncio.sleep(0.3)
            return await handler(request, match)

        return slow_callback

    routes = [
        (method, pattern, slowed(handler) if "callback" in pattern.pattern else handler, auth)
        for method, pattern, handler, auth in driver._routes
    ]
    monkeypatch.setattr(driver, "_routes", routes)
    with locked_database(db_path, BUSY_SECONDS + 1):
        click = await vote(driver, poll_message, world.fan, "kpop", wait=False)
        slow.add(click.id)
        await click.settled(timeout=BUSY_SECONDS + 3)
    assert click.response_type == 5  # deferred, then the error as the follow-up
    assert "something went wrong" in click.text
    assert await store(bot).vote_of(poll_id_of(poll_message), world.fan.id) is None
