"""/poll through the emulator: starting, voting (storms, switches, repeats, forgeries), closing at
the deadline and across restarts, results and standings, and a kill -9 mid-vote."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Channel, Driver, InteractionResult, Member, Message
from bot.sandbox.harness import running_bot
from bot.storage import Database
from bot.storage.config import ConfigStore
from cogs.poll import batcher as poll_runtime
from cogs.poll.batcher import PollTimings, VoteBatcher
from cogs.poll.content import load_matchups
from cogs.poll.store import PollStore, VoteOutcome, VoteRequest
from tests.conftest import World
from tests.test_process import kill_if_running

MATCHUPS = load_matchups()
FIRST, SECOND = MATCHUPS.items[0], MATCHUPS.items[1]
VOTE_ID = re.compile(r"^poll:vote:(\d+):(kpop|classic)$")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def fast_timers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Real-time intervals shrunk so tests wait milliseconds, not seconds (deadlines use the clock)."""
    monkeypatch.setattr(
        poll_runtime,
        "TIMINGS",
        PollTimings(check_interval=0.05, turnout_interval=0.3, turnout_settle=0.05),
    )
    yield


# ---------------------------------------------------------------------- helpers
async def start_poll(
    driver: Driver, world: World, channel: Channel | None = None, **options: object
) -> tuple[InteractionResult, Message]:
    channel = channel or world.general
    before = {m.id for m in driver.channel_messages(channel)}
    r = await driver.invoke("poll start", dict(options), member=world.moderator, channel=channel)
    assert r.ephemeral, r.text
    posted = [m for m in driver.channel_messages(channel) if m.id not in before and m.buttons()]
    assert len(posted) == 1, r.text
    return r, posted[0]


def poll_id_of(message: Message) -> int:
    match = VOTE_ID.match(message.buttons()[0]["custom_id"])
    assert match is not None
    return int(match.group(1))


def side_button(message: Message, side: str) -> str:
    return next(b["custom_id"] for b in message.buttons() if b["custom_id"].endswith(":" + side))


async def vote(
    driver: Driver, message: Message, member: Member, side: str, **kw: object
) -> InteractionResult:
    return await driver.click(message, member=member, custom_id=side_button(message, side), **kw)  # type: ignore[arg-type]


def store(bot: KpopsBot) -> PollStore:
    return PollStore(bot.db)


async def wait_until_announced(bot: KpopsBot, poll_id: int) -> None:
    """The result is marked posted right after Discord accepted it."""
    for _ in range(100):
        poll = await store(bot).get(poll_id)
        if poll is not None and poll.announced:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"poll {poll_id} was never marked announced")


def message_edits(driver: Driver, message: Message) -> list[str]:
    """Every PATCH of the poll message, by route (webhook token or channel)."""
    return [
        r.path
        for r in driver.requests
        if r.method == "PATCH" and r.path.endswith(f"/messages/{message.id}")
    ]


# What /poll results and /poll standings used to read on every call (get is left out: closing
# a poll reads it, concurrently with the commands).
POLL_READS = (
    "open_in_guild",
    "open_in_channel",
    "turnout",
    "vote_of",
    "tally",
    "closed_polls",
    "open_polls_with_votes",
)


