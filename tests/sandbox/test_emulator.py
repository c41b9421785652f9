"""The emulator rejects what Discord rejects, so a green end-to-end test means Discord would accept it."""

from __future__ import annotations

import json
import time
import zlib
from typing import Any

import aiohttp

from bot import limits
from bot.sandbox import Driver
from bot.sandbox.state import Overwrite
from tests.conftest import World


async def post(http: aiohttp.ClientSession, path: str, body: Any) -> tuple[int, Any]:
    async with http.post(f"/api/v10{path}", json=body) as resp:
        return resp.status, await resp.json()


def expect_rejected(driver: Driver, count: int = 1) -> None:
    """These tests provoke violations of the emulator's own rules on purpose; check and clear them.

    Discord's API description (checked as well) refuses some of the same bodies; those second
    opinions are tested in test_api_spec.py.
    """
    own = [v for v in driver.violations if v.rule == "limits"]
    assert len(own) == count, driver.violations
    driver.violations.clear()


async def test_message_limits(driver: Driver, world: World, http: aiohttp.ClientSession) -> None:
    path = f"/channels/{world.general.id}/messages"
    status, body = await post(http, path, {"content": "x" * (limits.CONTENT_MAX + 1)})
    assert status == 400 and body["code"] == 50035 and "content" in body["errors"]
    status, _ = await post(http, path, {"content": "x" * limits.CONTENT_MAX})
    assert status == 200
    big = [{"title": "t", "description": "d" * 4000}, {"description": "d" * 2001}]
    status, body = await post(http, path, {"embeds": big})
    assert status == 400 and "embeds" in body["errors"]
    field = {"name": "n", "value": "v" * (limits.EMBED_FIELD_VALUE_MAX + 1)}
    status, _ = await post(http, path, {"embeds": [{"fields": [field]}]})
    assert status == 400
    status, body = await post(http, path, {})
    assert status == 400
    expect_rejected(driver, 4)


async def test_component_limits(driver: Driver, world: World, http: aiohttp.ClientSession) -> None:
    path = f"/channels/{world.general.id}/messages"

    def button(cid: str, label: str = "ok") -> dict[str, Any]:
        return {"type": 2, "style": 1, "label": label, "custom_id": cid}

    dup = [{"type": 1, "components": [button("a"), button("a")]}]
    assert (await post(http, path, {"content": "x", "components": dup}))[0] == 400
    six = [{"type": 1, "components": [button(str(i)) for i in range(6)]}]
    assert (await post(http, path, {"content": "x", "components": six}))[0] == 400
    long_id = [{"type": 1, "components": [button("x" * 101)]}]
    assert (await post(http, path, {"content": "x", "components": long_id}))[0] == 400
    long_label = [{"type": 1, "components": [button("a", "l" * 81)]}]
    assert (await post(http, path, {"content": "x", "components": long_label}))[0] == 400
    rows = [{"type": 1, "components": [button(f"r{i}")]} for i in range(6)]
    assert (await post(http, path, {"content": "x", "components": rows}))[0] == 400
    ok = [{"type": 1, "components": [button(f"b{i}") for i in range(5)]}]
    assert (await post(http, path, {"content": "x", "components": ok}))[0] == 200
    expect_rejected(driver, 5)


