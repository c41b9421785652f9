"""Sharding as Discord does it: the emulator's gateway, one bot holding some shards, and several
``python -m bot`` processes sharing one emulator and one database."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.client import KpopsBot, use_endpoints
from bot.clock import ManualClock
from bot.sandbox import Channel, Driver, InteractionResult, Member, Message
from bot.sandbox.harness import feature_modules, running_bot, sandbox_settings
from bot.sandbox.server import shard_of
from bot.scheduler import SENT
from bot.shards import pacing
from bot.storage import Database
from bot.storage.config import ConfigStore
from cogs.poll.store import PollStore
from tests.bot.test_scheduler import scheduler_of
from tests.cogs.poll.test_cog import poll_id_of, start_poll, vote
from tests.conftest import World, build_world
from tests.test_connection import Bot, bot_process
from tests.test_faults import confirmed_side
from tests.test_process import clean_env, run_cli

# ---------------------------------------------------------------------------- the emulator alone


async def identify(
    session: aiohttp.ClientSession, driver: Driver, shard: Any = None
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"{driver.gateway_url}?v=10&encoding=json")
    await ws.receive_json()  # HELLO
    payload: dict[str, Any] = {"token": driver.token, "intents": 1, "properties": {}}
    if shard is not None:
        payload["shard"] = shard
    await ws.send_json({"op": 2, "d": payload})
    return ws


async def events(ws: aiohttp.ClientWebSocketResponse, quiet: float = 0.3) -> list[dict[str, Any]]:
    """Every dispatch received until the socket has been quiet for ``quiet`` seconds."""
    seen: list[dict[str, Any]] = []
    while True:
        try:
            msg = await ws.receive(timeout=quiet)
        except TimeoutError:
            return seen
        if msg.type != aiohttp.WSMsgType.TEXT:
            return seen
        data = json.loads(msg.data)
        if data.get("op") == 0:
            seen.append(data)


def guilds_on(driver: Driver, shard: int, count: int) -> set[int]:
    return {g for g in driver.guilds if (g >> 22) % count == shard}


async def test_gateway_bot_recommends_one_shard_per_thousand_servers(driver: Driver) -> None:
    headers = {"Authorization": f"Bot {driver.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(f"{driver.api_base}/gateway/bot") as resp,
    ):
        body = await resp.json()
    assert body["shards"] == 1 and body["url"] == driver.gateway_url
    assert body["session_start_limit"]["max_concurrency"] >= 1
    for i in range(1001):
        driver.add_guild(f"S{i}")
    assert driver.recommended_shard_count() == 2
    driver.recommended_shards = 6
    assert driver.recommended_shard_count() == 6


async def test_new_servers_spread_over_the_shards(driver: Driver) -> None:
    made = [driver.add_guild(f"S{i}") for i in range(40)]
    assert Counter(shard_of(g.id, 4) for g in made) == {0: 10, 1: 10, 2: 10, 3: 10}
    chosen = driver.add_guild("pinned", shard=(3, 7))
    assert shard_of(chosen.id, 7) == 3


async def test_identify_with_a_shard_receives_only_its_servers(driver: Driver) -> None:
    for i in range(6):
        driver.add_guild(f"S{i}")
    async with aiohttp.ClientSession() as session:
        ws = await identify(session, driver, [1, 2])
        received = await events(ws)
        await ws.close()
    ready = received[0]
    assert ready["t"] == "READY" and ready["d"]["shard"] == [1, 2]
    mine = guilds_on(driver, 1, 2)
    assert len(mine) == 3
    assert {int(g["id"]) for g in ready["d"]["guilds"]} == mine
    assert {int(e["d"]["id"]) for e in received if e["t"] == "GUILD_CREATE"} == mine
    assert driver.identified_shards == [(1, 2)]


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0, 0], [0], "0,1", [0, True]])
async def test_an_invalid_shard_is_closed_with_4010(driver: Driver, shard: Any) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await identify(session, driver, shard)
        await ws.receive()
        assert ws.close_code == 4010
    assert driver.identifies == 0


async def test_too_many_servers_for_one_session_is_closed_with_4011(driver: Driver) -> None:
    driver.max_guilds_per_shard = 2
    for i in range(4):
        driver.add_guild(f"S{i}", shard=(i % 2, 2))
    async with aiohttp.ClientSession() as session:
        ws = await identify(session, driver)
        await ws.receive()
        assert ws.close_code == 4011
        sharded = await identify(session, driver, [0, 2])
        assert [e["t"] for e in await events(sharded)].count("GUILD_CREATE") == 2
        await sharded.close()


async def test_events_go_to_the_session_holding_the_server(driver: Driver) -> None:
    first = driver.add_guild("zero", shard=(0, 2))
    second = driver.add_guild("one", shard=(1, 2))
    async with aiohttp.ClientSession() as session:
        zero, one = await identify(session, driver, [0, 2]), await identify(session, driver, [1, 2])
        await events(zero)
        await events(one)
        driver.add_channel(second, "news")
        await driver.dispatch("INTERACTION_CREATE", {"guild_id": str(first.id), "id": "1"})
        on_zero, on_one = await events(zero), await events(one)
        await zero.close()
        await one.close()
    assert [e["t"] for e in on_zero] == ["INTERACTION_CREATE"]
    assert [e["t"] for e in on_one] == ["CHANNEL_CREATE"]


# ---------------------------------------------------------------------------- one bot, some shards


async def test_a_bot_holding_one_of_two_shards_serves_only_its_servers(
    driver: Driver, db_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    ours = build_world(driver, "Ours", shard=(0, 2))
    theirs = build_world(driver, "Theirs", shard=(1, 2))
    async with running_bot(driver, db_path, clock=clock, shard_count=2, shard_ids=[0]) as bot:
        assert [g.id for g in bot.guilds] == [ours.guild.id]
        assert driver.identified_shards == [(0, 2)]
        answered = await driver.invoke("help", member=ours.fan, channel=ours.general)
        assert answered.acknowledged
        with pytest.raises(RuntimeError, match="no bot session holds"):
            await driver.invoke("help", member=theirs.fan, channel=theirs.general)
        # A routing bug: the other shard's server reaches this process. It is refused, loudly.
        driver.misroute[theirs.guild.id] = (0, 2)
        stray = await driver.invoke("help", member=theirs.fan, channel=theirs.general, wait=False)
        await asyncio.sleep(0.5)
        assert not stray.acknowledged
        assert [str(e) for e in bot.ownership_errors] == [
            f"server {theirs.guild.id} belongs to shard 1 of 2, but this process holds shards 0"
        ]
        bot.ownership_errors.clear()  # expected here; running_bot fails a test on any other
    assert any("refusing interaction" in r.getMessage() for r in caplog.records)


async def test_a_click_reaching_the_wrong_process_is_refused(
    driver: Driver, db_path: Path, clock: ManualClock
) -> None:
    ours = build_world(driver, "Ours", shard=(0, 2))
    build_world(driver, "Theirs", shard=(1, 2))
    async with running_bot(driver, db_path, clock=clock, shard_count=2, shard_ids=[0]):
        started = await driver.invoke("poll start", member=ours.moderator, channel=ours.general)
        assert started.ephemeral, started.text
    (poll,) = [m for m in driver.channel_messages(ours.general) if m.buttons()]
    # The shards move: this process now holds only shard 1, and a routing bug sends it a click
    # on the poll of a shard-0 server. No button callback runs; nothing answers, nothing counts.
    async with running_bot(driver, db_path, clock=clock, shard_count=2, shard_ids=[1]) as bot:
        driver.misroute[ours.guild.id] = (1, 2)
        vote = poll.buttons()[0]["custom_id"]
        click = await driver.click(poll, member=ours.fan, custom_id=vote, wait=False)
        await asyncio.sleep(0.5)
        assert not click.acknowledged
        assert len(bot.ownership_errors) == 1
        bot.ownership_errors.clear()
    db = await Database.open(db_path)
    try:
        row = await db.fetchone("SELECT COUNT(*) AS n FROM poll_votes")
        assert row is not None and row["n"] == 0
    finally:
        await db.close()


async def test_daily_posts_go_only_to_the_servers_this_process_holds(
    driver: Driver, db_path: Path, clock: ManualClock
) -> None:
    ours = build_world(driver, "Ours", shard=(0, 2))
    theirs = build_world(driver, "Theirs", shard=(1, 2))
    configured = clock.now()
    await configure_daily(str(db_path), [ours, theirs], "quote", configured + timedelta(minutes=3))
    async with running_bot(driver, db_path, clock=clock, shard_count=2, shard_ids=[0]) as bot:
        scheduler = scheduler_of(bot)
        clock.advance(minutes=5)
        outcomes = await scheduler.run_due()
        assert [(o.guild_id, o.status) for o in outcomes] == [(ours.guild.id, SENT)]
        # Paced at its share: one of two shards, so half of the budget, burst 1.
        half = pacing(1, 2)
        assert (scheduler.bucket.rate, scheduler.bucket.burst) == (half.posts_per_second, 1)
    assert len(driver.channel_messages(ours.daily)) == 1
    assert driver.channel_messages(theirs.daily) == []  # the other process's to send


async def test_the_ready_line_names_the_shards_and_servers(
    driver: Driver, db_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="bot.client")
    for i in range(4):
        build_world(driver, f"S{i}", shard=(i % 2, 2))
    driver.recommended_shards = 2  # no SHARD_COUNT: Discord's recommendation decides
    async with running_bot(driver, db_path, clock=clock) as bot:
        assert bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
        assert len(bot.guilds) == 4
    ready = [r.getMessage() for r in caplog.records if "ready as" in r.getMessage()]
    assert ready and "shards 0-1 of 2, 4 servers;" in ready[0] and "kpops-bot" in ready[0]


async def test_discords_recommended_count_comes_through_a_rest_proxy(
    driver: Driver, db_path: Path, clock: ManualClock
) -> None:
    """DISCORD_API_BASE pointing at a REST proxy (as large bots run one in front of Discord):
    every REST request, /gateway/bot included, goes through it."""
    world = build_world(driver, "Fans", shard=(0, 1))
    seen: list[str] = []

    async def forward(request: web.Request) -> web.Response:
        seen.append(f"{request.method} {request.rel_url.path}")
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                f"http://{driver.host}:{driver.port}{request.rel_url}",
                data=await request.read(),
                headers=headers,
            ) as upstream,
        ):
            body = await upstream.read()
            kept = {k: v for k, v in upstream.headers.items() if k.lower() in RETURNED}
            return web.Response(body=body, status=upstream.status, headers=kept)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    settings = replace(
        sandbox_settings(driver, db_path), api_base=f"http://127.0.0.1:{port}/api/v10"
    )
    use_endpoints(settings.api_base, settings.gateway_url)
    bot = KpopsBot(settings, clock=clock, catch_up_at_start=False, guild_ready_timeout=0.05)
    connecting: asyncio.Task[None] | None = None
    kept = feature_modules()
    try:
        await bot.login(settings.token)
        assert bot.shard_count == 1
        connecting = asyncio.create_task(bot.connect())
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        answered = await driver.invoke("help", member=world.fan, channel=world.general)
        assert answered.acknowledged
    finally:
        await bot.close()
        # As running_bot does: closing drops the feature modules; later tests share these.
        sys.modules.update(kept)
        if connecting is not None:
            await asyncio.wait_for(connecting, 5)
        await runner.cleanup()
        use_endpoints(driver.api_base, driver.gateway_url)  # later tests talk to the emulator
    assert "GET /api/v10/gateway/bot" in seen  # the recommended shard count, asked by the bot
    assert "GET /api/v10/users/@me" in seen
    assert any(line.startswith("POST /api/v10/interactions/") for line in seen)


FORWARDED = frozenset({"authorization", "content-type", "user-agent", "x-audit-log-reason"})
RETURNED = frozenset({"content-type", "retry-after", "x-ratelimit-scope", "x-ratelimit-global"})

# ---------------------------------------------------------------------------- several processes

SHARDS = 4
SERVERS_PER_SHARD = 2


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The processes' database settings: one SQLite file (WAL, busy timeout), or a fresh, empty
    database on the session's PostgreSQL server (the processes migrate it together)."""
    if request.param == "sqlite":
        return {"DATABASE_PATH": str(tmp_path / "kpops.sqlite3")}
    return {"DATABASE_URL": str(request.getfixturevalue("postgres_url"))}


