"""/poll standings' picture: K-pop against classic over the season, one column per round.

The data (:func:`season_chart`) is plain and tested; the drawing (:func:`render`) uses Pillow
with the influence map's font (Latin and Hangul) and runs in a worker thread
(:class:`ChartPictures`), so the event loop never waits for it. The picture brings its own dark
card background, so it reads the same in Discord's dark and light themes.
"""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.i18n import N_, t
from bot.i18n.choice import Language
from cogs.influence.map_render import FONT_PATH
from cogs.poll.logic import Round, Side

FILENAME = "standings.png"
MAX_COLUMNS = 20  # the latest rounds; older ones stay in the totals
WIDTH, HEIGHT = 960, 480
PNG_MAX_BYTES = 1024 * 1024  # far under Discord's attachment limit
CACHED = 128

BACKGROUND = (35, 39, 42)  # its own card: readable on dark and light Discord alike
TEXT = (242, 243, 245)
MUTED = (181, 186, 193)
KPOP = (88, 166, 255)  # blue, and classic orange: apart for red-green colour blindness too
CLASSIC = (255, 166, 77)
GRID = (78, 83, 89)

TITLE = N_("K-pop vs classic: this season")
TOTALS = N_("K-pop {kpop} · Classic {classic} · Ties {ties}")
LEGEND_KPOP = N_("K-pop share of the votes")
LEGEND_CLASSIC = N_("Classic share")


@dataclass(frozen=True, slots=True)
class Column:
    label: str  # "R7": the round's number in the season
    kpop_share: float  # 0..1 of the round's votes; 0 with no votes
    votes: int
    winner: Side | None


@dataclass(frozen=True, slots=True)
class SeasonChart:
    kpop_wins: int
    classic_wins: int
    ties: int
    columns: tuple[Column, ...]
    language: Language = "en"


def season_chart(rounds: Sequence[Round], language: Language = "en") -> SeasonChart:
    """The chart's data: the season's wins, and a column for each of the latest rounds."""
    voted = [r for r in rounds if r.tally.total]
    first = max(0, len(rounds) - MAX_COLUMNS)
    columns = tuple(
        Column(
            label=f"R{number}",
            kpop_share=r.tally.kpop / r.tally.total if r.tally.total else 0.0,
            votes=r.tally.total,
            winner=r.tally.winner if r.tally.total else None,
        )
        for number, r in enumerate(rounds[first:], start=first + 1)
    )
    return SeasonChart(
        kpop_wins=sum(1 for r in voted if r.tally.winner == "kpop"),
        classic_wins=sum(1 for r in voted if r.tally.winner == "classic"),
        ties=sum(1 for r in voted if r.tally.winner is None),
        columns=columns,
        language=language,
    )


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)


def render(chart: SeasonChart) -> bytes:
    """The chart as a PNG."""
    language = chart.language
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    big, small = _font(30), _font(20)
    draw.text((32, 24), t(language, TITLE), font=big, fill=TEXT)
    totals = t(language, TOTALS, kpop=chart.kpop_wins, classic=chart.classic_wins, ties=chart.ties)
    draw.text((32, 66), totals, font=small, fill=MUTED)
    left, right, top, bottom = 32, WIDTH - 32, 120, HEIGHT - 80
    for share in (0.0, 0.5, 1.0):  # grid: 0 %, half, all
        y = bottom - share * (bottom - top)
        draw.line([(left, y), (right, y)], fill=GRID, width=1)
    count = max(1, len(chart.columns))
    slot = (right - left) / count
    bar = min(48.0, slot * 0.7)
    for index, column in enumerate(chart.columns):
        x = left + slot * index + (slot - bar) / 2
        if column.votes:
            split = bottom - column.kpop_share * (bottom - top)
            draw.rectangle([(x, top), (x + bar, split)], fill=CLASSIC)
            draw.rectangle([(x, split), (x + bar, bottom)], fill=KPOP)
        else:
            draw.rectangle([(x, top), (x + bar, bottom)], outline=GRID, width=2)
        label_width = draw.textlength(column.label, font=small)
        draw.text((x + (bar - label_width) / 2, bottom + 8), column.label, font=small, fill=MUTED)
    legend_y = HEIGHT - 40
    draw.rectangle([(32, legend_y + 4), (48, legend_y + 20)], fill=KPOP)
    draw.text((56, legend_y), t(language, LEGEND_KPOP), font=small, fill=TEXT)
    offset = 56 + draw.textlength(t(language, LEGEND_KPOP), font=small) + 32
    draw.rectangle([(offset, legend_y + 4), (offset + 16, legend_y + 20)], fill=CLASSIC)
    draw.text((offset + 24, legend_y), t(language, LEGEND_CLASSIC), font=small, fill=TEXT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# One drawing thread, as for the influence map: a chart at a time is quick enough.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poll-chart")


class ChartPictures:
    """Rendered charts by their data, the last ``size`` kept; drawing runs in a worker thread.

    The data is the key: a new round closing changes it, so a stale picture is never served."""

    def __init__(self, size: int = CACHED) -> None:
        self.size = size
        self._pictures: OrderedDict[SeasonChart, bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pictures)

    async def get(self, chart: SeasonChart) -> bytes:
        found = self._pictures.get(chart)
        if found is not None:
            self._pictures.move_to_end(chart)
            return found
        picture = await asyncio.get_running_loop().run_in_executor(_DRAWER, render, chart)
        self._pictures[chart] = picture
        while len(self._pictures) > self.size:
            self._pictures.popitem(last=False)
        return picture