def spy_reads(bot: KpopsBot, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count the poll cog's store reads from now on, by method name."""
    store = getattr(bot.get_cog("Poll"), "store", None)
    assert isinstance(store, PollStore)
    calls: Counter[str] = Counter()
    for name in POLL_READS:
        original = getattr(store, name)

        async def counted(*args: object, _name: str = name, _original: Any = original) -> Any:
            calls[_name] += 1
            return await _original(*args)

        monkeypatch.setattr(store, name, counted)
    return calls


async def ask(driver: Driver, command: str, member: Member, channel: Channel) -> InteractionResult:
    return await driver.invoke(command, member=member, channel=channel)


def batcher(bot: KpopsBot) -> VoteBatcher:
    # The extension loader imports cogs/poll.py afresh, so look the cog up by name.
    found = getattr(bot.get_cog("Poll"), "batcher", None)
    assert isinstance(found, VoteBatcher)
    return found


# ---------------------------------------------------------------------- starting
async def test_start_posts_both_tracks_links_connection_and_two_buttons(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r, message = await start_poll(driver, world)
    assert "Poll started in" in r.text and f"<#{world.general.id}>" in r.text
    text = message.text()
    assert FIRST.kpop.listen in text and FIRST.classic.listen in text
    assert FIRST.kpop.artist in text and FIRST.classic.artist in text
    assert FIRST.source.url in text
    assert "0 votes so far" in text and "hidden" in text
    labels = [b["label"] for b in message.buttons()]
    assert len(labels) == 2 and labels[0].startswith("K-pop") and labels[1].startswith("Classic")
    assert all(VOTE_ID.match(b["custom_id"]) for b in message.buttons())
    assert message.pings == [] and r.message.pings == []
    poll = await store(bot).get(poll_id_of(message))
    assert poll is not None and poll.matchup_id == FIRST.id and poll.message_id == message.id


async def test_next_pairing_not_yet_used_and_one_open_poll_per_channel(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await start_poll(driver, world)
    again = await driver.invoke("poll start", member=world.moderator, channel=world.general)
    assert again.ephemeral and "already open" in again.text
    assert len([m for m in driver.channel_messages(world.general) if m.buttons()]) == 1
    _, second = await start_poll(driver, world, channel=world.daily)
    poll = await store(bot).get(poll_id_of(second))
    assert poll is not None and poll.matchup_id == SECOND.id


async def test_start_with_a_named_matchup_and_autocomplete(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    target = MATCHUPS.items[-1]
    choices = await driver.autocomplete(
        "poll start",
        "matchup",
        target.kpop.artist[:4],
        member=world.moderator,
        channel=world.general,
    )
    assert choices and len(choices) <= limits.AUTOCOMPLETE_MAX_CHOICES
    assert target.id in [c["value"] for c in choices]
    assert all(1 <= len(c["name"]) <= 100 for c in choices)
    everything = await driver.autocomplete(
        "poll start", "matchup", "", member=world.moderator, channel=world.general
    )
    assert len(everything) == min(25, len(MATCHUPS))
    _, message = await start_poll(driver, world, matchup=target.id)
    assert target.kpop.listen in message.text()
    bogus = await driver.invoke(
        "poll start",
        {"matchup": "no such pairing @everyone"},
        member=world.moderator,
        channel=world.daily,
    )
    assert bogus.ephemeral and "No pairing matches" in bogus.text and bogus.message.pings == []


async def test_own_pick_needs_both_tracks_and_not_a_matchup(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for options in (
        {"kpop": "NewJeans Super Shy"},
        {"classic": "Jackson 5 ABC"},
        {"kpop": "\u200b\u200b", "classic": "ABC"},
        {"kpop": "x", "classic": "y", "matchup": FIRST.id},
    ):
        r = await driver.invoke(
            "poll start", options, member=world.moderator, channel=world.general
        )
        assert r.ephemeral and ("both" in r.text or "either" in r.text), r.text
    assert driver.channel_messages(world.general) == []


async def test_own_pick_is_shown_as_given_without_pings_or_source(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    hostile = "@everyone <@123> **loud** 뉴진스\u200b Super Shy " + "x" * 5900
    r, message = await start_poll(driver, world, kpop=hostile, classic="The Jackson 5 – ABC")
    assert message.pings == [] and r.message.pings == []
    text = message.text()
    assert "own pick" in text and "Source" not in text
    assert "\\*\\*loud\\*\\*" in text  # markdown shown literally
    assert "@\u200beveryone" in text and "뉴진스 Super Shy" in text
    assert "x" * 200 not in text  # over-long input is cut, never echoed in full
    assert all(len(b["label"]) <= limits.BUTTON_LABEL_MAX for b in message.buttons())
    poll = await store(bot).get(poll_id_of(message))
    assert poll is not None and poll.matchup_id is None and len(poll.kpop_label) <= 100


async def test_non_moderator_is_refused_and_nothing_changes(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke("poll start", member=world.fan, channel=world.general)
    assert r.ephemeral and "moderator" in r.text.lower()
    assert driver.channel_messages(world.general) == []
    await start_poll(driver, world)
    r = await driver.invoke("poll end", member=world.fan, channel=world.general)
    assert r.ephemeral and "moderator" in r.text.lower()
    assert len(await store(bot).open_in_guild(world.guild.id)) == 1


async def test_configured_channel_and_switched_off(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    config = ConfigStore(bot.db)
    await config.set_channel(
        world.guild.id, "poll", world.daily.id, actor_id=None, at=clock.now(), summary="test"
    )
    r = await driver.invoke("poll start", member=world.moderator, channel=world.general)
    assert f"<#{world.daily.id}>" in r.text
    assert [m for m in driver.channel_messages(world.daily) if m.buttons()]
    assert driver.channel_messages(world.general) == []
    await config.set_enabled(
        world.guild.id, "poll", False, actor_id=None, at=clock.now(), summary="test"
    )
    r = await driver.invoke("poll start", member=world.moderator, channel=world.general)
    assert r.ephemeral and "switched off" in r.text


async def test_missing_permission_in_the_channel_is_explained(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    locked = driver.add_channel(world.guild, "locked")
    bot_role = next(r for r in world.guild.roles.values() if r.name == "kpops-bot")
    driver.set_overwrite(locked, bot_role.id, deny=limits.SEND_MESSAGES)
    await driver.wait_idle(0.1)
    await ConfigStore(bot.db).set_channel(
        world.guild.id, "poll", locked.id, actor_id=None, at=clock.now(), summary="test"
    )
    r = await driver.invoke("poll start", member=world.moderator, channel=world.general)
    assert r.ephemeral and "can't post" in r.text
    assert await store(bot).open_in_guild(world.guild.id) == []


# ---------------------------------------------------------------------- voting
async def test_vote_switch_and_repeat(bot: KpopsBot, driver: Driver, world: World) -> None:
    _, message = await start_poll(driver, world)
    pid = poll_id_of(message)
    first = await vote(driver, message, world.fan, "kpop")
    assert first.ephemeral and "Your vote is in" in first.text and FIRST.kpop.artist in first.text
    again = await vote(driver, message, world.fan, "kpop")
    assert again.ephemeral and "already voted" in again.text
    moved = await vote(driver, message, world.fan, "classic")
    assert moved.ephemeral and "moved" in moved.text and FIRST.classic.artist in moved.text
    assert await store(bot).vote_of(pid, world.fan.id) == "classic"
    assert await store(bot).turnout(pid) == 1


async def test_two_hundred_members_vote_at_once(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    _, message = await start_poll(driver, world)
    pid = poll_id_of(message)
    members = [driver.add_member(world.guild, f"voter{i}") for i in range(200)]
    # Record when each vote's group was committed, to compare with when Discord got the answer.
    writer = batcher(bot)
    committed: dict[int, float] = {}
    record = writer.store.record_votes

    async def timed(votes: list[VoteRequest], now: datetime) -> list[VoteOutcome]:
        outcomes = await record(votes, now)
        committed.update(dict.fromkeys((v.user_id for v in votes), time.monotonic()))
        return outcomes

    writer.store.record_votes = timed  # type: ignore[method-assign]
    sides = ["kpop" if i % 3 else "classic" for i in range(200)]
    clicks = [
        await vote(driver, message, m, side, wait=False)
        for m, side in zip(members, sides, strict=True)
    ]
    await asyncio.gather(*(c.settled() for c in clicks))
    assert all(c.ephemeral and "Your vote is in" in c.text for c in clicks)
    for c in clicks:
        assert c.acked_at is not None and c.acked_at >= committed[c.member.id]
    tally = await store(bot).tally(pid)
    assert (tally.kpop, tally.classic) == (sides.count("kpop"), sides.count("classic"))
    assert batcher(bot).stats.groups < 200  # grouped, not one transaction per click
    # The live turnout catches up, with a handful of edits rather than one per vote.
    await driver.wait_for_message(lambda m: m.id == message.id and "200 votes so far" in m.text())
    edits = message_edits(driver, message)
    assert 1 <= len(edits) <= 5
    assert all(path.startswith("/webhooks/") for path in edits)
    # The sides stay hidden while the poll is open.
    assert str(sides.count("kpop")) not in message.text().replace("200 votes", "")


async def test_forged_and_foreign_custom_ids_store_nothing(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    _, message = await start_poll(driver, world)
    pid = poll_id_of(message)
    other = driver.add_guild("Other Fans", channels=("general",))
    other_mod = driver.add_member(
        other, "othermod", roles=(driver.add_role(other, "M", limits.MANAGE_GUILD),)
    )
    await driver.wait_idle(0.2)
    other_channel = next(iter(other.channels.values()))
    r = await driver.invoke("poll start", member=other_mod, channel=other_channel)
    assert "Poll started" in r.text, r.text
    foreign = next(m for m in driver.channel_messages(other_channel) if m.buttons())
    foreign_id = poll_id_of(foreign)
    forged = [
        f"poll:vote:{pid + 999}:kpop",
        f"poll:vote:{foreign_id}:kpop",  # another server's poll
        f"poll:vote:{pid}:rock",
        "poll:vote:abc:kpop",
        "poll:vote:99999999999999999999999:kpop",
        "poll:",
        f"poll:vote:{pid}:kpop:extra",
    ]
    for custom_id in forged:
        r = await driver.click(message, custom_id=custom_id, member=world.fan)
        assert r.ephemeral and "Unknown poll" in r.text, (custom_id, r.text)
        assert r.message.pings == []
    assert await store(bot).turnout(pid) == 0
    assert await store(bot).turnout(foreign_id) == 0


async def test_closed_poll_click_says_closed_and_stores_nothing(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    _, message = await start_poll(driver, world)
    pid = poll_id_of(message)
    await vote(driver, message, world.fan, "kpop")
    ended = await driver.invoke("poll end", member=world.moderator, channel=world.general)
    assert ended.ephemeral and "closed early" in ended.text
    assert all(b.get("disabled") for b in message.buttons())
    late = await vote(driver, message, world.owner, "classic", allow_disabled=True)
    assert late.ephemeral and "closed" in late.text
    moved = await vote(driver, message, world.fan, "classic", allow_disabled=True)
    assert "closed" in moved.text
    tally = await store(bot).tally(pid)
    assert (tally.kpop, tally.classic) == (1, 0)


async def test_old_poll_message_is_updated_without_hitting_the_edit_cap(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    """A poll running for days: the message is hours old, votes keep coming, edits keep working."""
    _, message = await start_poll(driver, world, hours=72)
    clock.advance(hours=2)  # the message is now older than an hour: channel edits are capped
    for round_no in range(driver.old_message_edit_cap + 3):
        member = driver.add_member(world.guild, f"late{round_no}")
        await vote(driver, message, member, "kpop")
        await driver.wait_for_message(
            lambda m, n=round_no + 1: m.id == message.id and f"{n} vote" in m.text(), timeout=5
        )
    edits = message_edits(driver, message)
    assert len(edits) >= driver.old_message_edit_cap + 3
    assert all(path.startswith("/webhooks/") for path in edits)


# ---------------------------------------------------------------------- closing
async def test_closes_at_the_deadline_with_the_injected_clock(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    _, message = await start_poll(driver, world, hours=2)
    pid = poll_id_of(message)
    voters = [driver.add_member(world.guild, f"v{i}") for i in range(5)]
    for i, member in enumerate(voters):
        await vote(driver, message, member, "kpop" if i < 3 else "classic")
    clock.advance(hours=1, minutes=59)
    await driver.wait_idle(0.3)
    assert (await store(bot).get(pid)).is_open  # type: ignore[union-attr]
    clock.advance(minutes=1)
    result = await driver.wait_for_message(
        lambda m: m.channel_id == world.general.id and "Listening poll result" in m.text()
    )
    assert "K-pop wins" in result.text() and "5 votes" in result.text()
    assert "60% (3)" in result.text() and "40% (2)" in result.text()
    assert "█" in result.text() and result.pings == []
    assert all(b.get("disabled") for b in message.buttons())
    assert "(closed)" in message.text()
    poll = await store(bot).get(pid)
    assert poll is not None and poll.close_reason == "deadline"
    await wait_until_announced(bot, pid)
    assert await store(bot).turnout(pid) == 5  # soft close: the votes are kept
    standings = await driver.invoke("poll standings", member=world.fan, channel=world.general)
    assert "K-pop wins:** 1" in standings.text and "5 votes" in standings.text


async def test_deadline_passed_during_downtime_closes_at_start_up(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock):
        _, message = await start_poll(driver, world, hours=1)
        await vote(driver, message, world.fan, "classic")
    clock.advance(hours=3)
    assert not [m for m in driver.channel_messages(world.general) if "result" in m.text()]
    async with running_bot(driver, db_path, clock=clock) as restarted:
        result = await driver.wait_for_message(lambda m: "Listening poll result" in m.text())
        assert "Classic wins" in result.text()
        poll = await store(restarted).get(poll_id_of(message))
        assert poll is not None and poll.close_reason == "deadline"
        assert all(b.get("disabled") for b in message.buttons())


async def test_results_while_open_hide_the_sides_then_show_the_result(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    none_yet = await driver.invoke("poll results", member=world.fan, channel=world.general)
    assert none_yet.ephemeral and "No listening poll" in none_yet.text
    no_standings = await driver.invoke("poll standings", member=world.fan, channel=world.general)
    assert no_standings.ephemeral
    _, message = await start_poll(driver, world, hours=24)
    for i in range(3):
        await vote(driver, message, driver.add_member(world.guild, f"r{i}"), "kpop")
    await vote(driver, message, world.fan, "classic")
    clock.advance(hours=1, minutes=30)
    status = await driver.invoke("poll results", member=world.fan, channel=world.daily)
    text = status.text
    assert "4 votes" in text and "22 h 30 min" in text
    assert "Your vote" in text and "Classic" in text
    assert "75%" not in text and "█" not in text  # nobody sees who leads
    await driver.invoke("poll end", member=world.moderator, channel=world.general)
    final = await driver.invoke("poll results", member=world.fan, channel=world.daily)
    assert not final.ephemeral
    assert "75% (3)" in final.text and "25% (1)" in final.text and "K-pop wins" in final.text
    assert "early by a moderator" in final.text


async def test_end_with_no_poll_and_with_several(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke("poll end", member=world.moderator, channel=world.general)
    assert r.ephemeral and "No poll is open" in r.text
    await start_poll(driver, world)
    await start_poll(driver, world, channel=world.daily)
    third = driver.add_channel(world.guild, "third")
    await driver.wait_idle(0.1)
    r = await driver.invoke("poll end", member=world.moderator, channel=third)
    assert r.ephemeral and "Several polls" in r.text
    r = await driver.invoke("poll end", member=world.moderator, channel=world.daily)
    assert "closed early" in r.text
    r = await driver.invoke("poll end", member=world.moderator, channel=third)
    assert "closed early" in r.text  # the only one left, ended from anywhere in the server
    assert await store(bot).open_in_guild(world.guild.id) == []


async def test_standings_count_wins_ties_closest_and_most_voted(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    members = [driver.add_member(world.guild, f"s{i}") for i in range(6)]
    plans = [("kpop", 4, "classic", 1), ("kpop", 1, "classic", 1), ("kpop", 0, "classic", 2)]
    for k_side, k_n, c_side, c_n in plans:
        _, message = await start_poll(driver, world)
        for member in members[:k_n]:
            await vote(driver, message, member, k_side)
        for member in members[k_n : k_n + c_n]:
            await vote(driver, message, member, c_side)
        r = await driver.invoke("poll end", member=world.moderator, channel=world.general)
        assert "closed early" in r.text
    s = await driver.invoke("poll standings", member=world.fan, channel=world.general)
    text = s.text
    assert "K-pop wins:** 1" in text and "Classic wins:** 1" in text and "Ties:** 1" in text
    assert "9 votes over 3 rounds" in text
    closest = text.split("Closest matchup", 1)[1]
    assert "1–1" in closest.splitlines()[1]
    most = text.split("Most-voted matchup", 1)[1]
    assert "5 votes (4–1)" in most


async def test_end_racing_the_deadline_posts_one_result(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    _, message = await start_poll(driver, world, hours=1)
    await vote(driver, message, world.fan, "kpop")
    clock.advance(hours=1)  # the closer and /poll end now race for the same poll
    await driver.invoke("poll end", member=world.moderator, channel=world.general)
    await wait_until_announced(bot, poll_id_of(message))
    await driver.wait_idle(0.3)
    results = [
        m for m in driver.channel_messages(world.general) if "Listening poll result" in m.text()
    ]
    assert len(results) == 1


async def test_deleted_poll_channel_is_given_up_quietly(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    room = driver.add_channel(world.guild, "listening-room")
    await driver.wait_idle(0.1)
    _, message = await start_poll(driver, world, channel=room, hours=1)
    driver.delete_channel(room)
    await driver.wait_idle(0.1)
    clock.advance(hours=2)
    await wait_until_announced(bot, poll_id_of(message))  # closed and given up, not retried
    poll = await store(bot).get(poll_id_of(message))
    assert poll is not None and not poll.is_open and poll.final is not None
    # No request to the deleted channel (the fixture asserts that nothing was refused).


async def test_no_permission_in_the_current_channel(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    bot_role = next(r for r in world.guild.roles.values() if r.name == "kpops-bot")
    driver.set_overwrite(world.general, bot_role.id, deny=limits.EMBED_LINKS)
    await driver.wait_idle(0.1)
    r = await driver.invoke("poll start", member=world.moderator, channel=world.general)
    assert r.ephemeral and "can't post in this channel" in r.text
    assert await store(bot).open_in_guild(world.guild.id) == []


async def test_a_slow_commit_defers_then_confirms_after_the_commit(
    bot: KpopsBot, driver: Driver, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, message = await start_poll(driver, world)
    writer = batcher(bot)
    record = writer.store.record_votes
    committed: list[float] = []

    async def slow(votes: list[VoteRequest], now: datetime) -> list[VoteOutcome]:
        await asyncio.sleep(2.6)  # past the 2-second budget, near Discord's 3-second deadline
        outcomes = await record(votes, now)
        committed.append(time.monotonic())
        return outcomes

    monkeypatch.setattr(writer.store, "record_votes", slow)
    r = await driver.click(
        message, member=world.fan, custom_id=side_button(message, "kpop"), settle=False
    )
    assert r.response_type == 5  # "thinking" within the deadline, nothing promised yet
    await r.settled(timeout=5)
    assert r.ephemeral and "Your vote is in" in r.text
    assert committed and r.followups == [] and r.original is not None
    assert await store(bot).vote_of(poll_id_of(message), world.fan.id) == "kpop"


async def test_a_failed_write_is_never_confirmed(
    bot: KpopsBot, driver: Driver, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, message = await start_poll(driver, world)
    writer = batcher(bot)

    async def broken(votes: list[VoteRequest], now: datetime) -> list[VoteOutcome]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(writer.store, "record_votes", broken)
    r = await vote(driver, message, world.fan, "kpop")
    assert r.ephemeral and "went wrong" in r.text and "vote is in" not in r.text
    assert await store(bot).turnout(poll_id_of(message)) == 0


async def test_results_mention_the_other_open_polls(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await start_poll(driver, world)
    await start_poll(driver, world, channel=world.daily)
    r = await driver.invoke("poll results", member=world.fan, channel=world.general)
    assert "Also open" in r.text and f"<#{world.daily.id}>" in r.text
    assert FIRST.kpop.artist in r.text  # this channel's poll comes first


async def test_results_show_turnout_and_own_vote_without_reading_the_database(
    bot: KpopsBot, driver: Driver, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, message = await start_poll(driver, world)
    calls = spy_reads(bot, monkeypatch)
    before = await ask(driver, "poll results", world.fan, world.general)
    assert before.ephemeral and "0 votes" in before.text and "Your vote" not in before.text
    voter = driver.add_member(world.guild, "voter")
    await vote(driver, message, world.fan, "kpop")
    await vote(driver, message, world.owner, "classic")
    await vote(driver, message, voter, "kpop")
    fan = await ask(driver, "poll results", world.fan, world.general)
    assert "3 votes" in fan.text and "Your vote" in fan.text
    assert f"K-pop: {FIRST.kpop.artist}" in fan.text
    owner = await ask(driver, "poll results", world.owner, world.daily)
    assert "3 votes" in owner.text and f"Classic: {FIRST.classic.artist}" in owner.text
    moved = await vote(driver, message, world.fan, "classic")
    assert "moved" in moved.text
    fan = await ask(driver, "poll results", world.fan, world.general)
    assert "3 votes" in fan.text and f"Classic: {FIRST.classic.artist}" in fan.text
    assert f"K-pop: {FIRST.kpop.artist}" not in fan.text
    again = await vote(driver, message, world.fan, "classic")  # unchanged: still 3
    assert "already voted" in again.text
    bystander = await ask(driver, "poll results", world.moderator, world.general)
    assert "3 votes" in bystander.text and "Your vote" not in bystander.text
    assert all(r.ephemeral for r in (fan, owner, bystander))
    assert sum(calls.values()) == 0, calls  # answered from memory
    # ...which agrees with the database.
    pid = poll_id_of(message)
    assert await store(bot).turnout(pid) == 3
    assert await store(bot).vote_of(pid, world.fan.id) == "classic"


async def test_a_poll_started_while_another_is_open_shows_in_others(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await start_poll(driver, world)
    alone = await ask(driver, "poll results", world.fan, world.general)
    assert "Also open" not in alone.text
    _, second = await start_poll(driver, world, channel=world.daily)
    await vote(driver, second, world.fan, "kpop")
    here = await ask(driver, "poll results", world.fan, world.general)
    assert FIRST.kpop.artist in here.text and "0 votes" in here.text
    assert "Also open" in here.text and f"<#{world.daily.id}>" in here.text
    there = await ask(driver, "poll results", world.fan, world.daily)
    assert SECOND.kpop.artist in there.text and "1 vote" in there.text
    assert "Also open" in there.text and f"<#{world.general.id}>" in there.text
    elsewhere_channel = driver.add_channel(world.guild, "elsewhere")
    await driver.wait_idle(0.1)
    elsewhere = await ask(driver, "poll results", world.fan, elsewhere_channel)
    # From a channel without a poll: the most recently started one, the other listed.
    assert SECOND.kpop.artist in elsewhere.text
    assert "Also open" in elsewhere.text and f"<#{world.general.id}>" in elsewhere.text
    other = driver.add_guild("Other Fans", channels=("general",))
    await driver.wait_idle(0.2)
    stranger = driver.add_member(other, "stranger")
    nothing = await ask(driver, "poll results", stranger, next(iter(other.channels.values())))
    assert nothing.ephemeral and "No listening poll" in nothing.text  # servers kept apart


async def test_results_and_standings_follow_an_end_and_a_deadline_close(
    bot: KpopsBot,
    driver: Driver,
    world: World,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = spy_reads(bot, monkeypatch)
    # Asked before anything closed: the empty record is what is cached, and must be replaced.
    assert "No listening poll" in (await ask(driver, "poll results", world.fan, world.general)).text
    assert "no standings" in (await ask(driver, "poll standings", world.fan, world.general)).text
    voters = [driver.add_member(world.guild, f"d{i}") for i in range(5)]
    _, first = await start_poll(driver, world, hours=2)
    for member, side in zip(voters, ("kpop", "kpop", "classic"), strict=False):
        await vote(driver, first, member, side)
    ended = await driver.invoke("poll end", member=world.moderator, channel=world.general)
    assert "closed early" in ended.text
    calls.clear()
    for _ in range(3):
        result = await ask(driver, "poll results", world.fan, world.daily)
        assert not result.ephemeral and "Listening poll result" in result.text
        assert "67% (2)" in result.text and "33% (1)" in result.text
        assert "K-pop wins" in result.text and "early by a moderator" in result.text
        record = await ask(driver, "poll standings", world.fan, world.general)
        assert "K-pop wins:** 1" in record.text and "3 votes over 1 round " in record.text
    assert calls == Counter(closed_polls=1), calls  # one read, then memory

    _, second = await start_poll(driver, world, hours=1)
    for member in voters[:2]:
        await vote(driver, second, member, "classic")
    status = await ask(driver, "poll results", world.fan, world.general)
    assert status.ephemeral and "Listening poll in progress" in status.text
    assert "2 votes" in status.text
    clock.advance(hours=1)
    await driver.wait_for_message(
        lambda m: (
            m.channel_id == world.general.id
            and "Listening poll result" in m.text()
            and "at its deadline" in m.text()
        )
    )
    calls.clear()
    for _ in range(3):
        result = await ask(driver, "poll results", world.fan, world.general)
        assert not result.ephemeral and "at its deadline" in result.text
        assert "100% (2)" in result.text and "Classic wins" in result.text
        record = await ask(driver, "poll standings", world.fan, world.general)
        assert "K-pop wins:** 1" in record.text and "Classic wins:** 1" in record.text
        assert "5 votes over 2 rounds" in record.text
    assert calls == Counter(closed_polls=1), calls


async def test_a_discarded_poll_never_appears(bot: KpopsBot, driver: Driver, world: World) -> None:
    # Warm the closed record first: the discard must not leave it (or the mirror) stale.
    assert "no standings" in (await ask(driver, "poll standings", world.fan, world.general)).text
    driver.fail("POST", rf"/channels/{world.general.id}/messages", status=403, times=1)
    refused = await driver.invoke("poll start", member=world.moderator, channel=world.general)
    assert refused.ephemeral and "couldn't post the poll" in refused.text
    polls = await bot.db.fetchall("SELECT close_reason FROM polls")
    assert [row["close_reason"] for row in polls] == ["unposted"]  # kept, closed, left out
    nothing = await ask(driver, "poll results", world.fan, world.general)
    assert nothing.ephemeral and "No listening poll" in nothing.text
    assert "no standings" in (await ask(driver, "poll standings", world.fan, world.general)).text
    _, message = await start_poll(driver, world, channel=world.daily)
    await vote(driver, message, world.fan, "kpop")
    status = await ask(driver, "poll results", world.fan, world.general)
    assert f"<#{world.daily.id}>" in status.text and "Also open" not in status.text
    assert "1 vote" in status.text
    await driver.invoke("poll end", member=world.moderator, channel=world.daily)
    record = await ask(driver, "poll standings", world.fan, world.general)
    assert "1 vote over 1 round " in record.text and "Rounds without votes" not in record.text
    result = await ask(driver, "poll results", world.fan, world.general)
    assert "100% (1)" in result.text and f"/{world.daily.id}/{message.id}" in result.text


async def test_a_failing_commit_listener_does_not_hold_back_the_answer(
    bot: KpopsBot, driver: Driver, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, message = await start_poll(driver, world)

    def broken(votes: object, outcomes: object) -> None:
        raise RuntimeError("listener bug")

    monkeypatch.setattr(batcher(bot), "on_commit", broken)
    r = await vote(driver, message, world.fan, "kpop")
    assert "Your vote is in" in r.text  # stored, so confirmed
    assert await store(bot).vote_of(poll_id_of(message), world.fan.id) == "kpop"


# ---------------------------------------------------------------------- restarts
async def test_results_and_standings_after_a_restart(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    voter = driver.add_member(world.guild, "voter")
    newcomer = driver.add_member(world.guild, "newcomer")
    async with running_bot(driver, db_path, clock=clock):
        _, done = await start_poll(driver, world)
        await vote(driver, done, world.fan, "kpop")
        await vote(driver, done, world.owner, "kpop")
        await driver.invoke("poll end", member=world.moderator, channel=world.general)
        _, message = await start_poll(driver, world, channel=world.daily, hours=48)
        await vote(driver, message, world.fan, "classic")
        await vote(driver, message, world.owner, "kpop")
        await vote(driver, message, voter, "kpop")
        warm = await ask(driver, "poll standings", world.fan, world.general)
        assert "2 votes over 1 round " in warm.text
    async with running_bot(driver, db_path, clock=clock):
        fan = await ask(driver, "poll results", world.fan, world.general)
        assert "3 votes" in fan.text and f"Classic: {SECOND.classic.artist}" in fan.text
        owner = await ask(driver, "poll results", world.owner, world.daily)
        assert "3 votes" in owner.text and f"K-pop: {SECOND.kpop.artist}" in owner.text
        record = await ask(driver, "poll standings", world.fan, world.general)
        assert "K-pop wins:** 1" in record.text and "2 votes over 1 round " in record.text
        # Old buttons, votes counted on top of those cast before the restart.
        assert "moved" in (await vote(driver, message, world.fan, "kpop")).text
        assert "Your vote is in" in (await vote(driver, message, newcomer, "classic")).text
        fan = await ask(driver, "poll results", world.fan, world.daily)
        assert "4 votes" in fan.text and f"K-pop: {SECOND.kpop.artist}" in fan.text
        await driver.invoke("poll end", member=world.moderator, channel=world.daily)
        result = await ask(driver, "poll results", world.fan, world.daily)
        assert "75% (3)" in result.text and "25% (1)" in result.text
        record = await ask(driver, "poll standings", world.fan, world.general)
        assert "K-pop wins:** 2" in record.text and "6 votes over 2 rounds" in record.text


async def test_old_buttons_work_after_a_restart(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock):
        _, message = await start_poll(driver, world)
        await vote(driver, message, world.fan, "kpop")
    async with running_bot(driver, db_path, clock=clock) as restarted:
        r = await vote(driver, message, world.fan, "classic")
        assert "moved" in r.text
        r = await vote(driver, message, world.owner, "kpop")
        assert "Your vote is in" in r.text
        tally = await store(restarted).tally(poll_id_of(message))
        assert (tally.kpop, tally.classic) == (1, 1)


async def test_a_message_id_never_saved_is_learnt_from_the_first_click(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    # The bot stopped between posting the poll's message and saving its id.
    async with running_bot(driver, db_path, clock=clock) as first:
        _, message = await start_poll(driver, world)
        pid = poll_id_of(message)
        await first.db.execute("UPDATE polls SET message_id = NULL WHERE id = ?", (pid,))
    async with running_bot(driver, db_path, clock=clock) as restarted:
        r = await vote(driver, message, world.fan, "kpop")
        assert "Your vote is in" in r.text
        poll = await store(restarted).get(pid)
        assert poll is not None and poll.message_id == message.id
        ended = await driver.invoke("poll end", member=world.moderator, channel=world.general)
        assert "closed early" in ended.text
        # The result reaches the poll's own message too: its buttons are closed.
        assert all(b.get("disabled") for b in message.buttons())
        assert "(closed)" in message.text()


async def test_kill_9_mid_vote_loses_no_acknowledged_vote(
    driver: Driver, world: World, tmp_path: Path
) -> None:
    """A real ``python -m bot`` process is killed with SIGKILL in the middle of a vote storm."""
    db = tmp_path / "kill.sqlite3"
    async with asyncio.timeout(90):
        proc = await start_bot_process(driver, db, tmp_path)
        try:
            await until(lambda: bool(driver.command_syncs) and driver.connected)
            await asyncio.sleep(2.5)  # the real process waits guild_ready_timeout (2 s) for guilds
            _, message = await start_poll(driver, world)
            members = [driver.add_member(world.guild, f"k{i}") for i in range(400)]
            clicks: list[InteractionResult] = []

            async def storm() -> None:
                for member in members:
                    clicks.append(await vote(driver, message, member, "kpop", wait=False))
                    await asyncio.sleep(0.002)

            sender = asyncio.create_task(storm())
            await until(lambda: sum(c.acknowledged for c in clicks) >= 100)
            proc.kill()  # SIGKILL: no shutdown, no flush, mid-storm
            await proc.wait()
            await sender
        finally:
            await kill_if_running(proc)
        acknowledged = {c.member.id for c in clicks if c.acknowledged}
        assert 100 <= len(acknowledged) < len(members), "the kill did not land mid-storm"
        assert all("Your vote is in" in c.text for c in clicks if c.acknowledged)
        pid = poll_id_of(message)
        stored = await stored_voters(db, pid)
        lost = acknowledged - stored
        assert not lost, f"{len(lost)} acknowledged votes were lost"

        # Restart on the same database: the old buttons still work and the tally goes on.
        async with running_bot(driver, db) as restarted:
            newcomer = next(m for m in members if m.id not in stored)
            r = await vote(driver, message, newcomer, "classic")
            assert "Your vote is in" in r.text
            veteran = next(m for m in members if m.id in acknowledged)
            r = await vote(driver, message, veteran, "kpop")
            assert "already voted" in r.text
            assert await store(restarted).turnout(pid) == len(stored) + 1
    # Clicks the killed process never answered are Discord's "interaction failed" for those
    # users (nothing was acknowledged, so nothing was promised); they are not bot errors.
    driver.violations[:] = [v for v in driver.violations if v.code != 10062]


async def start_bot_process(driver: Driver, db: Path, cwd: Path) -> asyncio.subprocess.Process:
    """``python -m bot`` against the emulator; its log goes to a file (a full pipe would stall it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEV_GUILD_ID", "LOG_LEVEL")}
    env.update(driver.env(), DATABASE_PATH=str(db), LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    log = (cwd / "bot.log").open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=env, cwd=cwd, stdout=log, stderr=log
        )
    finally:
        log.close()  # the child keeps its own copy of the descriptor


async def until(predicate: Callable[[], bool], timeout: float = 30) -> None:
    """Poll a condition on another process's progress (there is no event to wait on)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def stored_voters(db_path: Path, poll_id: int) -> set[int]:
    db = await Database.open(db_path)
    try:
        rows = await db.fetchall("SELECT user_id FROM poll_votes WHERE poll_id = ?", (poll_id,))
    finally:
        await db.close()
    return {int(row["user_id"]) for row in rows}