async def configure_daily(target: str, worlds: list[World], feature: str, now: datetime) -> None:
    """Every server posts ``feature`` at a time two minutes before ``now`` (configured an hour
    before ``now``)."""
    post_time = (now - timedelta(minutes=2)).strftime("%H:%M")
    db = await Database.open(target)
    try:
        store = ConfigStore(db)
        for world in worlds:
            at = now - timedelta(hours=1)
            await store.set_channel(
                world.guild.id, feature, world.daily.id, actor_id=None, at=at, summary="test"
            )
            await store.set_schedule(
                world.guild.id, feature, post_time, "UTC", actor_id=None, at=at, summary="test"
            )
    finally:
        await db.close()


def target_of(database: dict[str, str]) -> str:
    return database.get("DATABASE_URL") or database["DATABASE_PATH"]


async def sent_rows(database: dict[str, str]) -> Counter[tuple[int, str]]:
    """The daily posts marked sent, per (server, feature), read from either engine."""
    db = await Database.open(target_of(database))
    try:
        rows = await db.fetchall("SELECT guild_id, feature FROM daily_posts WHERE status = 'sent'")
    finally:
        await db.close()
    return Counter((int(r["guild_id"]), str(r["feature"])) for r in rows)


def posts_in(driver: Driver, channel: Channel) -> list[str]:
    return [m.content or "(embed)" for m in driver.channel_messages(channel)]


