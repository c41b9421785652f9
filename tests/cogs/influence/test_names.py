"""Typed names through the Transformers, end to end: folded spellings, "did you mean" buttons
that run the lookup for the member who asked, and path answers that fit the question."""

from __future__ import annotations

import dataclasses

import pytest

from bot.client import KpopsBot
from bot.sandbox import Driver
from tests.cogs.influence.test_cog import (
    assert_fits,
    entity,
    graph,
    link,
    use_graph,
)
from tests.cogs.influence.test_map import allow_attachments, picture_of
from tests.conftest import World


def suggestion_ids(message: object) -> list[str]:
    return [b["custom_id"] for b in message.buttons()]  # type: ignore[attr-defined]


# ------------------------------------------------------------------ folded spellings
@pytest.mark.parametrize(
    "typed",
    ["the jackson five", "THE JACKSON 5", "Jackson-5!", "thejackson5", "  the   Jacksons  "],
)
async def test_folded_spellings_of_a_name_find_it(
    bot: KpopsBot, driver: Driver, world: World, typed: str
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": typed}, member=world.fan, channel=world.general
    )
    assert r.message.embeds and r.message.embeds[0]["title"] == "The Jackson 5", typed


async def test_a_spelling_the_data_lacks_is_only_suggested(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    # "Jackson 5ive" is no alias in the data: folding does not invent one.
    r = await driver.invoke(
        "influence artist", {"name": "Jackson 5ive"}, member=world.fan, channel=world.general
    )
    assert r.ephemeral and "Did you mean" in r.text and "The Jackson 5" in r.text


async def test_autocomplete_ranks_prefix_matches_first_on_every_name_option(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for path, option in (
        ("influence artist", "name"),
        ("influence map", "name"),
        ("influence path", "from"),
        ("influence path", "to"),
    ):
        choices = await driver.autocomplete(
            path, option, "Mic", member=world.fan, channel=world.general
        )
        names = [c["name"] for c in choices]
        starts = [n.casefold().startswith("mic") for n in names]
        assert starts[0] and starts == sorted(starts, reverse=True), (path, names)


# ------------------------------------------------------------------ did you mean: buttons
async def test_a_suggestion_runs_the_profile_for_the_asker(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "Jakson"}, member=world.fan, channel=world.general
    )
    assert r.ephemeral and r.message.pings == []
    ids = suggestion_ids(r.message)
    assert ids and all(i.startswith(f"inf:dym:{world.fan.id}:a:") for i in ids)
    chosen = r.message.buttons()[1]
    click = await driver.click(r.message, custom_id=chosen["custom_id"], member=world.fan)
    assert not click.ephemeral and click.message.embeds[0]["title"] == chosen["label"]
    assert_fits(click.message)
    assert driver.violations == []


async def test_only_the_asker_can_use_the_suggestions(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "Jakson"}, member=world.fan, channel=world.general
    )
    before = len(driver.channel_messages(world.general))
    # A modified client sending the click as another member (Discord shows the ephemeral
    # message to the asker only, so this is the only way someone else's click can arrive).
    seen_by_other = dataclasses.replace(r.message, visible_to=world.moderator.id)
    click = await driver.click(seen_by_other, index=0, member=world.moderator)
    assert click.ephemeral and "member who asked" in click.text and not click.message.embeds
    assert len(driver.channel_messages(world.general)) == before  # nothing posted


@pytest.mark.parametrize(
    "forged",
    [
        "inf:dym:1:a:bts",  # well formed, but not on this message
        "inf:dym:abc:a:bts",
        "inf:dym:{fan}:z:bts",
        "inf:dym:{fan}:p:bts",
        "inf:dym:{fan}:m9:bts",
        "inf:dym:{fan}:a:" + "x" * 80,
        "inf:dym:{fan}:a:BTS<@123>",
        "inf:dym:",
    ],
)
async def test_forged_suggestions_get_the_shared_fallback(
    bot: KpopsBot, driver: Driver, world: World, forged: str
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "Jakson"}, member=world.fan, channel=world.general
    )
    custom_id = forged.replace("{fan}", str(world.fan.id))
    click = await driver.click(r.message, custom_id=custom_id, member=world.fan)
    assert click.ephemeral and "no longer works" in click.text
    assert click.message.pings == []


