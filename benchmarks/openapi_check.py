"""What checking requests against Discord's OpenAPI description costs the emulator.

Run from the project root: ``python -m benchmarks.openapi_check [--requests N] [--rounds N]``.

One emulator, one HTTP client in the same process, and the bodies the bot sends most (a card with
an embed and buttons, its edit, a follow-up, a command sync, a channel read). Each round is made of
short turns (50 requests) with the check off and on, in alternating order, so the machine's load
drifts over both alike. It prints the time per request (wall, and CPU of the process: the client's
share is the same in both), the on/off ratio of each round and their median; then the check alone
per body, and its one-time costs: reading the description and compiling one operation's validator.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import aiohttp

from benchmarks._common import machine
from bot.sandbox import Driver
from bot.sandbox.api_spec import ApiSpec, load_document

#: Requests per turn: one pass of the mix is 5 requests.
TURN = 50


def card(n: int) -> dict[str, Any]:
    """A fact card as the bot sends one: an embed with a source, fields and two buttons."""
    return {
        "content": None,
        "embeds": [
            {
                "type": "rich",
                "title": f"K-Pops! fact #{n}",
                "description": "Anderson .Paak directed the film and stars in it with his son. "
                * 4,
                "url": "https://example.org/article",
                "color": 0x9B59B6,
                "fields": [
                    {"name": "Source", "value": "[A newspaper, 2026-01-01](https://example.org/a)"},
                    {"name": "Topic", "value": "production", "inline": True},
                ],
                "footer": {"text": "Use /film fact for another"},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "Another fact", "custom_id": f"fact:{n}"},
                    {
                        "type": 2,
                        "style": 5,
                        "label": "Read the source",
                        "url": "https://example.org",
                    },
                ],
            }
        ],
        "allowed_mentions": {"parse": []},
        "flags": 0,
    }


def commands() -> list[dict[str, Any]]:
    option = {"type": 3, "name": "name", "description": "An artist", "autocomplete": True}
    return [
        {
            "type": 1,
            "name": f"cmd{i}",
            "description": "A command",
            "options": [
                {"type": 1, "name": "artist", "description": "One artist", "options": [option]},
                {"type": 1, "name": "path", "description": "A lineage", "options": [option]},
            ],
            "contexts": [0],
            "integration_types": [0],
        }
        for i in range(8)
    ]


async def send_mix(http: aiohttp.ClientSession, driver: Driver, channel_id: int, count: int) -> int:
    """Send ``count`` requests of the mix; returns how many were sent."""
    base = driver.api_base
    sent = 0
    message_id: str | None = None
    while sent < count:
        step = sent % 5
        if step == 0 or message_id is None:
            async with http.post(f"{base}/channels/{channel_id}/messages", json=card(sent)) as r:
                message_id = (await r.json())["id"]
        elif step == 1:
            url = f"{base}/channels/{channel_id}/messages/{message_id}"
            async with http.patch(url, json={"embeds": card(sent)["embeds"]}) as r:
                await r.read()
        elif step == 2:
            async with http.post(
                f"{base}/channels/{channel_id}/messages", json={"content": "Voted!", "flags": 0}
            ) as r:
                await r.read()
        elif step == 3:
            async with http.put(
                f"{base}/applications/{driver.app_id}/commands", json=commands()
            ) as r:
                await r.read()
        else:
            async with http.get(f"{base}/channels/{channel_id}") as r:
                await r.read()
        sent += 1
    return sent


async def measure(
    http: aiohttp.ClientSession, driver: Driver, channel_id: int, count: int
) -> tuple[float, float]:
    """(wall, CPU) seconds per request."""
    wall, cpu = time.perf_counter(), time.process_time()
    sent = await send_mix(http, driver, channel_id, count)
    return (time.perf_counter() - wall) / sent, (time.process_time() - cpu) / sent


def check_alone(rounds: int) -> tuple[float, float, float]:
    """(load s, first compile s, µs per check) of the description on its own."""
    started = time.perf_counter()
    spec = ApiSpec(load_document())
    loaded = time.perf_counter() - started
    path = "/channels/1/messages"
    operation = spec.operation("POST", path)
    assert operation is not None
    started = time.perf_counter()
    spec.validator(operation)
    compiled = time.perf_counter() - started
    bodies = [card(i) for i in range(100)]
    started = time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            assert spec.check("POST", path, body) == []
    per_check = (time.perf_counter() - started) / (rounds * len(bodies)) * 1e6
    return loaded, compiled, per_check


async def main(requests: int, rounds: int) -> int:
    print(f"openapi_check: {requests} requests per turn, {rounds} rounds; {machine()}")
    loaded, compiled, per_check = check_alone(max(1, rounds))
    print(
        f"the check alone: {per_check:.1f} µs per card body; reading the description "
        f"{loaded * 1000:.0f} ms once per process, one operation's validator {compiled * 1000:.1f} ms"
    )
    driver = Driver()
    await driver.start()
    try:
        guild = driver.add_guild("Bench", channels=("c0",))
        channel_id = next(iter(guild.channels))
        headers = {"Authorization": f"Bot {driver.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            for check in (False, True):  # warm both paths (and compile the validators)
                driver.openapi_check = check
                await measure(http, driver, channel_id, 50)
            ratios_wall: list[float] = []
            ratios_cpu: list[float] = []
            for i in range(rounds):
                # Short turns, off and on in alternating order, so the machine's drifting load
                # falls on both alike; each figure is the mean over its turns.
                totals = {False: [0.0, 0.0], True: [0.0, 0.0]}
                turns = max(1, requests // TURN)
                for turn in range(turns):
                    order = (False, True) if (i + turn) % 2 == 0 else (True, False)
                    for check in order:
                        driver.openapi_check = check
                        wall, cpu = await measure(http, driver, channel_id, TURN)
                        totals[check][0] += wall / turns
                        totals[check][1] += cpu / turns
                (off_wall, off_cpu), (on_wall, on_cpu) = totals[False], totals[True]
                ratios_wall.append(on_wall / off_wall)
                ratios_cpu.append(on_cpu / off_cpu)
                print(
                    f"round {i + 1}: off {off_wall * 1e6:.0f} µs wall / {off_cpu * 1e6:.0f} µs CPU,"
                    f" on {on_wall * 1e6:.0f} µs wall / {on_cpu * 1e6:.0f} µs CPU per request;"
                    f" ratio on/off {ratios_wall[-1]:.3f} wall, {ratios_cpu[-1]:.3f} CPU"
                )
        print(
            f"median ratio on/off: {statistics.median(ratios_wall):.3f} wall, "
            f"{statistics.median(ratios_cpu):.3f} CPU per request"
        )
    finally:
        await driver.stop()
    if driver.violations:
        print(f"unexpected violations: {driver.violations[:3]}")
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The cost of the OpenAPI check per request.")
    parser.add_argument("--requests", type=int, default=2000, help="requests per turn")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.requests, args.rounds)))
