"""/film end to end through the emulator: the film card, facts, trivia, the leaderboard, daily fact."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.sandbox.interactions import InteractionResult
from bot.sandbox.state import Message
from cogs.film.cog import FACT_BUTTON_COOLDOWN_SECONDS, FilmCog
from cogs.film.content import Trivia, load_film
from tests.conftest import World

CONTENT = load_film()
SUCCESS, SECONDARY = 3, 2  # Discord button styles


def film_cog(bot: KpopsBot) -> FilmCog:
    # The extension loader imports cogs.film afresh, so compare by name, not by class identity.
    cog = bot.get_cog("Film")
    assert cog is not None and type(cog).__name__ == FilmCog.__name__
    return cast(FilmCog, cog)


def fact_of(result: InteractionResult) -> Any:
    """The content fact a reply shows (by its text)."""
    description = result.message.embeds[0]["description"]
    matches = [f for f in CONTENT.facts if description.startswith(f.text)]
    assert len(matches) == 1, description
    return matches[0]


def trivia_of(message: Message) -> Trivia:
    description = message.embeds[0]["description"]
    matches = [t for t in CONTENT.trivia if f"**{t.question}**" in description]
    assert len(matches) == 1, description
    return matches[0]


def label_of(message: Message, text: str) -> str:
    labels = [b["label"] for b in message.buttons()]
    assert text in labels, (text, labels)
    return text


def wrong_label(message: Message, trivia: Trivia) -> str:
    return next(b["label"] for b in message.buttons() if b["label"] != trivia.answer)


def assert_no_pings(*results: InteractionResult) -> None:
    for result in results:
        for msg in result.messages:
            assert msg.pings == [], msg.pings


# ---------------------------------------------------------------------- /film about
async def test_about_shows_the_film_card(bot: KpopsBot, driver: Driver, world: World) -> None:
    result = await driver.invoke("film about", member=world.fan, channel=world.general)
    assert not result.ephemeral
    embed = result.message.embeds[0]
    film = CONTENT.film
    assert embed["title"] == film.title
    assert embed["description"] == film.synopsis
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert film.director in fields["Directed by"]
    assert "Soul Rasheed" in fields["Starring"] and "Anderson .Paak" in fields["Starring"]
    assert fields["Release"] == film.release
    assert "Toronto International Film Festival" in fields["Screened at"]
    sources = "\n".join(v for k, v in fields.items() if k.startswith("Sources"))
    for source in film.sources:
        assert f"]({source.url})" in sources  # every source, as a link
    assert_no_pings(result)


async def test_commands_are_server_only(bot: KpopsBot, driver: Driver, world: World) -> None:
    film = next(c for c in driver.registered(world.guild.id) if c["name"] == "film")
    assert film.get("contexts") == [0] or film.get("dm_permission") is False
    names = sorted(o["name"] for o in film["options"])
    assert names == ["about", "fact", "leaderboard", "trivia"]
    fact = next(o for o in film["options"] if o["name"] == "fact")
    assert [
        (o["name"], o.get("required", False), o.get("autocomplete")) for o in fact["options"]
    ] == [("topic", False, True)]


# ---------------------------------------------------------------------- /film fact
async def test_fact_has_its_source_as_a_link_and_another_fact_button(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await driver.invoke("film fact", member=world.fan, channel=world.general)
    assert not result.ephemeral
    fact = fact_of(result)
    embed = result.message.embeds[0]
    assert embed["url"] == fact.source.url
    source = next(f["value"] for f in embed["fields"] if f["name"] == "Source")
    assert f"]({fact.source.url})" in source and fact.source.publication in source
    assert [b["label"] for b in result.message.buttons()] == ["Another fact"]
    again = await driver.click(result.message, member=world.moderator, label="Another fact")
    assert not again.ephemeral
    assert fact_of(again).id != fact.id
    assert_no_pings(result, again)


async def test_another_fact_waits_per_member_without_posting(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    """Thirty clicks are not thirty public posts: each member waits between "Another fact"s."""
    first = await driver.invoke("film fact", member=world.fan, channel=world.general)
    posted = await driver.click(first.message, member=world.fan, label="Another fact")
    assert not posted.ephemeral
    before = len(driver.channel_messages(world.general))
    for _ in range(30):
        refused = await driver.click(first.message, member=world.fan, label="Another fact")
        assert refused.ephemeral
        assert f"in {FACT_BUTTON_COOLDOWN_SECONDS} seconds" in refused.message.content
    clock.advance(seconds=FACT_BUTTON_COOLDOWN_SECONDS - 4)
    refused = await driver.click(first.message, member=world.fan, label="Another fact")
    assert refused.ephemeral and "in 4 seconds" in refused.message.content
    # Another member is not held up by the first one's clicks.
    other = await driver.click(first.message, member=world.moderator, label="Another fact")
    assert not other.ephemeral
    clock.advance(seconds=4)
    again = await driver.click(first.message, member=world.fan, label="Another fact")
    assert not again.ephemeral
    assert len(driver.channel_messages(world.general)) == before + 2


async def test_facts_rotate_without_repeats_until_all_were_shown(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    total = len(CONTENT.facts)
    shown = []
    result = await driver.invoke("film fact", member=world.fan, channel=world.general)
    shown.append(fact_of(result).id)
    for _ in range(total - 1):  # half by command, half by the button
        if len(shown) % 2:
            clock.advance(seconds=FACT_BUTTON_COOLDOWN_SECONDS)
            result = await driver.click(result.message, member=world.fan, label="Another fact")
        else:
            result = await driver.invoke("film fact", member=world.fan, channel=world.general)
        shown.append(fact_of(result).id)
    assert sorted(shown) == sorted(f.id for f in CONTENT.facts)
    # The next round starts, not with the fact that ended the last one.
    result = await driver.invoke("film fact", member=world.fan, channel=world.general)
    assert fact_of(result).id != shown[-1]


async def test_rotation_is_per_server(bot: KpopsBot, driver: Driver, world: World) -> None:
    other = driver.add_guild("Other fans", channels=("general",))
    other_channel = next(iter(other.channels.values()))
    other_member = driver.add_member(other, "someone")
    await driver.wait_idle(0.2)
    festival = [f.id for f in CONTENT.facts if "festival" in f.topics]
    here = [
        fact_of(
            await driver.invoke(
                "film fact", {"topic": "festival"}, member=world.fan, channel=world.general
            )
        ).id
        for _ in festival
    ]
    there = fact_of(
        await driver.invoke(
            "film fact", {"topic": "festival"}, member=other_member, channel=other_channel
        )
    ).id
    assert sorted(here) == sorted(festival)
    assert there in festival  # the other server has its own, fresh rotation


@pytest.mark.parametrize("typed", ["music", "Music", "  MUSIC ", "\u200bmu\u200dsic\ufeff"])
async def test_fact_on_a_topic_and_another_on_the_same_topic(
    bot: KpopsBot, driver: Driver, world: World, typed: str
) -> None:
    result = await driver.invoke(
        "film fact", {"topic": typed}, member=world.fan, channel=world.general
    )
    assert "music" in fact_of(result).topics
    assert result.message.buttons()[0]["custom_id"] == "film:fact:music"
    again = await driver.click(result.message, member=world.fan, label="Another fact")
    assert "music" in fact_of(again).topics and fact_of(again).id != fact_of(result).id


async def test_fact_by_keyword(bot: KpopsBot, driver: Driver, world: World) -> None:
    result = await driver.invoke(
        "film fact", {"topic": "toronto"}, member=world.fan, channel=world.general
    )
    fact = fact_of(result)
    assert "toronto" in fact.text.casefold()
    # A keyword search's button offers any fact (the keyword is not kept in the button).
    assert result.message.buttons()[0]["custom_id"] == "film:fact:any"


GARBAGE = [
    "x" * 6000,
    "@everyone",
    "@here <@123> <@&456> <#789>",
    "<@123>",
    "케이팝 최고",
    "\u200b\u200c\u200d\ufeff",
    "**bold** __under__ `code` ||spoiler|| [link](https://evil.example)",
    "zzqx " * 50,
]


@pytest.mark.parametrize("typed", GARBAGE, ids=lambda s: repr(s[:12]))
async def test_garbage_topics_get_a_friendly_private_reply(
    bot: KpopsBot, driver: Driver, world: World, typed: str
) -> None:
    result = await driver.invoke(
        "film fact", {"topic": typed}, member=world.fan, channel=world.general
    )
    text = result.text
    if not typed.strip("\u200b\u200c\u200d\ufeff"):
        # Only invisible characters: the same as no topic at all, so a random fact.
        assert fact_of(result) is not None
        return
    assert result.ephemeral
    assert "Pick a topic" in text
    for topic in CONTENT.topics():
        assert topic in text
    assert len(text) < 700  # never the raw 6,000 characters back
    assert "@everyone" not in text and "@here" not in text
    assert "<@" not in text.replace("\\<@", "")  # mention syntax only ever escaped (bot.ui.text)
    assert "[link](" not in text
    assert result.message.components == []
    assert_no_pings(result)


async def test_a_search_must_match_every_word_and_says_what_is_closest(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    nothing = await driver.invoke(
        "film fact", {"topic": "qwzx no such fact zzz"}, member=world.fan, channel=world.general
    )
    assert nothing.ephemeral and "No fact matches" in nothing.text
    assert "Closest" not in nothing.text  # nothing near: no made-up suggestion
    misspelt = await driver.invoke(
        "film fact", {"topic": "drumer"}, member=world.fan, channel=world.general
    )
    assert misspelt.ephemeral and "Closest: `/film fact topic:drummer`" in misspelt.text
    followed = await driver.invoke(
        "film fact", {"topic": "drummer"}, member=world.fan, channel=world.general
    )
    assert not followed.ephemeral and "drummer" in fact_of(followed).text.casefold()


async def test_topic_autocomplete(bot: KpopsBot, driver: Driver, world: World) -> None:
    async def offered(typed: str) -> list[str]:
        choices = await driver.autocomplete(
            "film fact", "topic", typed, member=world.fan, channel=world.general
        )
        for choice in choices:
            assert 1 <= len(choice["name"]) <= 100 and choice["value"] in CONTENT.topics()
        return [c["value"] for c in choices]

    assert await offered("") == CONTENT.topics()
    assert await offered("mus") == ["music"]
    assert await offered("KPOP") == ["k-pop"]
    assert await offered("\u200bcast") == ["cast"]
    assert await offered("케이팝") == []
    assert await offered("y" * 3000) == []
    choices = await driver.autocomplete(
        "film fact", "topic", "music", member=world.fan, channel=world.general
    )
    count = sum(1 for f in CONTENT.facts if "music" in f.topics)
    assert choices == [{"name": f"music ({count} facts)", "value": "music"}]


async def test_another_fact_button_works_after_a_restart(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    first = await driver.invoke(
        "film fact", {"topic": "cast"}, member=world.fan, channel=world.general
    )
    await bot.close()
    async with running_bot(driver, db_path, clock=clock):
        again = await driver.click(first.message, member=world.fan, label="Another fact")
        assert "cast" in fact_of(again).topics
        assert fact_of(again).id != fact_of(first).id  # the rotation survived the restart


async def test_a_round_carries_on_across_a_restart(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    # The rotation is written behind in groups; stopping the bot writes what is pending.
    cast_facts = sorted(f.id for f in CONTENT.facts if "cast" in f.topics)
    half = len(cast_facts) // 2
    options = {"topic": "cast"}
    shown = [
        fact_of(
            await driver.invoke("film fact", options, member=world.fan, channel=world.general)
        ).id
        for _ in range(half)
    ]
    await bot.close()
    async with running_bot(driver, db_path, clock=clock):
        for _ in range(len(cast_facts) - half):
            result = await driver.invoke(
                "film fact", options, member=world.fan, channel=world.general
            )
            shown.append(fact_of(result).id)
    assert sorted(shown) == cast_facts  # no fact came round twice before the round ended


async def test_daily_fact_uses_the_same_rotation(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    build = bot.daily.builders["fact"]
    post = await build(world.guild.id, date(2026, 3, 2))
    assert post.embed.title == "Fact of the day · March 2, 2026"
    description = post.embed.description or ""
    daily = {f.id for f in CONTENT.facts if description.startswith(f.text)}
    assert len(daily) == 1 and post.embed.url is not None
    shown = set(daily)
    for _ in range(len(CONTENT.facts) - 1):
        result = await driver.invoke("film fact", member=world.fan, channel=world.general)
        shown.add(fact_of(result).id)
    assert len(shown) == len(CONTENT.facts)


# ---------------------------------------------------------------------- /film trivia
async def start_trivia(driver: Driver, world: World, channel: Any = None) -> Message:
    result = await driver.invoke("film trivia", member=world.fan, channel=channel or world.general)
    assert not result.ephemeral
    return result.message


async def test_trivia_question_has_four_shuffled_buttons(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    message = await start_trivia(driver, world)
    trivia = trivia_of(message)
    buttons = message.buttons()
    assert sorted(b["label"] for b in buttons) == sorted([trivia.answer, *trivia.wrong])
    question_ids = {b["custom_id"].split(":")[1] for b in buttons}
    assert len(question_ids) == 1
    assert [b["custom_id"].split(":")[2] for b in buttons] == ["0", "1", "2", "3"]
    assert all(b["custom_id"].startswith("trivia:") for b in buttons)
    assert "<t:" in message.embeds[0]["description"]  # when it closes, in each user's time zone


async def test_answers_first_counts_and_nothing_is_spoilt(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    message = await start_trivia(driver, world)
    trivia = trivia_of(message)
    right = await driver.click(message, member=world.fan, label=label_of(message, trivia.answer))
    assert right.ephemeral and right.text.startswith("✅ Right")
    again = await driver.click(message, member=world.fan, label=wrong_label(message, trivia))
    assert again.ephemeral and "first answer counts" in again.text
    clock.advance(seconds=30)
    wrong = await driver.click(message, member=world.moderator, label=wrong_label(message, trivia))
    assert wrong.ephemeral and wrong.text.startswith("❌")
    assert trivia.answer not in wrong.text
    # The public message still does not tell anyone which answer is right.
    assert trivia.answer not in message.text() and not message.edits
    assert {b.get("style") for b in message.buttons()} == {SECONDARY}
    assert_no_pings(right, again, wrong)


async def test_question_closes_after_60_seconds_and_shows_the_result(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    message = await start_trivia(driver, world)
    trivia = trivia_of(message)
    await driver.click(message, member=world.fan, label=label_of(message, trivia.answer))
    await driver.click(message, member=world.moderator, label=wrong_label(message, trivia))
    cog = film_cog(bot)
    clock.advance(seconds=59)
    assert await cog.close_due() == 0 and not message.edits
    clock.advance(seconds=1)
    late = await driver.click(message, member=world.owner, label=label_of(message, trivia.answer))
    assert late.ephemeral and "has closed" in late.text
    await cog.close_due()
    assert message.edits, "the question message was not edited to show the result"
    embed = message.embeds[0]
    text = message.text()
    assert f"**{trivia.answer}**" in embed["description"] and trivia.explanation in text
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert f"]({trivia.source.url})" in fields["Source"]
    assert fields["Got it right (1 of 2)"] == f"<@{world.fan.id}>"
    buttons = message.buttons()
    assert all(b.get("disabled") for b in buttons)
    assert [b["label"] for b in buttons if b.get("style") == SUCCESS] == [trivia.answer]
    assert message.pings == []
    # The owner's late click did not score.
    board = await driver.invoke("film leaderboard", member=world.owner, channel=world.general)
    assert f"<@{world.owner.id}>: no answers yet" in board.text


async def test_the_loop_closes_questions_on_its_own(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    message = await start_trivia(driver, world)
    clock.advance(seconds=61)
    edited = await driver.wait_for_message(
        lambda m: m.id == message.id and bool(m.edits), timeout=5
    )
    assert "Nobody this time." in edited.text()


async def test_one_open_question_per_channel(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    message = await start_trivia(driver, world)
    await driver.wait_idle()  # the question's message id is recorded after the reply is sent
    busy = await driver.invoke("film trivia", member=world.moderator, channel=world.general)
    assert busy.ephemeral and "already open" in busy.text
    assert f"/{world.general.id}/{message.id}" in busy.text  # a link to the open question
    elsewhere = await driver.invoke("film trivia", member=world.moderator, channel=world.daily)
    assert not elsewhere.ephemeral
    clock.advance(seconds=60)
    await film_cog(bot).close_due()
    next_one = await start_trivia(driver, world)
    assert trivia_of(next_one).id != trivia_of(message).id  # trivia rotates too


async def test_forged_answers_are_refused(bot: KpopsBot, driver: Driver, world: World) -> None:
    message = await start_trivia(driver, world)
    other = await start_trivia(driver, world, channel=world.daily)
    # A modified client sends custom_ids that are not on the message it clicked.
    forgeries = [
        "trivia:999999:0",
        other.buttons()[0]["custom_id"],  # another question's button
        "film:fact:any",
        "film:fact",
        "trivia:1:9",
        "trivia:" + "9" * 90,
        "film:fact:MUSIC\u200b",
    ]
    for custom_id in forgeries:
        forged = await driver.click(message, custom_id=custom_id, member=world.fan)
        assert forged.ephemeral and "doesn't belong to this message" in forged.text
    about = await driver.invoke("film about", member=world.fan, channel=world.general)
    for custom_id in ("film:fact:any", message.buttons()[0]["custom_id"]):
        forged = await driver.click(about.message, custom_id=custom_id, member=world.fan)
        assert forged.ephemeral and "doesn't belong to this message" in forged.text
    # Nothing was recorded: the fan's real answer still counts as a first answer.
    real = await driver.click(message, member=world.fan, index=0)
    assert "first answer counts" not in real.text


async def test_trivia_survives_a_restart(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    message = await start_trivia(driver, world)
    trivia = trivia_of(message)
    await bot.close()
    async with running_bot(driver, db_path, clock=clock) as restarted:
        right = await driver.click(
            message, member=world.fan, label=label_of(message, trivia.answer)
        )
        assert right.text.startswith("✅ Right")
        clock.advance(seconds=60)
        await film_cog(restarted).close_due()  # no interaction token now: the channel route
        assert message.edits and f"<@{world.fan.id}>" in message.text()


async def test_closing_a_deleted_question_message(
    bot: KpopsBot, driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    message = await start_trivia(driver, world)
    await bot.close()  # after a restart only the channel route can edit the message
    async with running_bot(driver, db_path, clock=clock) as restarted:
        message.deleted = True
        clock.advance(seconds=60)
        cog = film_cog(restarted)
        await cog.close_due()
        assert await cog.store.due_questions(clock.now()) == []  # given up, not retried forever
    assert [(v.method, v.status) for v in driver.violations] == [("PATCH", 404)]
    driver.violations.clear()  # provoked on purpose


async def test_a_failed_result_edit_is_tried_again(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    cog = film_cog(bot)
    cog.closer.cancel()  # this test counts close rounds: the background loop must not run one
    message = await start_trivia(driver, world)
    clock.advance(seconds=60)
    # Every try of discord.py's own retries is rate limited: the edit fails this round.
    fault = driver.fail("PATCH", r"/messages/", status=429, times=5, retry_after=0.01)
    assert await cog.close_due() == 0 and not message.edits
    assert fault.hits == 5
    assert await cog.close_due() == 1
    assert message.edits and "Nobody this time." in message.text()


# ---------------------------------------------------------------------- /film leaderboard
async def answer_right(driver: Driver, message: Message, member: Any) -> None:
    trivia = trivia_of(message)
    result = await driver.click(message, member=member, label=label_of(message, trivia.answer))
    assert result.text.startswith("✅")


async def test_leaderboard_top_10_and_own_rank(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    empty = await driver.invoke("film leaderboard", member=world.fan, channel=world.general)
    assert "Nobody has scored yet" in empty.text
    players = [driver.add_member(world.guild, f"player{n}") for n in range(11)]
    cog = film_cog(bot)
    # Round 1: everyone scores. Round 2: only the fan and the first player (the fan first).
    message = await start_trivia(driver, world)
    for member in [world.fan, *players]:
        await answer_right(driver, message, member)
    clock.advance(seconds=60)
    await cog.close_due()
    message = await start_trivia(driver, world)
    await answer_right(driver, message, world.fan)
    clock.advance(seconds=1)
    await answer_right(driver, message, players[0])
    await driver.click(
        message, member=world.moderator, label=wrong_label(message, trivia_of(message))
    )
    clock.advance(seconds=60)
    await cog.close_due()

    board = await driver.invoke("film leaderboard", member=players[10], channel=world.general)
    assert not board.ephemeral
    embed = board.message.embeds[0]
    lines = embed["description"].splitlines()
    assert len(lines) == 10
    assert lines[0] == f"**1.** <@{world.fan.id}> · 2 points (2 answered)"
    assert lines[1] == f"**1.** <@{players[0].id}> · 2 points (2 answered)"  # tied: same rank
    assert lines[2].startswith("**3.**") and "1 point (1 answered)" in lines[2]
    mine = next(f["value"] for f in embed["fields"] if f["name"] == "Your rank")
    assert mine == f"<@{players[10].id}>: #3 with 1 point (1 answered)"
    assert_no_pings(board)
    moderator = await driver.invoke("film leaderboard", member=world.moderator, channel=world.daily)
    assert f"<@{world.moderator.id}>: no points yet (1 answered)" in moderator.text