async def start_processes(
    stack: AsyncExitStack, driver: Driver, database: dict[str, str], tmp: Path, ranges: list[str]
) -> list[Bot]:
    bots = []
    for shard_ids in ranges:
        env = clean_env(
            **driver.env(),
            **database,
            SHARD_COUNT=str(SHARDS),
            SHARD_IDS=shard_ids,
            LOG_LEVEL="INFO",
        )
        bots.append(await stack.enter_async_context(bot_process(env, tmp)))
    for bot, shard_ids in zip(bots, ranges, strict=True):
        line = await bot.wait_for_line(lambda line: "ready as" in line, timeout=60)
        held = len(shard_ids.replace("-", ",").split(","))
        assert f"of {SHARDS}, {SERVERS_PER_SHARD * held} servers;" in line, line
    return bots


async def test_too_few_shards_stop_the_process_with_one_line(
    driver: Driver, tmp_path: Path
) -> None:
    driver.max_guilds_per_shard = 1
    for n in range(2):
        build_world(driver, f"Fans {n}", shard=(0, 1))
    env = clean_env(**driver.env(), DATABASE_PATH=str(tmp_path / "kpops.sqlite3"), SHARD_COUNT="1")
    async with bot_process(env, tmp_path) as bot:
        code = await asyncio.wait_for(bot.proc.wait(), 60)
        await asyncio.sleep(0.2)  # the last lines
    assert code == 2, bot.output
    ours = [line for line in bot.lines if line.startswith("kpops-bot:")]
    assert len(ours) == 1 and "raise SHARD_COUNT" in ours[0], bot.output
    assert "Traceback" not in bot.output


