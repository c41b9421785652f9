"""/influence map and the path picture: the layout against the graph, the PNG, the font's
coverage, the cache, the event loop while drawing, and the commands end to end."""

from __future__ import annotations

import asyncio
import io
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

import bot
from bot import limits
from bot.client import KpopsBot
from bot.i18n import t
from bot.sandbox import Driver
from bot.sandbox.state import Message
from cogs.influence import cog as influence_cog
from cogs.influence import map_render
from cogs.influence.content import LINK_KINDS, Graph, load_influence
from cogs.influence.graph import LinkGraph
from cogs.influence.map_cache import MapPictures
from cogs.influence.map_layout import (
    PATH_ROWS_MAX,
    PER_LAYER,
    MapLayout,
    degrees,
    neighbourhood,
    path,
)
from cogs.influence.map_render import (
    FONT_PATH,
    KIND_COLOURS,
    KIND_NAMES,
    PNG_MAX_BYTES,
    TEXT,
    WIDTH,
    drawable,
    gap_text,
    has_glyph,
    legend_entries,
    more_text,
    render,
)
from tests.cogs.influence.test_cog import HOSTILE, entity, graph, link, use_graph
from tests.conftest import World
from tests.loop_lag import LagProbe


@pytest.fixture(scope="module")
def real() -> Graph:
    return load_influence()


def rings(g: Graph, entity_id: str, depth: int, upward: bool) -> list[set[str]]:
    """Entities 1..depth links away in one direction, each only at its nearest distance."""
    seen = {entity_id}
    ring = {entity_id}
    out: list[set[str]] = []
    for _ in range(depth):
        ring = {
            (k.source_id if upward else k.target_id)
            for k in g.links
            if (k.target_id if upward else k.source_id) in ring
        } - seen
        seen |= ring
        out.append(ring)
    return out


def check_map(g: Graph, layout: MapLayout, entity_id: str, depth: int) -> None:
    """Everything a map shows matches the graph."""
    links = {(k.source_id, k.target_id): k for k in g.links}
    layer = {n.entity_id: n.layer for n in layout.nodes}
    assert [n.entity_id for n in layout.nodes if n.highlighted] == [entity_id]
    assert layer[entity_id] == 0
    for node in layout.nodes:
        assert node.name == g.entities[node.entity_id].name
        assert abs(node.layer) <= depth
    for edge in layout.edges:  # every arrow is a real link, drawn as the graph has it
        real_link = links[(edge.source_id, edge.target_id)]
        assert edge.kind == real_link.kind and edge.disputed == real_link.is_disputed
        assert layer[edge.target_id] == layer[edge.source_id] + 1  # influencer above
    for node in layout.nodes:  # every drawn neighbour hangs on the entity through drawn links
        if node.layer < 0:
            assert any(e.source_id == node.entity_id for e in layout.edges)
        elif node.layer > 0:
            assert any(e.target_id == node.entity_id for e in layout.edges)
    for sign, upward in ((-1, True), (1, False)):
        for index, ring in enumerate(rings(g, entity_id, depth, upward), 1):
            row = {n.entity_id for n in layout.row(sign * index)}
            assert row <= ring  # each drawn entity is as many links away as its row says
            assert layout.slots(sign * index) <= PER_LAYER
            hidden = ring - set(layer)
            assert layout.more.get(sign * index, 0) == len(hidden), (entity_id, sign * index)
            if index == 1 and len(ring) <= PER_LAYER:  # room for all: every direct link drawn
                assert hidden == set()


# ------------------------------------------------------------------ layout (no pixels)
@pytest.mark.parametrize("depth", [1, 2])
def test_every_map_matches_the_graph(real: Graph, depth: int) -> None:
    popularity = degrees(real)
    for entity_id in real.entities:
        check_map(real, neighbourhood(real, entity_id, depth, popularity), entity_id, depth)


def test_a_big_neighbourhood_keeps_the_best_connected_and_counts_the_rest() -> None:
    hub = entity("hub", "Hub")
    fans = [entity(f"f{i}", f"Fan {i}") for i in range(12)]
    # f0..f2 are linked elsewhere too, so they are the best connected of the twelve.
    elsewhere = [entity("x", "Elsewhere")]
    links = [link("hub", f.id) for f in fans] + [link(f"f{i}", "x") for i in range(3)]
    g = graph([hub, *fans, *elsewhere], links)
    layout = neighbourhood(g, "hub", 1, degrees(g))
    check_map(g, layout, "hub", 1)
    assert {n.entity_id for n in layout.row(1)} == {"f0", "f1", "f2"}
    assert layout.more == {1: 9}
    assert layout.slots(1) == PER_LAYER  # three boxes and "and 9 more"