async def test_a_suggestion_whose_entry_left_the_data(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    use_graph(bot, graph([entity("motown", "Motown"), entity("mowtown-2", "Mowtown Two")], []))
    r = await driver.invoke(
        "influence artist", {"name": "Motwn"}, member=world.fan, channel=world.general
    )
    assert r.ephemeral and suggestion_ids(r.message)
    use_graph(bot, graph([entity("bts", "BTS")], []))
    click = await driver.click(r.message, index=0, member=world.fan)
    assert click.ephemeral and "no longer in the influence graph" in click.text


async def test_path_suggestions_pair_with_the_end_that_was_found(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence path", {"from": "Motwon", "to": "bts"}, member=world.fan, channel=world.general
    )
    assert r.ephemeral and "Motown" in r.text
    button = next(b for b in r.message.buttons() if b["label"] == "Motown → BTS")
    assert button["custom_id"] == f"inf:dym:{world.fan.id}:p:motown:bts"
    click = await driver.click(r.message, custom_id=button["custom_id"], member=world.fan)
    assert not click.ephemeral and click.message.embeds[0]["title"].startswith("Motown → ")
    # The other way round: the start was found, the end was not.
    r = await driver.invoke(
        "influence path", {"from": "bts", "to": "Motwon"}, member=world.fan, channel=world.general
    )
    assert any(b["label"] == "BTS → Motown" for b in r.message.buttons())
    assert f"inf:dym:{world.fan.id}:p:bts:motown" in suggestion_ids(r.message)


async def test_path_with_both_ends_unknown(bot: KpopsBot, driver: Driver, world: World) -> None:
    r = await driver.invoke(
        "influence path",
        {"from": "Motwon", "to": "Bangtn Boys"},
        member=world.fan,
        channel=world.general,
    )
    assert r.ephemeral and "Neither end" in r.text
    assert r.text.index("Motwon") < r.text.index("Bangtn Boys")
    labels = [b["label"] for b in r.message.buttons()]
    assert "Motown → BTS (Bangtan Boys)" in labels
    nothing = await driver.invoke(
        "influence path",
        {"from": "qqzzxx", "to": "zzqqxx"},
        member=world.fan,
        channel=world.general,
    )
    assert nothing.ephemeral and "qqzzxx" in nothing.text and "zzqqxx" in nothing.text
    assert not nothing.message.buttons()


async def test_a_map_suggestion_draws_the_map_at_the_depth_asked(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    allow_attachments(driver, world)
    r = await driver.invoke(
        "influence map", {"name": "Jakson", "depth": 2}, member=world.fan, channel=world.general
    )
    ids = suggestion_ids(r.message)
    assert r.ephemeral and ids and all(f":{world.fan.id}:m2:" in i for i in ids)
    click = await driver.click(r.message, index=0, member=world.fan)
    assert not click.ephemeral and picture_of(driver, click.message).format == "PNG"
    assert "2 links away" in click.message.embeds[0]["description"]
    assert driver.violations == []


# ------------------------------------------------------------------ answers that fit the question
async def test_a_one_way_lineage_says_so_plainly(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence path", {"from": "bts", "to": "motown"}, member=world.fan, channel=world.general
    )
    embed = r.message.embeds[0]
    assert "No lineage runs from **BTS** to **Motown**" in embed["description"]
    assert "**Motown** shaped **BTS**" in embed["description"]
    assert embed["title"] == "Motown → BTS"  # the lineage shown, in its own direction
    assert "←" not in r.message.text()


async def test_acts_with_a_shared_influence_get_it_named(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence path",
        {"from": "bts", "to": "blackpink"},
        member=world.fan,
        channel=world.general,
    )
    embed = r.message.embeds[0]
    description = embed["description"]
    assert "in either direction" in description and "share an influence" in description
    names = [f["name"] for f in embed["fields"]]
    assert any(n.endswith("shaped BTS") for n in names)
    assert any(n.endswith("shaped BLACKPINK") for n in names)
    assert "←" not in r.message.text() and "→ **BTS**" in r.message.text()
    assert not any(b["custom_id"].startswith("inf:pic:") for b in r.message.buttons())
    assert_fits(r.message)


async def test_acts_with_only_a_shared_legacy(bot: KpopsBot, driver: Driver, world: World) -> None:
    use_graph(
        bot,
        graph(
            [entity("a", "Act A"), entity("b", "Act B"), entity("c", "Heir C")],
            [link("a", "c"), link("b", "c")],
        ),
    )
    r = await driver.invoke(
        "influence path", {"from": "a", "to": "b"}, member=world.fan, channel=world.general
    )
    description = r.message.embeds[0]["description"]
    assert "share a legacy: both shaped **Heir C**" in description
    names = [f["name"] for f in r.message.embeds[0]["fields"]]
    assert names == ["How Act A shaped Heir C", "How Act B shaped Heir C"]
    assert {b["custom_id"] for b in r.message.buttons()} == {"inf:go:a", "inf:go:b", "inf:go:c"}
