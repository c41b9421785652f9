"""Drawing a :class:`~cogs.influence.map_layout.MapLayout` as a PNG, and keeping the busiest ones.

The picture is a solid dark card, so it reads the same in Discord's dark and light themes: light
text on it, the entity itself in the brand pink with dark text, links coloured by kind (a palette
chosen to stay apart for the common kinds of colour blindness) with a legend, disputed links dashed.
It is 1,200 pixels wide and names are at least 34 pixels high, so they stay legible when a phone
shrinks the picture to a third; a name too long for its box is wrapped onto two lines, then cut
with an ellipsis. The font (``fonts/``) covers Latin and every Hangul syllable.

``cogs.influence.map_cache`` calls :func:`render` in a worker thread and keeps the pictures.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from math import hypot
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.i18n import ENGLISH, N_, Language, t, tn
from cogs.influence.map_layout import PER_LAYER, MapEdge, MapLayout, MapNode
from cogs.influence.render import KIND_LABELS, kind_label

FONT_PATH = Path(__file__).with_name("fonts") / "KpopsMapSansKR-Regular.otf"
PNG_MAX_BYTES = 8 * 1024 * 1024  # far under Discord's 25 MiB; a map is about 60 KB

# Every word drawn on a picture, in one place; drawn in the layout's language.
LEGEND = N_("Link kinds")
DISPUTED = N_("disputed")
FOOTER = N_("Arrows point from influencer to influenced · sources: /influence artist")
TEXT = {"legend": LEGEND, "disputed": DISPUTED, "footer": FOOTER}
KIND_NAMES = KIND_LABELS


def more_text(language: Language, count: int) -> str:
    return tn(language, "and {n} more", "and {n} more", count)


def gap_text(language: Language, count: int) -> str:
    return tn(language, "… {n} more step …", "… {n} more steps …", count)


# Colours: a card that works on both themes, and Okabe-Ito-like link colours bright enough on it.
CARD = (30, 31, 46)
BOX = (52, 54, 84)
BOX_EDGE = (98, 102, 150)
TEXT_COLOUR = (242, 243, 245)
MUTED = (176, 180, 204)
HIGHLIGHT = (255, 94, 154)  # the bot's brand pink
HIGHLIGHT_TEXT = (20, 20, 28)
KIND_COLOURS = {
    "own-words": (86, 180, 233),  # sky blue
    "credit": (230, 159, 0),  # orange
    "cover": (0, 200, 140),  # bluish green
    "sample": (240, 228, 66),  # yellow
    "interpolation": (213, 94, 0),  # vermillion
    "critic": (190, 150, 255),  # lavender
    "lineage": (220, 220, 220),  # light grey
}
OTHER_KIND = (150, 150, 150)

WIDTH = 1200
MARGIN = 40
GAP = 24  # between boxes in a row
BOX_W = (WIDTH - 2 * MARGIN - (PER_LAYER - 1) * GAP) // PER_LAYER
BOX_H = 104
PATH_BOX_W = 520
ROW_H = 200  # a row of boxes and the room for arrows under it
HEADER_H = 130  # the title and one line under it
LEGEND_ROW_H = 44
LEGEND_COLUMNS = 2
LINE = 5
ARROW = 18
DASH = (18, 12)

TITLE_SIZE = 44
NAME_SIZE = 34
SMALL_SIZE = 26


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------
def _pixels(ch: str, size: int) -> bytes:
    image = Image.new("L", (size * 2, size * 2))
    ImageDraw.Draw(image).text((0, 0), ch, font=font(size), fill=255)
    return image.tobytes()


@cache
def _notdef(size: int) -> bytes:
    """What the font draws for a character it lacks (U+FFFF is never a character)."""
    return _pixels("\uffff", size)


@cache
def has_glyph(ch: str, size: int = SMALL_SIZE) -> bool:
    """False when the font would draw its missing-glyph box for ``ch``."""
    return ch.isspace() or _pixels(ch, size) != _notdef(size)


def drawable(text: str) -> str:
    """Text as the font can draw it: controls and invisible characters dropped, runs of spaces
    made one, characters the font lacks shown as "?" (never a missing-glyph box)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn"):
            out.append(" " if ch in "\t\n\r" else "")
        else:
            out.append(ch if has_glyph(ch) else "?")
    return " ".join("".join(out).split())