def test_depth_two_reaches_two_links_both_ways(real: Graph) -> None:
    layout = neighbourhood(real, "bts", 2, degrees(real))
    check_map(real, layout, "bts", 2)
    assert layout.rows()[0] == -2  # who influenced BTS's influences
    assert min(n.layer for n in neighbourhood(real, "bts", 1, degrees(real)).nodes) == -1


def test_path_layout_follows_the_walk(real: Graph) -> None:
    paths = LinkGraph(real.entities, ((k.source_id, k.target_id) for k in real.links))
    links = {(k.source_id, k.target_id): k for k in real.links}
    for start, end in (("motown", "bts"), ("james-brown", "bts"), ("bts", "motown")):
        connection = paths.connection(start, end)
        layout = path(real, connection.steps, (start, end))
        walk = [connection.steps[0].walk_from, *(s.walk_to for s in connection.steps)]
        assert [n.entity_id for n in sorted(layout.nodes, key=lambda n: n.layer)] == walk
        assert {n.entity_id for n in layout.nodes if n.highlighted} == {start, end}
        assert [(e.source_id, e.target_id) for e in layout.edges] == [
            s.link for s in connection.steps
        ]
        assert all(e.kind == links[(e.source_id, e.target_id)].kind for e in layout.edges)


def test_a_long_path_keeps_its_ends_and_counts_the_steps_left_out() -> None:
    chain = [entity(f"c{i}", f"Chain {i}") for i in range(15)]
    g = graph(chain, [link(f"c{i}", f"c{i + 1}") for i in range(14)])
    steps = LinkGraph(g.entities, ((k.source_id, k.target_id) for k in g.links)).connection(
        "c0", "c14"
    )
    layout = path(g, steps.steps, ("c0", "c14"))
    assert len(layout.nodes) == PATH_ROWS_MAX
    assert layout.nodes[0].entity_id == "c0" and layout.nodes[-1].entity_id == "c14"
    assert sum(layout.gaps.values()) == 15 - PATH_ROWS_MAX
    assert len(layout.edges) == PATH_ROWS_MAX - 2  # no arrow across the gap
    assert render(layout).startswith(b"\x89PNG")


# ------------------------------------------------------------------ the picture
def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.verify()  # a valid PNG, not just its signature
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("entity_id", ["michael-jackson", "hip-hop", "bts", "k-pop"])
def test_busiest_maps_are_valid_pngs_within_limits(real: Graph, entity_id: str) -> None:
    for depth in (1, 2):
        data = render(neighbourhood(real, entity_id, depth, degrees(real), ("Title", "Sub")))
        image = png(data)
        assert image.format == "PNG" and image.width == WIDTH
        assert image.height <= 4 * WIDTH  # Discord shows it whole, not as a sliver
        assert len(data) <= PNG_MAX_BYTES


def test_legend_is_complete() -> None:
    labels = [label for label, _, _ in legend_entries()]
    assert set(KIND_NAMES) == set(LINK_KINDS) == set(KIND_COLOURS)
    assert labels == [*(KIND_NAMES[k] for k in KIND_NAMES), TEXT["disputed"]]  # English msgids
    assert [dashed for *_, dashed in legend_entries()].count(True) == 1
    assert len({KIND_COLOURS[k] for k in LINK_KINDS}) == len(LINK_KINDS)  # told apart


def names_in(path: Path, table: str) -> Iterator[str]:
    with path.open("rb") as file:
        raw = tomllib.load(file)
    entries = raw.get(table, [])
    for entry in entries.values() if isinstance(entries, dict) else entries:
        yield str(entry.get("name", ""))
        yield from (str(a) for a in entry.get("aliases", []))


