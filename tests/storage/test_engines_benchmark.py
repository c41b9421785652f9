"""benchmarks/storage_engines.py still runs and prints its table (tiny sizes; no figure judged)."""

from __future__ import annotations

from tests.test_benchmarks import run_benchmark


async def test_storage_engines_prints_each_variant(postgres_url: str) -> None:
    code, out = await run_benchmark(
        "benchmarks.storage_engines", "--ops", "9", "--rounds", "1", "--url", postgres_url
    )
    assert code == 0, out
    for variant in ("aiosqlite", "asyncpg", "asyncpg+reset"):
        assert f"\n{variant} " in out, out
    assert "vote µs" in out, out
