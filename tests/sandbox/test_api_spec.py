"""The emulator's second opinion: every request checked against Discord's OpenAPI description."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest

from bot.client import KpopsBot
from bot.sandbox import Driver
from bot.sandbox.api_spec import ApiSpec, discord_api_spec, load_document
from bot.sandbox.server import Emulator
from tests.conftest import World


def take_openapi_violations(driver: Driver) -> list[str]:
    """The description's findings (these tests provoke them); cleared for the fixture's check."""
    found = [v.detail for v in driver.violations if v.rule == "openapi"]
    driver.violations.clear()
    return found


async def test_a_wrongly_typed_embed_is_a_violation(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    # Within every limit the emulator counts, so only the description can object to it.
    body = {"embeds": [{"title": "Fact", "color": "purple"}]}
    async with http.post(f"/api/v10/channels/{world.general.id}/messages", json=body) as resp:
        assert resp.status == 200
    found = take_openapi_violations(driver)
    assert found == [
        'POST /channels/{channel_id}/messages: embeds.0.color: "purple" is not of types "null", "integer"'
    ]


async def test_a_union_error_names_the_closest_branch(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    button = {"type": 2, "style": 1, "label": "ok", "custom_id": "a", "disabled": "no"}
    body = {"content": "x", "components": [{"type": 1, "components": [button]}]}
    async with http.post(f"/api/v10/channels/{world.general.id}/messages", json=body) as resp:
        assert resp.status == 200
    (found,) = take_openapi_violations(driver)
    assert found.endswith(
        'components.0.components.0.disabled: "no" is not of types "null", "boolean"'
    )


async def test_multipart_payload_json_is_checked(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    form = aiohttp.FormData()
    form.add_field("payload_json", '{"content": 42}', content_type="application/json")
    form.add_field("files[0]", b"hello", filename="a.txt", content_type="text/plain")
    async with http.post(f"/api/v10/channels/{world.general.id}/messages", data=form):
        pass
    found = take_openapi_violations(driver)
    assert any("content: 42 is not of types" in f for f in found), found


async def test_a_route_the_description_lacks_is_a_violation(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    async with http.get("/api/v10/channels/1/no-such-thing") as resp:
        assert resp.status == 404
    found = take_openapi_violations(driver)
    assert found == ["GET /channels/1/no-such-thing is not in Discord's API description"]


async def test_a_body_where_none_is_taken_is_a_violation(
    driver: Driver, world: World, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"/api/v10/channels/{world.general.id}", json={"x": 1}) as resp:
        assert resp.status == 200
    assert take_openapi_violations(driver) == [
        "GET /channels/{channel_id} takes no body, but one was sent"
    ]


async def test_stock_discord_py_integer_snowflakes_are_allowed(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    """discord.py sends integer ids in allowed_mentions and message_reference; Discord takes them."""
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("first")
    fan = discord.Object(world.fan.id)
    await channel.send(
        f"hi <@{world.fan.id}>",
        allowed_mentions=discord.AllowedMentions(users=[fan], roles=False, everyone=False),
        reference=first,
    )
    assert driver.violations == []
    sent: dict[str, Any] = {
        "content": "x",
        "allowed_mentions": {"parse": [], "users": [world.fan.id]},
        "message_reference": {"message_id": first.id, "channel_id": channel.id},
    }
    path = f"/channels/{channel.id}/messages"
    assert discord_api_spec().check("POST", path, sent) == []
    # Exactly that is allowed: without the allowance the same body is refused, and with it a
    # negative or fractional id or an id in words still is.
    strict = ApiSpec(load_document(), allowances=False)
    assert strict.check("POST", path, sent) != []
    for wrong in (-1, 1.5, "fan"):
        body = {"content": "x", "allowed_mentions": {"parse": [], "users": [wrong]}}
        assert discord_api_spec().check("POST", path, body) != [], wrong


def test_literal_segments_win_over_parameters() -> None:
    spec = discord_api_spec()
    original = spec.operation("PATCH", "/webhooks/1/tok/messages/@original")
    numbered = spec.operation("PATCH", "/webhooks/1/tok/messages/22")
    me = spec.operation("GET", "/users/@me")
    assert original is not None and original.template.endswith("/@original")
    assert numbered is not None and numbered.template.endswith("/{message_id}")
    assert me is not None and me.template == "/users/@me"


async def test_the_check_can_be_turned_off(
    world: World, monkeypatch: pytest.MonkeyPatch, driver: Driver
) -> None:
    monkeypatch.setenv("SANDBOX_OPENAPI_CHECK", "0")
    assert Emulator().openapi_check is False
    assert Emulator(openapi_check=True).openapi_check is True
    monkeypatch.delenv("SANDBOX_OPENAPI_CHECK")
    assert Emulator().openapi_check is True
    driver.openapi_check = False
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {driver.token}"}) as http:
        body = {"embeds": [{"title": "Fact", "color": "purple"}]}
        async with http.post(f"{driver.api_base}/channels/{world.general.id}/messages", json=body):
            pass
    assert driver.violations == []


async def test_the_benchmark_script_prints_both_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """benchmarks/openapi_check.py at a tiny size: it runs and prints its ratio (never judged)."""
    from benchmarks.openapi_check import main

    assert await main(requests=20, rounds=2) == 0
    out = capsys.readouterr().out
    assert "the check alone:" in out and "median ratio on/off:" in out