def clip(text: str, width: float, face: ImageFont.FreeTypeFont) -> str:
    """The longest start of ``text`` that fits ``width``, with an ellipsis if anything was cut."""
    if face.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if face.getlength(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def wrap(text: str, width: float, face: ImageFont.FreeTypeFont, lines: int = 2) -> list[str]:
    """Up to ``lines`` lines within ``width``, broken at spaces where possible; the last one cut
    with an ellipsis if the text does not fit."""
    text = drawable(text) or "?"
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1:
        if face.getlength(rest) <= width:
            break
        words = rest.split(" ")
        line = words[0]
        for count in range(len(words), 0, -1):
            candidate = " ".join(words[:count])
            if face.getlength(candidate) <= width:
                line = candidate
                break
        else:  # one word wider than the box: break it where it stops fitting
            line = clip(words[0], width, face).removesuffix("…")
            line = line or words[0][:1]
        out.append(line)
        rest = rest[len(line) :].lstrip()
    if rest:
        out.append(clip(rest, width, face))
    return out


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------
Box = tuple[int, int, int, int]


def _box_width(layout: MapLayout) -> int:
    return PATH_BOX_W if layout.gaps or _is_column(layout) else BOX_W


def _is_column(layout: MapLayout) -> bool:
    return all(n.slot == 0 for n in layout.nodes) and not layout.more and len(layout.nodes) > 1


def boxes(layout: MapLayout) -> tuple[dict[str, Box], dict[int, Box]]:
    """Where each entity's box goes, and each row's "and N more" box."""
    rows = layout.rows()
    width = _box_width(layout)
    placed: dict[str, Box] = {}
    more: dict[int, Box] = {}
    for index, layer in enumerate(rows):
        count = layout.slots(layer)
        row_width = count * width + (count - 1) * GAP
        left = (WIDTH - row_width) // 2
        top = HEADER_H + index * ROW_H + (ROW_H - BOX_H) // 2 - 20
        for node in layout.row(layer):
            x = left + node.slot * (width + GAP)
            placed[node.entity_id] = (x, top, x + width, top + BOX_H)
        if layout.more.get(layer):
            x = left + (count - 1) * (width + GAP)
            more[layer] = (x, top, x + width, top + BOX_H)
    return placed, more


def height(layout: MapLayout) -> int:
    legend_rows = 1 + -(-len(legend_entries()) // LEGEND_COLUMNS)  # its heading, then the entries
    return HEADER_H + len(layout.rows()) * ROW_H + legend_rows * LEGEND_ROW_H + 70


def _anchor(box: Box, toward: Box, *, bottom: bool) -> tuple[float, float]:
    """Where a link leaves or enters a box: on its top or bottom side, shifted toward the other
    box so the links of a busy box fan out instead of meeting in one point."""
    centre = (box[0] + box[2]) / 2
    other = (toward[0] + toward[2]) / 2
    half = (box[2] - box[0]) / 2 - 16
    x = centre + max(-half, min(half, (other - centre) * 0.35))
    return x, box[3] if bottom else box[1]


def _dashed(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    colour: tuple[int, int, int],
) -> None:
    length = hypot(end[0] - start[0], end[1] - start[1])
    if length == 0:
        return
    ux, uy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    position = 0.0
    while position < length:
        stop = min(position + DASH[0], length)
        draw.line(
            [
                (start[0] + ux * position, start[1] + uy * position),
                (start[0] + ux * stop, start[1] + uy * stop),
            ],
            fill=colour,
            width=LINE,
        )
        position = stop + DASH[1]


def _arrow(draw: ImageDraw.ImageDraw, edge: MapEdge, source: Box, target: Box) -> None:
    colour = KIND_COLOURS.get(edge.kind, OTHER_KIND)
    down = target[1] >= source[3]
    start = _anchor(source, target, bottom=down)
    end = _anchor(target, source, bottom=not down)
    length = hypot(end[0] - start[0], end[1] - start[1]) or 1.0
    ux, uy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    shaft_end = (end[0] - ux * ARROW, end[1] - uy * ARROW)
    if edge.disputed:
        _dashed(draw, start, shaft_end, colour)
    else:
        draw.line([start, shaft_end], fill=colour, width=LINE)
    wing = ARROW * 0.6
    draw.polygon(
        [
            end,
            (shaft_end[0] - uy * wing, shaft_end[1] + ux * wing),
            (shaft_end[0] + uy * wing, shaft_end[1] - ux * wing),
        ],
        fill=colour,
    )


def _label(
    draw: ImageDraw.ImageDraw, box: Box, text: str, colour: tuple[int, int, int], size: int
) -> None:
    face = font(size)
    lines = wrap(text, box[2] - box[0] - 24, face)
    line_h = size + 6
    top = (box[1] + box[3]) / 2 - line_h * len(lines) / 2
    for number, line in enumerate(lines):
        draw.text(
            ((box[0] + box[2]) / 2, top + number * line_h + line_h / 2),
            line,
            font=face,
            fill=colour,
            anchor="mm",
        )


def _node(draw: ImageDraw.ImageDraw, node: MapNode, box: Box) -> None:
    if node.highlighted:
        draw.rounded_rectangle(box, radius=18, fill=HIGHLIGHT, outline=TEXT_COLOUR, width=4)
        _label(draw, box, node.name, HIGHLIGHT_TEXT, NAME_SIZE)
    else:
        draw.rounded_rectangle(box, radius=18, fill=BOX, outline=BOX_EDGE, width=2)
        _label(draw, box, node.name, TEXT_COLOUR, NAME_SIZE)


def legend_entries(
    language: Language = ENGLISH,
) -> list[tuple[str, tuple[int, int, int], bool]]:
    """(label, colour, dashed) for every link kind, then the disputed style."""
    entries = [(kind_label(language, k), KIND_COLOURS[k], False) for k in KIND_NAMES]
    return [*entries, (t(language, DISPUTED), MUTED, True)]


def _legend(draw: ImageDraw.ImageDraw, top: int, language: Language) -> None:
    small = font(SMALL_SIZE)
    draw.text((MARGIN, top), t(language, LEGEND), font=small, fill=MUTED)
    column_w = (WIDTH - 2 * MARGIN) // LEGEND_COLUMNS
    for index, (label, colour, dashed) in enumerate(legend_entries(language)):
        x = MARGIN + (index % LEGEND_COLUMNS) * column_w
        y = top + LEGEND_ROW_H * (1 + index // LEGEND_COLUMNS) + SMALL_SIZE // 2
        if dashed:
            _dashed(draw, (x, y), (x + 48, y), colour)
        else:
            draw.line([(x, y), (x + 48, y)], fill=colour, width=LINE)
        draw.text(
            (x + 60, y),
            clip(label, column_w - 70, small),
            font=small,
            fill=TEXT_COLOUR,
            anchor="lm",
        )


# ---------------------------------------------------------------------------------------------
# The picture
# ---------------------------------------------------------------------------------------------
def render(layout: MapLayout) -> bytes:
    """The layout as a PNG (RGB, ``WIDTH`` wide)."""
    image = Image.new("RGB", (WIDTH, height(layout)), CARD)
    draw = ImageDraw.Draw(image)
    draw.text(
        (MARGIN, 50),
        clip(drawable(layout.title), WIDTH - 2 * MARGIN, font(TITLE_SIZE)),
        font=font(TITLE_SIZE),
        fill=TEXT_COLOUR,
        anchor="lm",
    )
    if layout.subtitle:
        draw.text(
            (MARGIN, 102),
            clip(drawable(layout.subtitle), WIDTH - 2 * MARGIN, font(SMALL_SIZE)),
            font=font(SMALL_SIZE),
            fill=MUTED,
            anchor="lm",
        )
    placed, more = boxes(layout)
    rows = layout.rows()
    for edge in layout.edges:
        if edge.source_id in placed and edge.target_id in placed:
            _arrow(draw, edge, placed[edge.source_id], placed[edge.target_id])
    for node in layout.nodes:
        _node(draw, node, placed[node.entity_id])
    for layer, box in more.items():
        draw.rounded_rectangle(box, radius=18, outline=BOX_EDGE, width=2)
        _label(draw, box, more_text(layout.language, layout.more[layer]), MUTED, NAME_SIZE)
    for row, count in layout.gaps.items():
        y = HEADER_H + (rows.index(row) + 1) * ROW_H - 18
        text = gap_text(layout.language, count)
        draw.text((WIDTH / 2, y), text, font=font(SMALL_SIZE), fill=MUTED, anchor="mm")
    legend_top = HEADER_H + len(rows) * ROW_H
    _legend(draw, legend_top, layout.language)
    draw.text(
        (MARGIN, image.height - 36),
        clip(t(layout.language, FOOTER), WIDTH - 2 * MARGIN, font(SMALL_SIZE)),
        font=font(SMALL_SIZE),
        fill=MUTED,
        anchor="lm",
    )
    # A palette of 64 colours is plenty for flat boxes and smoothed text, and a third the size.
    paletted = image.quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    paletted.save(out, format="PNG", compress_level=6)
    data = out.getvalue()
    if len(data) > PNG_MAX_BYTES:  # cannot happen at this size; never send what Discord refuses
        raise ValueError(f"map picture too large: {len(data)} bytes")
    return data
