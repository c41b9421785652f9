"""/quote through the local Discord emulator: today, random, search, add, remove and the daily post."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver, Member, Message
from bot.sandbox.harness import running_bot
from bot.sandbox.interactions import InteractionResult
from bot.storage.config import ConfigStore
from bot.ui.text import escape as shown
from cogs.quotes.cog import Quotes
from cogs.quotes.content import load_quotes
from cogs.quotes.store import QuoteStore
from tests.conftest import World, build_world

BOOK = load_quotes()
# Which curated quote an embed shows, by its (escaped) text.
CURATED_BY_TEXT = {shown(q.text): q.id for q in BOOK.quotes}


def quote_of(message: Message) -> str:
    """The quote a message shows: a curated id, or 'server #N'."""
    assert len(message.embeds) == 1, message.embeds
    embed = message.embeds[0]
    footer = embed.get("footer", {}).get("text", "")
    if footer.startswith("Server quote #"):
        return "server #" + footer.removeprefix("Server quote #")
    text = embed["description"].rsplit("\n\n— ", 1)[0]
    return CURATED_BY_TEXT[text]


async def set_timezone(bot: KpopsBot, guild_id: int, zone: str, feature: str = "quote") -> None:
    """What `/config schedule` stores: the feature's time and zone (which becomes the server's)."""
    await ConfigStore(bot.db).set_schedule(
        guild_id, feature, "09:00", zone, actor_id=None, at=datetime.now(UTC), summary="test"
    )


async def today(driver: Driver, world: World, member: Member | None = None) -> InteractionResult:
    return await driver.invoke("quote today", member=member or world.fan, channel=world.general)


async def add(
    driver: Driver, world: World, text: str, speaker: str = "Tiger JK", **more: Any
) -> InteractionResult:
    return await driver.invoke(
        "quote add",
        {"text": text, "speaker": speaker, **more},
        member=world.moderator,
        channel=world.general,
    )


def assert_no_pings(driver: Driver) -> None:
    assert [m.pings for m in driver.messages.values() if m.pings] == []


# ------------------------------------------------------------------------------ the surface
async def test_commands_and_options_are_exactly_as_documented(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    (quote,) = [c for c in driver.registered(world.guild.id) if c["name"] == "quote"]
    subs = {s["name"]: s for s in quote["options"]}
    assert sorted(subs) == ["add", "random", "remove", "search", "today"]
    options = {
        name: [(o["name"], o["type"], o.get("required", False)) for o in s.get("options", [])]
        for name, s in subs.items()
    }
    assert options["today"] == [] and options["random"] == []
    assert options["search"] == [("text", 3, True)]
    assert options["add"] == [("text", 3, True), ("speaker", 3, True), ("source", 3, False)]
    assert options["remove"] == [("id", 4, True)]
    assert quote.get("dm_permission") is False


# ------------------------------------------------------------------------------ /quote today
async def test_today_is_the_same_for_everyone_all_day_and_after_a_restart(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    first = await today(driver, world)
    assert not first.ephemeral
    embed = first.message.embeds[0]
    assert embed["title"] == "Quote of the day · March 2, 2026"
    quote = BOOK.by_id(quote_of(first.message))
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Context"] == shown(quote.context)
    assert quote.source.url in fields["Source"]
    assert shown(quote.speaker) in embed["description"]

    clock.set(datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    again = await today(driver, world, world.moderator)
    assert quote_of(again.message) == quote.id
    await bot.close()
    async with running_bot(driver, db_path, clock=clock):
        after_restart = await today(driver, world, world.owner)
        assert quote_of(after_restart.message) == quote.id
        clock.advance(minutes=1)  # midnight UTC: a new day, a new quote
        tomorrow = await today(driver, world)
        assert quote_of(tomorrow.message) != quote.id
        assert tomorrow.message.embeds[0]["title"] == "Quote of the day · March 3, 2026"


async def test_a_whole_cycle_shows_every_quote_once_then_starts_again(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    added = await add(driver, world, "Hip-hop found a second home in Seoul.", "A Moderator")
    assert added.ephemeral
    everything = {q.id for q in BOOK.quotes} | {"server #1"}
    seen: list[str] = []
    for _ in range(len(everything)):
        seen.append(quote_of((await today(driver, world)).message))
        clock.advance(days=1)
    assert len(seen) == len(set(seen)) == len(everything)
    assert set(seen) == everything
    # The next cycle starts over without opening on the quote that closed the last one.
    next_cycle = quote_of((await today(driver, world)).message)
    assert next_cycle in everything and next_cycle != seen[-1]
    assert (await QuoteStore(bot.db).rotation(world.guild.id)).cycle == 2


async def test_the_day_changes_at_each_servers_own_midnight(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    seoul = world
    la = build_world(driver, "LA Fans")
    await driver.wait_idle(0.2)
    await set_timezone(bot, seoul.guild.id, "Asia/Seoul")  # UTC+9
    await set_timezone(bot, la.guild.id, "America/Los_Angeles")  # UTC-8 (before 8 March)

    async def both() -> tuple[InteractionResult, InteractionResult]:
        return await today(driver, seoul), await today(driver, la)

    clock.set(
        datetime(2026, 3, 2, 7, 59, tzinfo=UTC)
    )  # Seoul 16:59 on 2 March; LA 23:59 on 1 March
    s1, l1 = await both()
    assert "March 2, 2026" in s1.message.embeds[0]["title"]
    assert "March 1, 2026" in l1.message.embeds[0]["title"]

    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # LA midnight: only LA changes
    s2, l2 = await both()
    assert quote_of(s2.message) == quote_of(s1.message)
    assert quote_of(l2.message) != quote_of(l1.message)
    assert "March 2, 2026" in l2.message.embeds[0]["title"]

    clock.set(datetime(2026, 3, 2, 14, 59, tzinfo=UTC))  # Seoul 23:59: nothing changes yet
    s3, l3 = await both()
    assert (quote_of(s3.message), quote_of(l3.message)) == (
        quote_of(s1.message),
        quote_of(l2.message),
    )

    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # Seoul midnight: only Seoul changes
    s4, l4 = await both()
    assert quote_of(s4.message) != quote_of(s1.message)
    assert "March 3, 2026" in s4.message.embeds[0]["title"]
    assert quote_of(l4.message) == quote_of(l2.message)


async def test_today_follows_the_quote_features_own_time_zone(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    # The daily quote is scheduled in Seoul; a later daily fact in Los Angeles makes LA the
    # server's zone, but the quote's day (and so /quote today) stays Seoul's.
    await set_timezone(bot, world.guild.id, "Asia/Seoul")
    await set_timezone(bot, world.guild.id, "America/Los_Angeles", feature="fact")
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # Seoul: 00:00 on 3 March; LA: 2 March
    result = await today(driver, world)
    assert result.message.embeds[0]["title"] == "Quote of the day · March 3, 2026"
    post = await bot.daily.builders["quote"](world.guild.id, date(2026, 3, 3))
    assert post.embed.description == result.message.embeds[0]["description"]


# ------------------------------------------------------------------------------ daily post
async def test_the_daily_post_is_the_same_pick_with_the_date_and_source(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    builder = bot.daily.builders["quote"]
    post = await builder(world.guild.id, date(2026, 3, 2))
    embed: dict[str, Any] = dict(post.embed.to_dict())
    reply = await today(driver, world)
    assert embed["description"] == reply.message.embeds[0]["description"]
    assert embed["title"] == "Quote of the day · March 2, 2026"
    quote = BOOK.by_id(quote_of(reply.message))
    assert any(quote.source.url in f["value"] for f in embed["fields"])
    # Building ahead for tomorrow fixes tomorrow's pick: /quote today agrees once it is tomorrow.
    tomorrow = await builder(world.guild.id, date(2026, 3, 3))
    clock.advance(days=1)
    assert (await today(driver, world)).message.embeds[0]["description"] == (
        tomorrow.embed.description
    )


# ------------------------------------------------------------------------------ /quote random
async def test_random_shows_a_quote_from_the_collection(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for _ in range(3):
        result = await driver.invoke("quote random", member=world.fan, channel=world.general)
        assert not result.ephemeral
        assert quote_of(result.message) in CURATED_BY_TEXT.values()


async def test_random_draws_from_the_servers_own_quotes_too(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    await add(driver, world, "Our own words.", "A Fan")
    # load_extension imports its own copy of the module, so isinstance would not hold here.
    cog = cast(Quotes, bot.get_cog("Quotes"))
    assert cog is not None
    pool = await cog.pool(world.guild.id)
    assert len(pool) == len(BOOK) + 1 and pool[-1].text == "Our own words."
    other = build_world(driver, "Other Server")
    assert len(await cog.pool(other.guild.id)) == len(BOOK)


# ------------------------------------------------------------------------------ /quote search
async def search(driver: Driver, world: World, text: str) -> InteractionResult:
    return await driver.invoke(
        "quote search", {"text": text}, member=world.fan, channel=world.general
    )


async def test_search_finds_by_speaker_best_first(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await search(driver, world, "Soul Rasheed")
    assert not result.ephemeral
    fields = result.message.embeds[0]["fields"]
    assert fields and "Soul Rasheed" in fields[0]["name"]
    assert len(fields) <= 5


async def test_search_pages_with_buttons_that_survive_a_restart(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    result = await search(driver, world, "music")
    message = result.message
    footer = message.embeds[0]["footer"]["text"]
    total = int(footer.split()[0])
    assert total > 5, footer
    assert [b["label"] for b in message.buttons()] == ["◀ Previous", "Next ▶"]
    assert message.buttons()[0].get("disabled") is True
    first_page = [f["value"] for f in message.embeds[0]["fields"]]

    # Someone else's click does not turn the searcher's page: they get their own copy.
    other = await driver.click(message, member=world.owner, label="Next ▶")
    assert other.ephemeral and "your own copy" in other.text
    assert "page 2 of" in other.message.embeds[0]["footer"]["text"]
    assert "page 1 of" in message.embeds[0]["footer"]["text"]
    assert [f["value"] for f in message.embeds[0]["fields"]] == first_page
    # ... which they page through in place (it is theirs alone).
    mine = await driver.click(other.message, member=world.owner, label="◀ Previous")
    assert mine.response_type == 7 and "page 1 of" in other.message.embeds[0]["footer"]["text"]

    clicked = await driver.click(message, member=world.fan, label="Next ▶")
    assert clicked.response_type == 7
    assert "page 2 of" in message.embeds[0]["footer"]["text"]
    second_page = [f["value"] for f in message.embeds[0]["fields"]]
    assert not set(first_page) & set(second_page)

    await bot.close()
    async with running_bot(driver, db_path, clock=clock):
        await driver.click(message, member=world.fan, label="◀ Previous")
        assert "page 1 of" in message.embeds[0]["footer"]["text"]
        assert [f["value"] for f in message.embeds[0]["fields"]] == first_page
        # A forged custom_id: a page far past the end is clamped to the last page.
        await driver.click(message, member=world.fan, custom_id="quote:search:999:music")
        assert message.buttons()[1].get("disabled") is True
        # Forged words that match nothing get a private answer and leave the message alone.
        forged = await driver.click(message, member=world.fan, custom_id="quote:search:0:zzqx")
        assert forged.ephemeral and "run `/quote search` again" in forged.text


async def test_no_match_is_a_friendly_private_reply(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await search(driver, world, "xylophonicalities")
    assert result.ephemeral
    assert "No quote matches every word of xylophonicalities" in result.text
    assert "Closest" not in result.text
    empty = await search(driver, world, "\u200b!!!")
    assert empty.ephemeral and "Type a word" in empty.text


async def test_one_common_word_is_not_a_match_and_the_closest_search_is_offered(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await search(driver, world, "qwzx no such quote zzz")
    assert result.ephemeral and "No quote matches every word of qwzx quote zzz" in result.text
    misspelt = await search(driver, world, "Motwn")
    assert misspelt.ephemeral and "Closest: `/quote search text:motown`" in misspelt.text
    both = await search(driver, world, "Teddy Motown")  # each is known, never together
    assert both.ephemeral and "Closest: `/quote search text:" in both.text
    followed = await search(driver, world, "motown")
    assert not followed.ephemeral
    for field in followed.message.embeds[0]["fields"]:
        assert "motown" in field["value"].casefold() or "motown" in field["name"].casefold()


async def test_a_quote_cut_short_can_be_read_in_full_privately(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    long_quote = next(q for q in BOOK.quotes if "what do you know about BET" in q.text)
    result = await search(driver, world, "odd man out")
    assert not result.ephemeral
    field = result.message.embeds[0]["fields"][0]
    excerpt = field["value"].split("\n")[0]
    assert excerpt.endswith("…") and len(excerpt) < len(shown(long_quote.text))
    cut_before = excerpt.removesuffix("…")
    assert shown(long_quote.text).startswith(cut_before)
    assert shown(long_quote.text)[len(cut_before)] == " "  # cut between words, never inside one
    assert "cut short: Read in full" in result.message.embeds[0]["footer"]["text"]
    full = await driver.click(result.message, member=world.owner, label="Read in full")
    assert full.ephemeral
    assert any(e["description"].startswith(shown(long_quote.text)) for e in full.message.embeds)
    assert result.message.embeds[0]["fields"][0] == field  # the public page is unchanged


async def test_short_results_have_no_read_in_full_button(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await search(driver, world, "Everyone stealing")
    assert not result.ephemeral and "Read in full" not in [
        b["label"] for b in result.message.buttons()
    ]


async def test_hostile_search_text_is_neither_echoed_nor_pinging(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    hostile = "@everyone **korean** " + "\u200b!" * 2500
    result = await search(driver, world, hostile)
    # "everyone" and "korean" are real words of a quote, so this finds it; the title shows the
    # folded words only, never the raw text.
    title = result.message.embeds[0]["title"]
    assert title == "Quotes matching: everyone korean"
    assert "<@" not in title and "**" not in title

    unmatched = await search(driver, world, "<@123> **zzqx** " + "ꙮ" * 5000)
    assert unmatched.ephemeral
    assert len(unmatched.text) < 400
    assert "<@123>" not in unmatched.text and "**" not in unmatched.text
    assert "ꙮ" * 100 not in unmatched.text
    assert_no_pings(driver)


# ------------------------------------------------------------------------------ /quote add, remove
async def test_added_quotes_are_shown_exactly_never_ping_and_can_be_found(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    text = "@everyone <@123> **Motown** _forever_ [click](https://evil.example) 우주선 힙합"
    before = await search(driver, world, "우주선 힙합")  # (search pages are kept rendered)
    assert before.ephemeral and not before.message.embeds
    result = await add(driver, world, text, "Yoon Mirae", source="https://example.com/a_(b)")
    assert result.ephemeral and "#1" in result.text
    description = result.message.embeds[0]["description"]
    assert description.startswith(shown(text))
    assert "\\*\\*Motown\\*\\*" in description and "\\<@123>" in description
    assert "[example.com](https://example.com/a_%28b%29)" in result.message.text()

    found = await search(driver, world, "우주선 힙합")
    (first, *_) = found.message.embeds[0]["fields"]
    assert first["name"] == "#1 · Yoon Mirae"
    assert shown(text) in first["value"]
    assert_no_pings(driver)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"text": "x" * 1000}, "1,000 characters long; the limit is 600"),
        ({"text": "ok", "speaker": "s" * 300}, "speaker is 300 characters"),
        ({"text": "ok", "source": "http://example.com/interview"}, "https://"),
        ({"text": "ok", "source": "javascript:alert(1)"}, "https://"),
        ({"text": "ok", "source": "ftp://example.com/file"}, "https://"),
        ({"text": "\u200b\u200b"}, "quote text is empty"),
    ],
)
async def test_bad_quotes_are_refused_and_nothing_is_added(
    bot: KpopsBot, driver: Driver, world: World, options: dict[str, str], says: str
) -> None:
    options = {"speaker": "Someone", **options}
    result = await driver.invoke(
        "quote add", options, member=world.moderator, channel=world.general
    )
    assert result.ephemeral
    assert says in result.text and "Nothing was added" in result.text
    assert "x" * 100 not in result.text  # over-long input is never echoed
    assert await QuoteStore(bot.db).server_quotes(world.guild.id) == []


async def test_a_quote_already_in_the_collection_is_refused(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    curated = BOOK.quotes[0]
    result = await add(driver, world, curated.text.upper(), curated.speaker)
    assert result.ephemeral and "already in the sourced collection" in result.text
    await add(driver, world, "Fresh words.")
    again = await add(driver, world, "fresh words")
    assert "already in server quote #1" in again.text


async def test_fans_cannot_add_or_remove(bot: KpopsBot, driver: Driver, world: World) -> None:
    await add(driver, world, "Kept.")
    refused = await driver.invoke(
        "quote add", {"text": "Sneaky", "speaker": "Fan"}, member=world.fan, channel=world.general
    )
    assert refused.ephemeral and "Only moderators" in refused.text
    refused = await driver.invoke(
        "quote remove", {"id": 1}, member=world.fan, channel=world.general
    )
    assert refused.ephemeral and "Only moderators" in refused.text
    assert [q.text for q in await QuoteStore(bot.db).server_quotes(world.guild.id)] == ["Kept."]


async def test_remove_takes_only_this_servers_quote_out_of_rotation_and_search(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    other = build_world(driver, "Other Server")
    await driver.wait_idle(0.2)
    await driver.invoke(
        "quote add",
        {"text": "Theirs, not ours.", "speaker": "Other"},
        member=other.moderator,
        channel=other.general,
    )
    await add(driver, world, "Zzqx is our word.", "Ours")

    # Server quote #1 of the other server is not ours to remove; #1 here is.
    missing = await driver.invoke(
        "quote remove", {"id": 7}, member=world.moderator, channel=world.general
    )
    assert missing.ephemeral and "no quote #7" in missing.text
    assert (await search(driver, world, "zzqx")).message.embeds

    # Make our quote today's pick, then remove it: today's quote moves on to one still there.
    store = QuoteStore(bot.db)
    while quote_of((await today(driver, world)).message) != "server #1":
        clock.advance(days=1)
    removed = await driver.invoke(
        "quote remove", {"id": 1}, member=world.moderator, channel=world.general
    )
    assert removed.ephemeral and "Removed server quote #1" in removed.text
    assert quote_of((await today(driver, world)).message) != "server #1"
    assert (await search(driver, world, "zzqx")).ephemeral
    assert await store.server_quotes(world.guild.id) == []
    assert [q.text for q in await store.server_quotes(other.guild.id)] == ["Theirs, not ours."]
    again = await driver.invoke(
        "quote remove", {"id": 1}, member=world.moderator, channel=world.general
    )
    assert again.ephemeral and "no quote #1" in again.text
