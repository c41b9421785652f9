"""The standings chart: its data (columns, labels, wins), a valid PNG within limits, and the
picture attached to /poll standings through attachment://."""

from __future__ import annotations

import io

from PIL import Image

from cogs.poll.chart import (
    FILENAME,
    HEIGHT,
    MAX_COLUMNS,
    PNG_MAX_BYTES,
    WIDTH,
    ChartPictures,
    render,
    season_chart,
)
from cogs.poll.logic import Round, Tally
from tests.loop_lag import LagProbe


def rounds(*tallies: tuple[int, int]) -> list[Round]:
    return [Round(i + 1, f"round {i + 1}", Tally(k, c)) for i, (k, c) in enumerate(tallies)]


def test_columns_follow_the_rounds_and_the_wins_add_up() -> None:
    chart = season_chart(rounds((3, 1), (0, 2), (2, 2), (0, 0)))
    assert (chart.kpop_wins, chart.classic_wins, chart.ties) == (1, 1, 1)
    assert [c.label for c in chart.columns] == ["R1", "R2", "R3", "R4"]
    assert [c.kpop_share for c in chart.columns] == [0.75, 0.0, 0.5, 0.0]
    assert [c.winner for c in chart.columns] == ["kpop", "classic", None, None]
    assert [c.votes for c in chart.columns] == [4, 2, 4, 0]


def test_a_long_season_shows_its_latest_rounds_and_counts_them_all() -> None:
    chart = season_chart(rounds(*[(1, 0)] * (MAX_COLUMNS + 5)))
    assert len(chart.columns) == MAX_COLUMNS
    assert chart.columns[0].label == "R6" and chart.columns[-1].label == f"R{MAX_COLUMNS + 5}"
    assert chart.kpop_wins == MAX_COLUMNS + 5


def test_the_png_is_valid_and_within_limits_in_both_languages() -> None:
    for language in ("en", "ko"):
        png = render(season_chart(rounds((3, 1), (0, 2)), language))
        assert len(png) <= PNG_MAX_BYTES
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)


async def test_drawing_never_blocks_the_event_loop() -> None:
    """A loop-lag probe ticks every 2 ms while a chart is drawn in the worker thread."""
    pictures = ChartPictures()
    async with LagProbe() as probe:
        png = await pictures.get(season_chart(rounds(*[(2, 1), (1, 3)] * 10)))
    assert png.startswith(b"\x89PNG") and probe.worst < 0.05
    assert await pictures.get(season_chart(rounds(*[(2, 1), (1, 3)] * 10))) is png  # cached
    assert FILENAME.endswith(".png")
