"""/influence artist and /influence path end to end through the emulator.

Most tests use the real data/influence.toml; paging, missing paths and hostile data use small
graphs built here and handed to the running cog (the same Graph type the loader returns).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.content.common import Source
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.sandbox.state import Message
from cogs.influence.cog import Influence, InfluenceLookup, profile
from cogs.influence.content import Entity, Graph, Link
from cogs.influence.render import KIND_LABELS, LINKS_PER_PAGE, profile_pages
from tests.cogs.influence.test_graph import search_times
from tests.conftest import World

SOURCE = Source(url="https://example.org/page", publication="Example Weekly", date="2024-01-02")


def cog_of(bot: KpopsBot) -> Influence:
    # load_extension imports the cog module afresh, so compare by name, not class identity.
    cog = bot.get_cog("Influence")
    assert cog is not None and type(cog).__name__ == "Influence"
    return cast(Influence, cog)


def entity(entity_id: str, name: str, aliases: tuple[str, ...] = ()) -> Entity:
    return Entity(
        id=entity_id,
        name=name,
        kind="artist",
        origin="Somewhere",
        active="2000–present",
        aliases=aliases,
        source=SOURCE,
    )


def link(source_id: str, target_id: str, note: str = "", kind: str = "critic") -> Link:
    return Link(
        source_id=source_id,
        target_id=target_id,
        kind=kind,
        note=note or f"{source_id} shaped {target_id}.",
        disputed="",
        source=SOURCE,
    )


def graph(entities: list[Entity], links: list[Link]) -> Graph:
    return Graph(entities={e.id: e for e in entities}, links=tuple(links))


def use_graph(bot: KpopsBot, g: Graph) -> InfluenceLookup:
    lookup = InfluenceLookup(g)
    cog_of(bot).lookup = lookup
    return lookup


def button_ids(message: Message) -> list[str]:
    return [b["custom_id"] for b in message.buttons()]


def assert_fits(message: Message) -> None:
    """What Discord would accept (the emulator checks too; this says which limit, if any)."""
    total = 0
    for embed in message.embeds:
        assert len(embed.get("fields", [])) <= limits.EMBED_FIELDS_MAX
        for fld in embed.get("fields", []):
            assert len(fld["value"]) <= limits.EMBED_FIELD_VALUE_MAX
            assert len(fld["name"]) <= limits.EMBED_FIELD_NAME_MAX
        total += sum(len(str(embed.get(k, ""))) for k in ("title", "description"))
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
        total += len(embed.get("footer", {}).get("text", ""))
    assert total <= limits.EMBED_TOTAL_MAX
    assert len(message.components) <= limits.ACTION_ROWS_MAX
    ids = button_ids(message)
    assert len(ids) == len(set(ids))
    assert all(len(i) <= limits.CUSTOM_ID_MAX for i in ids)
    assert message.pings == []


# ------------------------------------------------------------------ profiles (real data)
async def test_profile_lists_each_link_with_kind_note_and_source(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    lookup = cog_of(bot).lookup
    entity_id = max(lookup.graph.entities, key=lambda e: len(lookup.neighbours(e)))
    neighbours = lookup.neighbours(entity_id)[:LINKS_PER_PAGE]
    r = await driver.invoke(
        "influence artist", {"name": entity_id}, member=world.fan, channel=world.general
    )
    assert not r.ephemeral  # a profile is for the whole channel
    embed = r.message.embeds[0]
    assert embed["title"] == lookup.graph.entities[entity_id].name
    fields = embed["fields"]
    assert len(fields) == len(neighbours)
    for fld, neighbour in zip(fields, neighbours, strict=True):
        assert neighbour.other.name in fld["name"]
        assert KIND_LABELS[neighbour.link.kind] in fld["name"]
        assert ("Influenced by" in fld["name"]) == neighbour.incoming
        assert neighbour.link.source.url.replace("(", "%28").replace(")", "%29") in fld["value"]
    assert {f"inf:go:{n.other.id}" for n in neighbours} <= set(button_ids(r.message))
    assert_fits(r.message)


async def test_profile_of_bts_names_its_roots(bot: KpopsBot, driver: Driver, world: World) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "bts"}, member=world.fan, channel=world.general
    )
    text = r.message.text()
    assert "BTS" in r.message.embeds[0]["title"]
    assert "Influenced by" in text
    assert "Source:" in text


async def test_typed_name_or_alias_works_without_autocomplete(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for typed in ("방탄소년단", "bangtan boys", "  BTS "):
        r = await driver.invoke(
            "influence artist", {"name": typed}, member=world.fan, channel=world.general
        )
        assert r.message.embeds and r.message.embeds[0]["title"] == "BTS", typed


async def test_every_profile_fits_discord_limits(bot: KpopsBot) -> None:
    lookup = cog_of(bot).lookup
    for entity_id, ent in lookup.graph.entities.items():
        pages = profile_pages(ent, lookup.neighbours(entity_id))
        assert sum(len(p) for p in pages) == len(lookup.neighbours(entity_id))
        for page in range(len(pages)):
            embed, view = profile(lookup, ent, page)
            assert len(embed) <= limits.EMBED_TOTAL_MAX, entity_id
            assert len(embed.fields) <= limits.EMBED_FIELDS_MAX
            assert all(len(f.value or "") <= limits.EMBED_FIELD_VALUE_MAX for f in embed.fields)
            assert len(view.children) <= limits.ACTION_ROWS_MAX * limits.BUTTONS_PER_ROW_MAX


# ------------------------------------------------------------------ buttons
async def test_buttons_walk_the_graph_privately(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    lookup = cog_of(bot).lookup
    public = await driver.invoke(
        "influence artist", {"name": "bts"}, member=world.fan, channel=world.general
    )
    first = public.message.buttons()[0]
    target = first["custom_id"].removeprefix("inf:go:")
    step = await driver.click(public.message, custom_id=first["custom_id"], member=world.moderator)
    assert step.response_type == 4 and step.ephemeral  # the public message stays as it was
    assert step.message.embeds[0]["title"] == lookup.graph.entities[target].name
    assert public.message.embeds[0]["title"] == "BTS"
    onward = step.message.buttons()[0]
    again = await driver.click(step.message, custom_id=onward["custom_id"], member=world.moderator)
    assert again.response_type == 7  # the private profile is updated in place
    assert again.message.id == step.message.id
    expected = lookup.graph.entities[onward["custom_id"].removeprefix("inf:go:")].name
    assert again.message.embeds[0]["title"] == expected


async def test_a_rendered_page_serves_every_message_that_shows_it(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    # Profiles and paths are rendered once, view included, and sent again and again.
    lookup = cog_of(bot).lookup
    ask = {"name": "bts"}
    copies = [
        await driver.invoke("influence artist", ask, member=member, channel=world.general)
        for member in (world.fan, world.moderator)
    ]
    route = {"from": "The Jackson 5", "to": "BTS"}
    paths = [
        await driver.invoke("influence path", route, member=member, channel=world.general)
        for member in (world.fan, world.moderator)
    ]
    for result in [*copies, *paths]:
        clicked = await driver.click(result.message, index=0, member=world.owner)
        assert (
            clicked.ephemeral and clicked.message.embeds
        )  # a private page, sent with a cached view
        onward = await driver.click(clicked.message, index=0, member=world.owner)
        assert onward.response_type == 7 and onward.message.embeds
    bts = lookup.entity(lookup.resolve("BTS").entity_id or "")
    assert bts is not None
    embed, view = profile(lookup, bts, 0)
    assert embed.title == "BTS" and lookup.rendered_path.cache_info().currsize == 1
    # Ephemeral sends did not give the shared view a timeout (it would then expire for all).
    assert view.timeout is None and view.is_finished()


async def test_buttons_work_after_a_restart(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    async with running_bot(driver, db_path, clock=clock):
        r = await driver.invoke(
            "influence artist", {"name": "bts"}, member=world.fan, channel=world.general
        )
    message = r.message
    async with running_bot(driver, db_path, clock=clock):
        clicked = await driver.click(message, index=0, member=world.fan)
        assert clicked.ephemeral and clicked.message.embeds


async def test_paging_through_many_links(bot: KpopsBot, driver: Driver, world: World) -> None:
    fans = [entity(f"fan-{i:02d}", f"Fan Act {i:02d}") for i in range(23)]
    hub = entity("hub", "The Hub")
    long_note = "A long note about the influence, " * 6
    use_graph(bot, graph([hub, *fans], [link("hub", f.id, long_note[:200]) for f in fans]))
    r = await driver.invoke(
        "influence artist", {"name": "hub"}, member=world.fan, channel=world.general
    )
    assert_fits(r.message)
    footer = r.message.embeds[0]["footer"]["text"]
    assert footer.startswith("Page 1/")
    pages = int(footer.split("/")[1].split(" ")[0])
    assert pages >= 3
    labels = [b["label"] for b in r.message.buttons()]
    assert "◀ Previous" in labels and "Next ▶" in labels
    previous = next(b for b in r.message.buttons() if b["label"] == "◀ Previous")
    assert previous.get("disabled")
    seen = {f["name"] for f in r.message.embeds[0]["fields"]}
    page = await driver.click(r.message, label="Next ▶", member=world.fan)
    assert page.ephemeral and page.message.embeds[0]["footer"]["text"].startswith("Page 2/")
    for number in range(3, pages + 1):
        seen |= {f["name"] for f in page.message.embeds[0]["fields"]}
        page = await driver.click(page.message, label="Next ▶", member=world.fan)
        assert page.response_type == 7
        assert page.message.embeds[0]["footer"]["text"].startswith(f"Page {number}/")
        assert_fits(page.message)
    seen |= {f["name"] for f in page.message.embeds[0]["fields"]}
    assert len(seen) == len(fans)  # every link on exactly one page
    last_next = next(b for b in page.message.buttons() if b["label"] == "Next ▶")
    assert last_next.get("disabled")
    embed, _ = profile(cog_of(bot).lookup, hub, 999)  # a forged page number is clamped
    assert embed.footer.text and embed.footer.text.startswith(f"Page {pages}/")


async def test_forged_and_stale_buttons_get_a_friendly_answer(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "bts"}, member=world.fan, channel=world.general
    )
    for forged in ("inf:go:no-such-entity", "inf:page:bts:7", "inf:go:" + "x" * 92, "inf:zzz"):
        click = await driver.click(r.message, custom_id=forged, member=world.fan)
        assert click.ephemeral and "no longer works" in click.text
    # A real button whose entity has left the data (content changed between restarts).
    target = r.message.buttons()[0]["custom_id"]
    use_graph(bot, graph([entity("bts", "BTS")], []))
    click = await driver.click(r.message, custom_id=target, member=world.fan)
    assert click.ephemeral and "no longer in the influence graph" in click.text


# ------------------------------------------------------------------ did you mean
async def test_unknown_name_gets_suggestions_and_buttons(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "Jakson"}, member=world.fan, channel=world.general
    )
    assert r.ephemeral
    assert "Did you mean" in r.text and "The Jackson 5" in r.text and "Michael Jackson" in r.text
    # A suggestion runs the lookup as if that name had been typed: the profile, for everyone.
    click = await driver.click(r.message, index=0, member=world.fan)
    assert click.response_type == 4 and not click.ephemeral and click.message.embeds
    assert click.message.embeds[0]["title"] == r.message.buttons()[0]["label"]
    nothing = await driver.invoke(
        "influence artist", {"name": "qqqqzzzz"}, member=world.fan, channel=world.general
    )
    assert nothing.ephemeral and "couldn't find" in nothing.text and not nothing.message.buttons()


# ------------------------------------------------------------------ paths
async def test_path_direct_link(bot: KpopsBot, driver: Driver, world: World) -> None:
    lookup = cog_of(bot).lookup
    first = lookup.graph.links[0]
    r = await driver.invoke(
        "influence path",
        {"from": first.source_id, "to": first.target_id},
        member=world.fan,
        channel=world.general,
    )
    fields = r.message.embeds[0]["fields"]
    assert len(fields) == 1 and fields[0]["name"].startswith("1. ")
    assert KIND_LABELS[first.kind] in fields[0]["name"]
    assert "Source:" in fields[0]["value"]
    assert_fits(r.message)


async def test_path_multi_hop_real_lineage(bot: KpopsBot, driver: Driver, world: World) -> None:
    r = await driver.invoke(
        "influence path", {"from": "motown", "to": "bts"}, member=world.fan, channel=world.general
    )
    embed = r.message.embeds[0]
    assert "shaped" in embed["description"]
    names = [f["name"] for f in embed["fields"]]
    assert len(names) >= 2 and names[0].startswith("1. Motown →") and "→ BTS" in names[-1]
    assert_fits(r.message)


SMALL = graph(
    [entity(i, n) for i, n in [("root", "Root Genre"), ("mid", "Middle Act"), ("leaf", "Leaf Group"),
                               ("other", "Other Branch"), ("alone", "Lonely Act")]],
    [link("root", "mid"), link("mid", "leaf"), link("root", "other")],
)  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "expect"),
    [
        ("root", "leaf", ["1. Root Genre → Middle Act", "2. Middle Act → Leaf Group"]),
        ("leaf", "root", ["1. Root Genre → Middle Act", "2. Middle Act → Leaf Group"]),
        ("leaf", "other", ["How Root Genre shaped Leaf Group", "How Root Genre shaped Other"]),
        ("alone", "leaf", ["Nearest to Lonely Act", "Nearest to Leaf Group"]),
    ],
)
async def test_path_relations(
    bot: KpopsBot, driver: Driver, world: World, start: str, end: str, expect: list[str]
) -> None:
    use_graph(bot, SMALL)
    r = await driver.invoke(
        "influence path", {"from": start, "to": end}, member=world.fan, channel=world.general
    )
    embed = r.message.embeds[0]
    names = [f["name"] for f in embed["fields"]]
    for wanted in expect:
        assert any(n.startswith(wanted) for n in names), names
    description = embed["description"]
    if start == "leaf" and end == "root":
        assert "other way" in description
    if end == "other":  # no lineage either way: what they share, labelled as such
        assert "in either direction" in description and "share an influence" in description
        assert "Root Genre" in description and embed["title"] == "Leaf Group · Other Branch"
        assert "←" not in r.message.text()  # never an arrow against the direction of influence
    if start == "alone":
        assert "nothing in the graph (yet) shaped both or was shaped by both" in description
        assert "No sourced links" in r.message.text()
    assert_fits(r.message)


async def test_path_same_or_unknown_ends(bot: KpopsBot, driver: Driver, world: World) -> None:
    same = await driver.invoke(
        "influence path",
        {"from": "bts", "to": "방탄소년단"},
        member=world.fan,
        channel=world.general,
    )
    assert same.ephemeral and "twice" in same.text
    unknown = await driver.invoke(
        "influence path",
        {"from": "Motwon", "to": "zzqqxx"},
        member=world.fan,
        channel=world.general,
    )
    assert unknown.ephemeral and "Motown" in unknown.text and "zzqqxx" in unknown.text


async def test_long_paths_are_cut_with_and_more(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    chain = [entity(f"c{i}", f"Chain Act {i} " + "x" * 60) for i in range(40)]
    note = "n" * 200
    use_graph(bot, graph(chain, [link(f"c{i}", f"c{i + 1}", note) for i in range(39)]))
    r = await driver.invoke(
        "influence path", {"from": "c0", "to": "c39"}, member=world.fan, channel=world.general
    )
    names = [f["name"] for f in r.message.embeds[0]["fields"]]
    assert names[-1].startswith("… and ") and "more steps" in names[-1]
    assert_fits(r.message)


# ------------------------------------------------------------------ autocomplete
# What a fan types -> the entry that must come first. Covers exact names, aliases, prefixes, later
# words, run-together and spaced spellings, typos, half-typed words, Hangul (also mid-syllable),
# full-width and zero-width characters.
QUALITY = [
    ("Jakson 5", "jackson-5"),
    ("jackson five", "jackson-5"),
    ("jak", "michael-jackson"),  # one slip in a short prefix: the best-connected Jackson
    ("michael", "michael-jackson"),
    ("king of pop", "michael-jackson"),
    ("방탄", "bts"),
    ("방ㅌ", "bts"),
    ("bangtan", "bts"),
    ("motwon", "motown"),
    ("seo taiji", "seo-taiji-and-boys"),
    ("seo taiji & the boys", "seo-taiji-and-boys"),
    ("서태지", "seo-taiji-and-boys"),
    ("teddy riley", "teddy-riley"),
    ("teddy", "teddy-park"),  # an exact alias beats a better-connected prefix match
    ("new jack", "new-jack-swing"),
    ("park jin", "jy-park"),
    ("jyp", "jy-park"),
    ("j.y. park", "jy-park"),
    ("black pink", "blackpink"),
    ("blakpink", "blackpink"),
    ("beatles", "the-beatles"),
    ("snsd", "girls-generation"),
    ("girls generation", "girls-generation"),
    ("소녀", "girls-generation"),
    ("r&b", "rhythm-and-blues"),
    ("hiphop", "hip-hop"),
    ("jhope", "j-hope"),
    ("big bang", "bigbang"),
    ("빅뱅", "bigbang"),
    ("yg", "yg-entertainment"),
    ("rap monster", "rm"),
    ("baltimore", "baltimore-club"),
    ("new jeans", "newjeans"),
    ("뉴진", "newjeans"),
    ("smokey robinsin", "smokey-robinson"),
    ("eminen", "eminem"),
    ("babymonstr", "babymonster"),
    ("harvey mason", "harvey-mason-jr"),
    ("hyeon jin yeong", "hyun-jin-young"),
    ("drunkin tiger", "drunken-tiger"),
    ("kpop", "k-pop"),
    ("케이팝", "k-pop"),
    ("B\u200bTS", "bts"),
    ("ＢＴＳ", "bts"),
]


@pytest.mark.parametrize(("typed", "expected"), QUALITY)
async def test_autocomplete_ranks_the_right_entity_first(
    bot: KpopsBot, driver: Driver, world: World, typed: str, expected: str
) -> None:
    choices = await driver.autocomplete(
        "influence artist", "name", typed, member=world.fan, channel=world.general
    )
    assert choices and choices[0]["value"] == expected, (typed, choices[:3])


async def test_autocomplete_on_every_name_option(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for path, option in (
        ("influence artist", "name"),
        ("influence path", "from"),
        ("influence path", "to"),
    ):
        choices = await driver.autocomplete(
            path, option, "jack", member=world.fan, channel=world.general
        )
        assert 0 < len(choices) <= limits.AUTOCOMPLETE_MAX_CHOICES
        assert choices[0]["value"] == "jackson-5"
    empty = await driver.autocomplete(
        "influence artist", "name", "", member=world.fan, channel=world.general
    )
    assert len(empty) == min(25, len(cog_of(bot).lookup.graph.entities))


async def test_autocomplete_is_fast_over_the_whole_graph(bot: KpopsBot) -> None:
    names = cog_of(bot).lookup.names
    queries = [typed for typed, _ in QUALITY] + [
        word[:n] for word in ("motown", "jackson", "방탄소년단", "x" * 6000) for n in range(1, 7)
    ]
    times = search_times(names.search, queries)
    assert times[int(len(times) * 0.99)] < 0.005


# ------------------------------------------------------------------ hostile input
HOSTILE = [
    "x" * 6000,
    "@everyone",
    "<@123> <@&456> @here",
    "방탄소년단이 최고",
    "B\u200bT\u200bS\u200b\u200b\u200b" + "\u200b" * 500,
    "'; DROP TABLE links; --",
    "**bold** __u__ `code` ||spoiler|| [x](https://evil.example)",
    "\u202eevil",
]


@pytest.mark.parametrize("typed", HOSTILE)
async def test_hostile_input(bot: KpopsBot, driver: Driver, world: World, typed: str) -> None:
    r = await driver.invoke(
        "influence artist", {"name": typed}, member=world.fan, channel=world.general
    )
    assert r.message.pings == []
    if r.message.embeds:  # zero-width characters inside "BTS" still find BTS
        assert r.message.embeds[0]["title"] == "BTS"
    else:
        assert r.ephemeral
        assert len(r.text) < 600
        assert "@everyone" not in r.text and "x" * 100 not in r.text
        assert "<@123>" not in r.text.replace("\\<@", "")  # only ever escaped (bot.ui.text)
        assert "\u202e" not in r.text and "\u200b\u200b" not in r.text
    p = await driver.invoke(
        "influence path", {"from": typed, "to": typed}, member=world.fan, channel=world.general
    )
    assert p.ephemeral and p.message.pings == []
    choices = await driver.autocomplete(
        "influence artist", "name", typed, member=world.fan, channel=world.general
    )
    assert len(choices) <= limits.AUTOCOMPLETE_MAX_CHOICES


async def test_hostile_data_still_fits(bot: KpopsBot, driver: Driver, world: World) -> None:
    big = entity(
        "big", "N" * 300 + " @everyone", tuple(f"Alias {i} " + "a" * 90 for i in range(40))
    )
    others = [entity(f"o{i}", "<@123> " + "M" * 250) for i in range(30)]
    links: list[Any] = [link("big", o.id, "**" + "z" * 198) for o in others]
    use_graph(bot, graph([big, *others], links))
    r = await driver.invoke(
        "influence artist", {"name": "big"}, member=world.fan, channel=world.general
    )
    assert_fits(r.message)
    assert "more" in r.message.embeds[0]["description"]  # aliases cut: "and N more"
    p = await driver.invoke(
        "influence path", {"from": "big", "to": "o3"}, member=world.fan, channel=world.general
    )
    assert_fits(p.message)