async def test_permissions_and_unknown_channel(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    bot_role = driver.bot_member(world.guild).role_ids[0]
    world.daily.overwrites.append(Overwrite(bot_role, 0, deny=limits.SEND_MESSAGES))
    status, body = await post(http, f"/channels/{world.daily.id}/messages", {"content": "hi"})
    assert status == 403 and body["code"] == 50013
    status, body = await post(http, "/channels/123/messages", {"content": "hi"})
    assert status == 404 and body["code"] == 10003
    expect_rejected(driver, 2)


async def test_unauthorized_and_unknown_routes(driver: Driver, world: World) -> None:
    async with aiohttp.ClientSession() as anon:
        async with anon.get(f"{driver.api_base}/users/@me") as resp:
            assert resp.status == 401
        async with anon.get(
            f"{driver.api_base}/guilds/1/bans", headers={"Authorization": f"Bot {driver.token}"}
        ) as resp:
            assert resp.status == 404
    expect_rejected(driver, 2)


async def test_command_registration_limits(driver: Driver, http: aiohttp.ClientSession) -> None:
    path = f"/applications/{driver.app_id}/commands"
    async with http.put(f"/api/v10{path}", json=[{"name": "ok", "description": "d" * 101}]) as resp:
        assert resp.status == 400
    opts = [
        {"name": "a", "description": "a", "type": 3},
        {"name": "b", "description": "b", "type": 3, "required": True},
    ]
    async with http.put(
        f"/api/v10{path}", json=[{"name": "ok", "description": "d", "options": opts}]
    ) as resp:
        assert resp.status == 400
    async with http.put(f"/api/v10{path}", json=[{"name": "Bad Name", "description": "d"}]) as resp:
        assert resp.status == 400
    many = [{"name": f"c{i}", "description": "d"} for i in range(101)]
    async with http.put(f"/api/v10{path}", json=many) as resp:
        assert resp.status == 400
    async with http.put(f"/api/v10{path}", json=[{"name": "ok", "description": "fine"}]) as resp:
        assert resp.status == 200
        assert (await resp.json())[0]["id"]
    expect_rejected(driver, 4)
    assert driver.command_syncs == ["global"]


async def test_old_message_edit_cap(
    driver: Driver, world: World, http: aiohttp.ClientSession, clock: Any
) -> None:
    _, msg = await post(http, f"/channels/{world.general.id}/messages", {"content": "poll"})
    url = f"/api/v10/channels/{world.general.id}/messages/{msg['id']}"
    for _ in range(10):  # young messages: no special cap
        async with http.patch(url, json={"content": "edit"}) as resp:
            assert resp.status == 200
    clock.advance(hours=2)
    statuses = []
    for _ in range(driver.old_message_edit_cap + 1):
        async with http.patch(url, json={"content": "edit"}) as resp:
            statuses.append((resp.status, (await resp.json()).get("code")))
    assert statuses[-1] == (400, 30046)
    assert all(s == (200, None) for s in statuses[:-1])
    expect_rejected(driver, 1)


async def test_injected_429_carries_what_discord_py_needs(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    driver.fail("POST", r"/channels/\d+/messages", times=1, retry_after=0.25)
    async with http.post(
        f"/api/v10/channels/{world.general.id}/messages", json={"content": "x"}
    ) as resp:
        assert resp.status == 429
        assert resp.headers["Via"] and resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["retry_after"] == 0.25
    async with http.post(
        f"/api/v10/channels/{world.general.id}/messages", json={"content": "x"}
    ) as resp:
        assert resp.status == 200


async def test_global_rate_limit(driver: Driver, world: World, http: aiohttp.ClientSession) -> None:
    driver.rate_limit_per_second = 5
    statuses = []
    for _ in range(8):
        async with http.get(f"/api/v10/channels/{world.general.id}") as resp:
            statuses.append(resp.status)
            if resp.status == 429:
                assert resp.headers["X-RateLimit-Global"] == "true"
    assert statuses.count(200) == 5 and statuses.count(429) == 3


def test_pings_follow_allowed_mentions() -> None:
    from bot.sandbox.validation import pings

    text = "@everyone hi <@123> and <@&456>"
    assert pings(text, None) == ["everyone", "user:123", "role:456"]
    assert pings(text, {"parse": []}) == []
    assert pings(text, {"parse": [], "users": ["123"]}) == ["user:123"]


async def test_gateway_speaks_zlib_stream_and_checks_the_token(
    driver: Driver, world: World
) -> None:
    inflator = zlib.decompressobj()
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            f"{driver.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        ) as ws:
            raw = await ws.receive_bytes()
            assert raw.endswith(b"\x00\x00\xff\xff")
            hello = json.loads(inflator.decompress(raw))
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
            await ws.send_json({"op": 1, "d": None})
            ack = json.loads(inflator.decompress(await ws.receive_bytes()))
            assert ack["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
            closed = await ws.receive()
            assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert ws.close_code == 4004


async def test_gateway_refuses_privileged_intents(driver: Driver, world: World) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{driver.gateway_url}?v=10&encoding=json") as ws:
            await ws.receive_json()
            await ws.send_json(
                {"op": 2, "d": {"token": driver.token, "intents": 1 << 15, "properties": {}}}
            )
            await ws.receive()
            assert ws.close_code == 4014
    expect_rejected(driver, 1)


async def test_interaction_deadlines_and_single_acknowledgement(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    # An interaction created by the driver but answered by hand, as a misbehaving bot would.
    result = driver._base_payload(2, world.fan, world.general, {"name": "x"}, "en-US")
    url = f"/api/v10/interactions/{result.id}/{result.token}/callback"
    async with http.post(url, json={"type": 4, "data": {"content": "one"}}) as resp:
        assert resp.status == 200
        body = await resp.json()
        assert body["resource"]["message"]["content"] == "one"
    async with http.post(url, json={"type": 4, "data": {"content": "two"}}) as resp:
        assert resp.status == 400 and (await resp.json())["code"] == 40060
    late = driver._base_payload(2, world.fan, world.general, {"name": "x"}, "en-US")
    late.created = time.monotonic() - 3.5
    async with http.post(
        f"/api/v10/interactions/{late.id}/{late.token}/callback", json={"type": 5}
    ) as resp:
        assert resp.status == 404 and (await resp.json())["code"] == 10062
    auto = driver._base_payload(4, world.fan, world.general, {"name": "x"}, "en-US")
    choices = [{"name": str(i), "value": str(i)} for i in range(26)]
    async with http.post(
        f"/api/v10/interactions/{auto.id}/{auto.token}/callback",
        json={"type": 8, "data": {"choices": choices}},
    ) as resp:
        assert resp.status == 400
    expect_rejected(driver, 3)
