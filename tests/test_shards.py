"""Shard settings, ownership and the shared rate-limit budget (no gateway: pure logic)."""

from __future__ import annotations

import bisect
import random
import re
from pathlib import Path

import discord
import pytest

from bot.health import HEARTBEAT_KEY, heartbeat_key
from bot.scheduler import TokenBucket
from bot.settings import SettingsError, load_settings
from bot.shards import (
    GLOBAL_REQUESTS_PER_SECOND,
    JITTER_SECONDS,
    MAX_PROCESSES,
    RESERVED_REQUESTS_PER_SECOND,
    NotOwnedError,
    ShardSettingError,
    assert_owns,
    format_shard_ids,
    owns,
    pacing,
    parse_shard_ids,
    shard_of,
)

SHARD_SETTINGS = ("SHARD_COUNT", "SHARD_IDS", "DISCORD_TOKEN")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in SHARD_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    return monkeypatch


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [
        ("0-3", 8, (0, 1, 2, 3)),
        ("4,5", 8, (4, 5)),
        ("0-1, 6", 8, (0, 1, 6)),
        ("3", 4, (3,)),
        ("2-2,2", 4, (2,)),
    ],
)
def test_shard_ids_are_ranges_and_lists(text: str, count: int, expected: tuple[int, ...]) -> None:
    assert parse_shard_ids(text, count) == expected
    assert parse_shard_ids(format_shard_ids(expected), count) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("3-1", "backwards"),
        ("0-4", "names shard 4"),
        ("a", "like 0-3 or 4,5"),
        ("1,,2", "empty entry"),
        ("-1", "like 0-3 or 4,5"),
    ],
)
def test_bad_shard_ids_say_why(text: str, says: str) -> None:
    with pytest.raises(ShardSettingError, match=says):
        parse_shard_ids(text, 4)


def test_settings_without_shards_leave_the_count_to_discord(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert (settings.shard_count, settings.shard_ids, settings.shard_label) == (None, None, "all")


def test_settings_with_a_range(env: pytest.MonkeyPatch) -> None:
    env.setenv("SHARD_COUNT", "8")
    env.setenv("SHARD_IDS", "4-7")
    settings = load_settings()
    assert (settings.shard_count, settings.shard_ids, settings.shard_label) == (
        8,
        (4, 5, 6, 7),
        "4-7",
    )
    assert "shard_ids=(4, 5, 6, 7)" in repr(settings)


@pytest.mark.parametrize(
    ("count", "ids", "says"),
    [
        ("", "0-1", "SHARD_IDS is set ('0-1') but SHARD_COUNT is not"),
        ("0", "", "SHARD_COUNT must be a number of shards from 1"),
        ("two", "", "SHARD_COUNT must be a number of shards from 1"),
        ("4", "3-5", "names shard 4, but SHARD_COUNT 4 numbers them 0-3"),
        ("100", "7", "100 processes would share one token"),
    ],
)
def test_bad_shard_settings_are_one_clear_line(
    env: pytest.MonkeyPatch, count: str, ids: str, says: str
) -> None:
    env.setenv("SHARD_COUNT", count)
    env.setenv("SHARD_IDS", ids)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_the_shard_formula_is_discords() -> None:
    # Discord's documented example: (id >> 22) % num_shards.
    guild_id = 197038439483310086
    assert shard_of(guild_id, 1) == 0
    assert shard_of(guild_id, 4) == (guild_id >> 22) % 4
    assert {shard_of((ms << 22) | 7, 4) for ms in range(100, 104)} == {0, 1, 2, 3}


def client(count: int, ids: list[int] | None) -> discord.AutoShardedClient:
    # Never connected: held() reads the same public attributes a running bot has.
    if ids is None:
        return discord.AutoShardedClient(intents=discord.Intents.none(), shard_count=count)
    return discord.AutoShardedClient(
        intents=discord.Intents.none(), shard_count=count, shard_ids=ids
    )


async def test_a_process_owns_only_its_shards_servers() -> None:
    first, second = client(4, [0, 1]), client(4, [2, 3])
    everything = client(4, None)
    for ms in range(1000, 1040):
        guild_id = (ms << 22) | 5
        assert owns(first, guild_id) != owns(second, guild_id)  # exactly one of the two
        assert owns(everything, guild_id)
    foreign = (1002 << 22) | 5  # 1002 % 4 == 2
    with pytest.raises(NotOwnedError, match="shard 2 of 4, but this process holds shards 0-1"):
        assert_owns(first, foreign)
    assert_owns(second, foreign)
    assert_owns(first, None)  # a DM belongs to no server


def window_peak(times: list[float]) -> int:
    """The most events in any one-second window (sliding, as Discord counts)."""
    ordered = sorted(times)
    return max(bisect.bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered))