def test_the_font_covers_every_character_a_map_draws() -> None:
    """Every name (English and Korean data) and every word the pictures use is in the font's
    character map: no missing-glyph boxes. ``has_glyph`` (what the renderer uses to avoid
    them) agrees with the character map."""
    cmap = TTFont(FONT_PATH)["cmap"].getBestCmap() or {}
    texts = [
        *names_in(bot.DATA_DIR / "influence.toml", "entities"),
        *names_in(bot.DATA_DIR / "ko" / "influence.toml", "entities"),
        *(
            t(language, text)
            for language in ("en", "ko")
            for text in (
                *TEXT.values(),
                *KIND_NAMES.values(),
                influence_cog.MAP_TITLE,
                influence_cog.MAP_SUBTITLE,
                influence_cog.PATH_TITLE,
                influence_cog.PATH_SUBTITLE,
            )
        ),
        *(more_text(language, 12) + gap_text(language, 3) for language in ("en", "ko")),
        "0123456789",
    ]
    needed = {ch for text in texts for ch in drawable(text) if not ch.isspace()}
    assert any("\uac00" <= ch <= "\ud7a3" for ch in needed)  # Hangul names are among them
    missing = sorted(ch for ch in needed if ord(ch) not in cmap)
    assert missing == []
    for ch in [*sorted(needed)[:: max(1, len(needed) // 80)], "😀", "\u0416", "\u4e00"]:
        assert has_glyph(ch) == (ord(ch) in cmap), ch


def test_text_the_font_lacks_or_cannot_show_is_replaced_not_boxed() -> None:
    assert drawable("BTS 😀\u202e\u200b  ok") == "BTS ? ok"
    assert drawable("방탄소년단") == "방탄소년단"


def test_hostile_names_are_wrapped_and_clipped(real: Graph) -> None:
    big = entity("big", "N" * 300 + " @everyone 😀\u202e")
    others = [entity(f"o{i}", "<@123> " + "M" * 250) for i in range(30)]
    g = graph([big, *others], [link("big", o.id) for o in others])
    layout = neighbourhood(g, "big", 2, degrees(g), ("N" * 500, "S" * 500))
    face = map_render.font(map_render.NAME_SIZE)
    lines = map_render.wrap(big.name, map_render.BOX_W - 24, face)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(face.getlength(line) <= map_render.BOX_W - 24 for line in lines)
    assert png(render(layout)).width == WIDTH


# ------------------------------------------------------------------ cache and event loop
async def test_pictures_are_cached_bounded_and_drawn_once(
    real: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    original = map_render.render

    def counting(layout: MapLayout) -> bytes:
        drawn.append(layout.title)
        return original(layout)

    monkeypatch.setattr(map_render, "render", counting)
    pictures = MapPictures(size=2)
    popularity = degrees(real)

    def layout_of(entity_id: str) -> MapLayout:
        return neighbourhood(real, entity_id, 1, popularity, (entity_id, ""))

    first, second = await asyncio.gather(
        pictures.get("bts", lambda: layout_of("bts")), pictures.get("bts", lambda: layout_of("bts"))
    )
    assert first is second and drawn == ["bts"]  # asked twice at once, drawn once
    assert pictures.cached("bts") is first
    await pictures.get("rm", lambda: layout_of("rm"))
    await pictures.get("motown", lambda: layout_of("motown"))
    assert len(pictures) == 2 and pictures.cached("bts") is None  # the oldest went first
    await pictures.get("motown", lambda: layout_of("motown"))
    assert drawn == ["bts", "rm", "motown"]


async def test_drawing_never_blocks_the_event_loop(real: Graph) -> None:
    """A probe task measures how long the loop is held up while maps are drawn cold."""
    pictures = MapPictures()
    popularity = degrees(real)
    async with LagProbe() as probe:
        for entity_id in ("michael-jackson", "hip-hop", "bts", "jy-park", "k-pop"):
            for depth in (1, 2):
                await pictures.get(
                    (entity_id, depth),
                    lambda e=entity_id, d=depth: neighbourhood(real, e, d, popularity, (e, "")),
                )
    assert probe.worst < 0.050


# ------------------------------------------------------------------ end to end
def allow_attachments(driver: Driver, world: World) -> None:
    bot_role = next(r for r in world.guild.roles.values() if r.name == driver.bot_user.username)
    bot_role.permissions |= limits.ATTACH_FILES


def picture_of(driver: Driver, message: Message) -> Image.Image:
    assert len(message.attachments) == 1
    attachment = message.attachments[0]
    image_url = message.embeds[0]["image"]["url"]
    assert image_url == f"attachment://{attachment['filename']}"
    data = driver.attachment_data(attachment)
    assert attachment["size"] == len(data) <= PNG_MAX_BYTES
    return png(data)


async def test_map_command_posts_a_picture_with_walk_buttons(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    allow_attachments(driver, world)
    r = await driver.invoke(
        "influence map", {"name": "BTS", "depth": 2}, member=world.fan, channel=world.general
    )
    assert not r.ephemeral
    assert picture_of(driver, r.message).width == WIDTH
    assert "BTS" in r.message.embeds[0]["title"]
    assert any(b["custom_id"].startswith("inf:go:") for b in r.message.buttons())
    again = await driver.invoke(
        "influence map", {"name": "bts", "depth": 2}, member=world.fan, channel=world.general
    )
    assert again.response_type == 4  # kept: sent at once, no "thinking…"
    assert driver.attachment_data(again.message.attachments[0]) == driver.attachment_data(
        r.message.attachments[0]
    )
    step = await driver.click(
        again.message, custom_id=again.message.buttons()[0]["custom_id"], member=world.fan
    )
    assert step.ephemeral and step.message.embeds  # the walk buttons open profiles
    assert driver.violations == []


async def test_map_without_attach_files_says_so_privately(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence map", {"name": "bts"}, member=world.fan, channel=world.general
    )
    assert r.ephemeral and "Attach Files" in r.text and not r.message.attachments


async def test_path_picture_button(bot: KpopsBot, driver: Driver, world: World) -> None:
    allow_attachments(driver, world)
    p = await driver.invoke(
        "influence path",
        {"from": "motown", "to": "bts"},
        member=world.fan,
        channel=world.general,
    )
    button = next(b for b in p.message.buttons() if b["custom_id"].startswith("inf:pic:"))
    assert button["custom_id"] == "inf:pic:motown:bts"
    shown = await driver.click(p.message, custom_id=button["custom_id"], member=world.moderator)
    assert shown.ephemeral  # the public path stays as it was
    assert picture_of(driver, shown.message).format == "PNG"
    assert "Motown" in shown.message.embeds[0]["title"]
    assert driver.violations == []


async def test_no_picture_button_without_a_path(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    use_graph(bot, graph([entity("a", "A"), entity("b", "B")], []))
    p = await driver.invoke(
        "influence path", {"from": "a", "to": "b"}, member=world.fan, channel=world.general
    )
    assert not any(b["custom_id"].startswith("inf:pic:") for b in p.message.buttons())


async def test_forged_picture_buttons_get_a_friendly_answer(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    allow_attachments(driver, world)
    use_graph(bot, graph([entity("a", "A"), entity("b", "B")], [link("a", "b")]))
    p = await driver.invoke(
        "influence path", {"from": "a", "to": "b"}, member=world.fan, channel=world.general
    )
    use_graph(bot, graph([entity("a", "A"), entity("c", "C")], []))  # b is gone since
    r = await driver.click(p.message, custom_id="inf:pic:a:b", member=world.fan)
    assert r.ephemeral and "no longer" in r.text


@pytest.mark.parametrize("typed", HOSTILE)
async def test_map_hostile_input(bot: KpopsBot, driver: Driver, world: World, typed: str) -> None:
    allow_attachments(driver, world)
    r = await driver.invoke(
        "influence map", {"name": typed, "depth": 1}, member=world.fan, channel=world.general
    )
    assert r.message.pings == []
    if r.message.embeds:  # zero-width characters inside "BTS" still find BTS
        assert "BTS" in r.message.embeds[0]["title"]
        assert picture_of(driver, r.message).format == "PNG"
    else:
        assert r.ephemeral and len(r.text) < 600
        assert "@everyone" not in r.text and "x" * 100 not in r.text
    assert driver.violations == []


async def test_hostile_data_still_draws(bot: KpopsBot, driver: Driver, world: World) -> None:
    allow_attachments(driver, world)
    big = entity("big", "N" * 300 + " @everyone", tuple(f"Alias {i}" for i in range(40)))
    others = [entity(f"o{i}", "<@123> " + "M" * 250) for i in range(30)]
    use_graph(bot, graph([big, *others], [link("big", o.id) for o in others]))
    r = await driver.invoke(
        "influence map", {"name": "big", "depth": 2}, member=world.fan, channel=world.general
    )
    assert picture_of(driver, r.message).width == WIDTH
    assert r.message.pings == []
    assert len(r.message.embeds[0]["title"]) <= limits.EMBED_TITLE_MAX