async def test_a_bad_shard_range_is_one_line_before_connecting(tmp_path: Path) -> None:
    env = clean_env(DISCORD_TOKEN="t", SHARD_COUNT="4", SHARD_IDS="2-5")
    code, out, err = await run_cli(env=env, cwd=tmp_path)
    assert code == 2 and err.strip().count("\n") == 0 and "names shard 4" in err, out + err


async def wait_until(check: Any, timeout: float, what: str, bots: list[Bot]) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            logs = "\n----\n".join(b.output for b in bots)
            raise AssertionError(f"timed out waiting for {what}:\n{logs}")
        await asyncio.sleep(0.2)


async def test_two_processes_two_shards_each_serve_every_server_once(
    driver: Driver, database: dict[str, str], tmp_path: Path
) -> None:
    worlds = [
        build_world(driver, f"Fans {shard}-{n}", shard=(shard, SHARDS))
        for shard in range(SHARDS)
        for n in range(SERVERS_PER_SHARD)
    ]
    target = target_of(database)
    now = datetime.now(UTC)
    await configure_daily(target, worlds, "quote", now)
    dailies = {w.guild.id: w.daily for w in worlds}

    async with AsyncExitStack() as stack:
        bots = await start_processes(stack, driver, database, tmp_path, ["0-1", "2-3"])
        # Every command is answered, by the one process holding the server's shard.
        for world in worlds:
            answered = await driver.invoke("help", member=world.fan, channel=world.general)
            assert answered.acknowledged, world.guild.name
        await wait_until(
            lambda: all(len(posts_in(driver, c)) == 1 for c in dailies.values()),
            40,
            "one quote in every server",
            bots,
        )
        # Each process keeps its own heartbeat: `health` with its settings judges that process.
        for shard_ids, healthy in (("0-1", 0), ("2-3", 0), ("0-2", 1)):
            env = clean_env(
                **driver.env(), **database, SHARD_COUNT=str(SHARDS), SHARD_IDS=shard_ids
            )
            code, out, err = await run_cli("health", env=env, cwd=tmp_path)
            assert code == healthy, (shard_ids, out, err)
        for bot in bots:
            assert await bot.stop() == 0, bot.output
    assert sorted(driver.identified_shards, key=str) == [(s, SHARDS) for s in range(SHARDS)]

    # Restart with the shards moved between the processes, and a second daily feature to post.
    await configure_daily(target, worlds, "fact", datetime.now(UTC))
    async with AsyncExitStack() as stack:
        bots = await start_processes(stack, driver, database, tmp_path, ["0,2", "1,3"])
        await wait_until(
            lambda: all(len(posts_in(driver, c)) >= 2 for c in dailies.values()),
            40,
            "a fact in every server",
            bots,
        )
        await asyncio.sleep(1.0)  # room for a wrong second post to show up
        for bot in bots:
            assert await bot.stop() == 0, bot.output
        logs = "\n".join(b.output for b in bots)

    # Exactly once: the quote of the first start is not sent again by the shard's new owner.
    for guild_id, channel in dailies.items():
        assert len(driver.channel_messages(channel)) == 2, (guild_id, posts_in(driver, channel))
    sent = await sent_rows(database)
    assert sent == Counter({(w.guild.id, f): 1 for w in worlds for f in ("quote", "fact")})
    assert "refusing interaction" not in logs and "Traceback" not in logs
    assert "'sent': 4" in logs  # each process posted its own four servers' facts