async def acquisition_times(rate: float, burst: int, count: int) -> list[float]:
    """When a bucket hands out ``count`` tokens to a caller that always wants the next one."""
    now = 0.0

    async def sleep(seconds: float) -> None:
        nonlocal now
        now += seconds

    bucket = TokenBucket(rate, burst, monotonic=lambda: now, sleep=sleep)
    times = []
    for _ in range(count):
        await bucket.acquire()
        times.append(now)
    return times


@pytest.mark.parametrize("processes", [1, 2, 4, 8, 16, 48])
async def test_all_processes_together_stay_under_the_global_limit(processes: int) -> None:
    shard_count = 48
    held = shard_count // processes
    pace = pacing(held, shard_count)
    # Every process starts its fan-out at the same instant with a full bucket (the worst case),
    # and each request reaches Discord up to the allowed jitter late (squeezing some together).
    jitter = random.Random(processes)
    together = [
        sent + jitter.uniform(0, JITTER_SECONDS * 0.999)
        for _ in range(processes)
        for sent in await acquisition_times(pace.posts_per_second, pace.burst, 480 // processes)
    ]
    budget = GLOBAL_REQUESTS_PER_SECOND - RESERVED_REQUESTS_PER_SECOND
    assert window_peak(together) <= budget  # the reserve is left for the bot's other requests
    # ... and the budget is used: together they post at least 46 a second once under way.
    assert len(together) / max(together) >= 46


def test_pacing_shares_by_held_shards() -> None:
    alone = pacing(4, 4)
    assert alone.burst == 2 and 46 <= alone.posts_per_second < 47
    half = pacing(2, 4)
    assert half.burst == 1 and half.posts_per_second == pytest.approx(
        alone.posts_per_second / 2, rel=0.03
    )
    with pytest.raises(ValueError):
        pacing(0, 4)
    with pytest.raises(ShardSettingError, match="give each process more shards"):
        pacing(1, MAX_PROCESSES + 1)


def test_each_process_keeps_its_own_heartbeat() -> None:
    assert heartbeat_key("all") == HEARTBEAT_KEY
    assert heartbeat_key("0-1") != heartbeat_key("2-3")


DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def compose_values(name: str) -> list[str]:
    """Every ``NAME: "value"`` of the compose file, in order (the file keeps them one per line)."""
    pattern = re.compile(rf'^\s+{name}:\s*"?([^"\s]+)"?\s*$')
    return [
        m.group(1)
        for line in (DEPLOY / "compose.yaml").read_text().splitlines()
        if (m := pattern.match(line))
    ]


def test_the_compose_file_splits_every_shard_between_its_bot_processes() -> None:
    counts = {int(c) for c in compose_values("SHARD_COUNT")}
    assert len(counts) == 1, "every process must agree on SHARD_COUNT"
    count = counts.pop()
    ranges = [parse_shard_ids(r, count) for r in compose_values("SHARD_IDS")]
    assert len(ranges) >= 2
    held = [shard for r in ranges for shard in r]
    assert sorted(held) == list(range(count)), "each shard held by exactly one process"
    assert len({len(r) for r in ranges}) == 1, "equal ranges (the rate-limit shares assume it)"
    urls = compose_values("DATABASE_URL")
    assert len(urls) == len(ranges) and all(u.startswith("postgresql://") for u in urls)
    text = (DEPLOY / "compose.yaml").read_text()
    assert "image: postgres:" in text and "pg_isready" in text and "service_healthy" in text


def test_the_systemd_template_runs_one_shard_range_per_instance() -> None:
    unit = (DEPLOY / "kpops-bot@.service").read_text()
    settings = [line for line in unit.splitlines() if "=" in line and not line.startswith("#")]
    assert "Environment=SHARD_IDS=%i" in settings
    assert "EnvironmentFile=/etc/kpops-bot.env" in settings
    assert any(s.startswith("ExecStart=") and s.endswith("-m bot") for s in settings)
    assert {"Restart=on-failure", "KillSignal=SIGTERM", "RestartPreventExitStatus=2"} <= set(
        settings
    )
    # The instance names the README shows are ranges SHARD_IDS accepts.
    for instance in re.findall(r"kpops-bot@([0-9-]+)", unit):
        parse_shard_ids(instance, 4)
