"""Sharding as Discord does it: the emulator's gateway, one bot holding some shards, and several
``python -m bot`` processes sharing one emulator and one database."""

from __future__ import annotations

import asyncio
import json
import sqlite3
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

from bot import limits
from bot.client import KpopsBot, use_endpoints
from bot.clock import ManualClock
from bot.sandbox import Channel, Driver
from bot.sandbox.harness import feature_modules, running_bot, sandbox_settings
from bot.sandbox.server import shard_of
from bot.scheduler import SENT
from bot.storage import Database
from bot.storage.config import ConfigStore
from tests.bot.test_scheduler import scheduler_of
from tests.conftest import World
from tests.test_connection import Bot, bot_process
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


def build_sharded_world(driver: Driver, name: str, shard: tuple[int, int]) -> World:
    guild = driver.add_guild(name, channels=("general", "daily"), shard=shard)
    general, daily = list(guild.channels.values())
    mod_role = driver.add_role(guild, "Mods", limits.MANAGE_GUILD)
    return World(
        guild=guild,
        general=general,
        daily=daily,
        owner=driver.owner(guild),
        fan=driver.add_member(guild, "fan"),
        moderator=driver.add_member(guild, "moderator", roles=(mod_role,)),
        mod_role=mod_role,
    )


async def test_a_bot_holding_one_of_two_shards_serves_only_its_servers(
    driver: Driver, db_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    ours = build_sharded_world(driver, "Ours", (0, 2))
    theirs = build_sharded_world(driver, "Theirs", (1, 2))
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
    ours = build_sharded_world(driver, "Ours", (0, 2))
    build_sharded_world(driver, "Theirs", (1, 2))
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
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM poll_votes").fetchone() == (0,)


async def test_daily_posts_go_only_to_the_servers_this_process_holds(
    driver: Driver, db_path: Path, clock: ManualClock
) -> None:
    ours = build_sharded_world(driver, "Ours", (0, 2))
    theirs = build_sharded_world(driver, "Theirs", (1, 2))
    configured = clock.now()
    await configure_daily(str(db_path), [ours, theirs], "quote", configured + timedelta(minutes=3))
    async with running_bot(driver, db_path, clock=clock, shard_count=2, shard_ids=[0]) as bot:
        scheduler = scheduler_of(bot)
        clock.advance(minutes=5)
        outcomes = await scheduler.run_due()
        assert [(o.guild_id, o.status) for o in outcomes] == [(ours.guild.id, SENT)]
        # Paced at its share: one of two shards, so half of the budget, burst 1.
        assert (scheduler.bucket.rate, scheduler.bucket.burst) == (23.0, 1)
    assert len(driver.channel_messages(ours.daily)) == 1
    assert driver.channel_messages(theirs.daily) == []  # the other process's to send


async def test_the_ready_line_names_the_shards_and_servers(
    driver: Driver, db_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="bot.client")
    for i in range(4):
        build_sharded_world(driver, f"S{i}", (i % 2, 2))
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
    world = build_sharded_world(driver, "Fans", (0, 1))
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
    """The processes' database settings: one SQLite file (WAL, busy timeout), or PostgreSQL."""
    if request.param == "sqlite":
        return {"DATABASE_PATH": str(tmp_path / "kpops.sqlite3")}
    from tests.postgres import PostgresServer, start_server

    server: PostgresServer = start_server()
    request.addfinalizer(server.stop)
    return {"DATABASE_URL": server.url()}


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


def sent_rows(database: dict[str, str]) -> Counter[tuple[int, str]]:
    if "DATABASE_PATH" not in database:
        return Counter()  # PostgreSQL: the channel counts below are the check
    with sqlite3.connect(database["DATABASE_PATH"]) as conn:
        rows = conn.execute("SELECT guild_id, feature FROM daily_posts WHERE status = 'sent'")
        return Counter((int(g), str(f)) for g, f in rows)


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
        build_sharded_world(driver, f"Fans {n}", (0, 1))
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
        build_sharded_world(driver, f"Fans {shard}-{n}", (shard, SHARDS))
        for shard in range(SHARDS)
        for n in range(SERVERS_PER_SHARD)
    ]
    target = database.get("DATABASE_URL") or database["DATABASE_PATH"]
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
    sent = sent_rows(database)
    if sent:
        assert sent == Counter({(w.guild.id, f): 1 for w in worlds for f in ("quote", "fact")})
    assert "refusing interaction" not in logs and "Traceback" not in logs
    assert "'sent': 4" in logs  # each process posted its own four servers' facts
