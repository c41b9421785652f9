"""The scale benchmarks still run on PostgreSQL and print their figures (tiny sizes; no figure is
judged here: benchmarks/README.md holds the measured ones)."""

from __future__ import annotations

import os

import pytest

from tests.postgres import find_bin_dir
from tests.test_benchmarks import run_benchmark

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def postgresql_binaries() -> None:
    if find_bin_dir() is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) not found"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the PostgreSQL benchmarks: {reason}", pytrace=False)
        pytest.skip(reason)


async def test_scale_prints_every_layout_and_the_memory_slope() -> None:
    code, out = await run_benchmark(
        "benchmarks.scale",
        "--servers",
        "40",
        "--seconds",
        "1",
        "--rounds",
        "1",
        "--processes",
        "1",
        "2",
    )
    assert code == 0, out
    rows = [line.split(" | ") for line in out.splitlines() if line[:4] in ("1 | ", "2 | ")]
    assert [row[0] for row in rows] == ["1", "2"], out
    assert [row[3] for row in rows] == ["40", "20"], out  # servers per process
    assert all(float(row[1]) > 0 for row in rows), out  # interactions were answered
    assert "RSS per 1,000 servers:" in out, out


async def test_interactions_runs_kpops_bot_on_postgresql() -> None:
    code, out = await run_benchmark(
        "benchmarks.interactions",
        "--count",
        "10",
        "--rounds",
        "1",
        "--concurrency",
        "2",
        "--database",
        "postgresql",
    )
    assert code == 0, out
    assert "kpops-bot's database PostgreSQL" in out and "/poll standings" in out, out