# ---------------------------------------------------------------------------- a vote storm, kill -9
STORM_VOTERS_PER_SERVER = 12
KILL_AFTER_ANSWERED = 25


def callbacks_per_interaction(driver: Driver) -> Counter[str]:
    """How many accepted initial responses each interaction got (POST .../callback)."""
    return Counter(
        r.path.split("/")[2]
        for r in driver.requests
        if r.method == "POST" and r.path.endswith("/callback") and r.status < 300
    )


async def storm(
    driver: Driver,
    polls: dict[int, Message],
    voters: dict[int, list[Member]],
    rng: random.Random,
    clicks: list[tuple[InteractionResult, str]],
) -> None:
    """Every voter clicks a random side of their server's poll, all at once, not waiting; each
    click (and the side clicked) goes into ``clicks`` as it is sent."""
    order = [(guild_id, m) for guild_id, members in voters.items() for m in members]
    rng.shuffle(order)
    for guild_id, member in order:
        side = rng.choice(("kpop", "classic"))
        clicks.append((await vote(driver, polls[guild_id], member, side, wait=False), side))
        await asyncio.sleep(rng.uniform(0, 0.003))


async def test_a_vote_storm_over_two_processes_survives_kill_9_of_one(
    driver: Driver, postgres_url: str, tmp_path: Path
) -> None:
    """Two processes, two shards each, one PostgreSQL: a vote storm over every server, one process
    SIGKILLed mid-storm and restarted. Every vote a reply confirmed is in the database with its
    side; every command is answered once, by the one process holding the server."""
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    database = {"DATABASE_URL": postgres_url}
    worlds = [
        build_world(driver, f"Fans {shard}-{n}", shard=(shard, SHARDS))
        for shard in range(SHARDS)
        for n in range(SERVERS_PER_SHARD)
    ]
    voters = {
        w.guild.id: [driver.add_member(w.guild, f"v{i}") for i in range(STORM_VOTERS_PER_SERVER)]
        for w in worlds
    }
    killed_servers = {w.guild.id for w in worlds if shard_of(w.guild.id, SHARDS) in (0, 1)}
    allowed: dict[int, set[str | None]] = {
        m.id: {None} for members in voters.values() for m in members
    }

    async with asyncio.timeout(75), AsyncExitStack() as stack:
        first, second = await start_processes(stack, driver, database, tmp_path, ["0-1", "2-3"])
        polls = {w.guild.id: (await start_poll(driver, w, hours=48))[1] for w in worlds}

        clicks: list[tuple[InteractionResult, str]] = []
        storming = asyncio.create_task(storm(driver, polls, voters, rng, clicks))
        await wait_until(
            lambda: sum(c.acknowledged for c, _ in clicks) >= KILL_AFTER_ANSWERED,
            20,
            "the storm to get going",
            [first, second],
        )
        first.proc.kill()  # SIGKILL: no shutdown, no flush, mid-storm
        await first.proc.wait()
        await storming
        # The survivor answers every click on its servers; the killed one's are Discord's
        # "interaction failed" (nothing was promised).
        survivors = [(c, s) for c, s in clicks if c.channel.guild_id not in killed_servers]
        await wait_until(
            lambda: all(confirmed_side(c, s) is not None for c, s in survivors),
            20,
            "the surviving process to answer its clicks",
            [second],
        )
        for click, side in clicks:
            promise = confirmed_side(click, side)
            member_id = click.member.id
            allowed[member_id] = {promise} if promise is not None else allowed[member_id] | {side}
        answered_on_killed = sum(
            confirmed_side(c, s) is not None
            for c, s in clicks
            if c.channel.guild_id in killed_servers
        )
        assert answered_on_killed < len(clicks) - len(survivors), f"seed {seed}: no kill mid-storm"

        # The killed process comes back with the same shards; a second storm, all answered.
        restarted = await stack.enter_async_context(
            bot_process(
                clean_env(
                    **driver.env(),
                    **database,
                    SHARD_COUNT=str(SHARDS),
                    SHARD_IDS="0-1",
                    LOG_LEVEL="INFO",
                ),
                tmp_path,
            )
        )
        await restarted.wait_for_line(lambda line: "ready as" in line, timeout=40)
        again: list[tuple[InteractionResult, str]] = []
        await storm(driver, polls, voters, rng, again)
        await wait_until(
            lambda: all(confirmed_side(c, s) is not None for c, s in again),
            20,
            "both processes to answer the second storm",
            [second, restarted],
        )
        for click, side in again:
            allowed[click.member.id] = {side}
        for bot in (second, restarted):
            assert await bot.stop() == 0, bot.output
        logs = "\n".join(b.output for b in (first, second, restarted))

    db = await Database.open(postgres_url)
    try:
        stored: dict[int, str] = {}
        for world in worlds:
            poll_id = poll_id_of(polls[world.guild.id])
            rows = await db.fetchall(
                "SELECT user_id, side FROM poll_votes WHERE poll_id = ?", (poll_id,)
            )
            stored.update({int(r["user_id"]): str(r["side"]) for r in rows})
            tally = await PollStore(db).tally(poll_id)
            mine = [str(r["side"]) for r in rows]
            assert (tally.kpop, tally.classic) == (mine.count("kpop"), mine.count("classic"))
    finally:
        await db.close()
    lost = [m for m, sides in allowed.items() if stored.get(m) not in sides]
    assert not lost, f"seed {seed}: {len(lost)} acknowledged votes lost or wrong"
    # Every interaction answered at most once, each only by the process holding its server.
    assert max(callbacks_per_interaction(driver).values()) == 1
    assert "refusing interaction" not in logs and "Traceback" not in logs
    driver.violations[:] = [v for v in driver.violations if v.code != 10062]
