"""The content itself (facts, trivia, the film card, quotes, influence names and notes) in the
reader's language, through the emulator: Korean for a Korean member, marked 번역 where it was
translated from an English source; English readers read exactly what they read before."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import cast

from PIL import Image

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.ui.text import escape
from cogs.film.cog import FilmCog
from cogs.film.content import load_film
from cogs.film.logic import choices_for
from cogs.influence import map_render
from cogs.influence.cog import map_picture, profile
from cogs.quotes.content import load_quotes
from tests.cogs.influence.test_cog import cog_of
from tests.cogs.influence.test_map import allow_attachments, picture_of
from tests.conftest import World
from tests.i18n.korean import assert_korean, message_texts

FILM = load_film()
QUOTES = load_quotes()
KO = "ko"
MARK = "(번역)"


# ---------------------------------------------------------------------- /film
async def test_a_korean_members_fact_is_the_korean_text_and_says_it_is_translated(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for _ in range(3):  # a few facts of the rotation
        r = await driver.invoke("film fact", member=world.fan, channel=world.general, locale=KO)
        embed = r.message.embeds[0]
        fact = next(f for f in FILM.facts if embed["description"].startswith(f.text_for(KO)))
        assert fact.text not in embed["description"]
        source = embed["fields"][0]["value"]
        assert source.endswith(MARK) == fact.is_translation(KO)
        assert fact.source_for(KO).url in source and embed["url"] == fact.source_for(KO).url


async def test_an_english_members_fact_and_card_are_unchanged(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke("film fact", member=world.fan, channel=world.general, locale="en-US")
    embed = r.message.embeds[0]
    fact = next(f for f in FILM.facts if embed["description"].startswith(f.text))
    assert fact.text_for(KO) not in embed["description"]
    assert MARK not in embed["fields"][0]["value"] and "번역" not in str(embed)
    about = await driver.invoke("film about", member=world.fan, channel=world.general)
    card = about.message.embeds[0]
    assert card["description"] == FILM.film.synopsis
    assert "번역" not in str(card)


async def test_the_film_card_in_korean(bot: KpopsBot, driver: Driver, world: World) -> None:
    film = FILM.film
    r = await driver.invoke("film about", member=world.fan, channel=world.general, locale=KO)
    card = r.message.embeds[0]
    assert card["description"] == film.synopsis_for(KO) != film.synopsis
    fields = {f["name"]: f["value"] for f in card["fields"]}
    assert fields["개봉"] == film.release_for(KO)
    assert all(m.role_for(KO) in fields["출연"] for m in film.cast)
    assert all(s.note_for(KO) in fields["상영"] for s in film.screenings)
    assert all(note in fields["제작"] for note in film.production_for(KO))
    sources = fields["출처"].splitlines()
    assert sources and all(line.endswith(MARK) for line in sources) == film.is_translation(KO)
    kept = [film.title, film.director, *film.writers, *(m.actor for m in film.cast)]
    kept += [f"{s.date}: {s.event} ({s.note_for(KO)})" for s in film.screenings]
    kept += [film.synopsis_for(KO), film.release_for(KO), *film.production_for(KO)]
    kept += [escape(s.via) for s in film.sources if s.via]
    kept += [m.role_for(KO) for m in film.cast]
    assert_korean(message_texts(r.message), kept)


def test_stored_choices_are_shown_in_the_readers_language_in_the_same_order() -> None:
    trivia = FILM.trivia[0]
    stored = (trivia.wrong[2], trivia.answer, trivia.wrong[0], trivia.wrong[1])
    korean = choices_for(stored, trivia, KO)
    assert korean == (trivia.wrong_for(KO)[2], trivia.answer_for(KO), *trivia.wrong_for(KO)[:2])
    assert choices_for(stored, trivia, "en") == stored
    assert choices_for(stored, None, KO) == stored  # an entry since removed: shown as stored


async def test_trivia_in_a_korean_server_asks_in_korean_and_counts_the_right_click(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    world.guild.locale = KO
    async with running_bot(driver, db_path, clock=clock) as bot:
        asked = await driver.invoke("film trivia", member=world.fan, channel=world.general)
        question = asked.message
        trivia = next(t for t in FILM.trivia if f"**{t.question_for(KO)}**" in question.text())
        assert trivia.question not in question.text()
        labels = [b["label"] for b in question.buttons()]
        assert sorted(labels) == sorted([trivia.answer_for(KO), *trivia.wrong_for(KO)])
        # The stored question stays language-neutral; the right button is the stored index.
        film = cast(FilmCog, bot.get_cog("Film"))
        question_id = int(question.buttons()[0]["custom_id"].split(":")[1])
        stored = await film.store.question(question_id)
        assert stored is not None and stored.question == trivia.question
        assert sorted(stored.choices) == sorted([trivia.answer, *trivia.wrong])
        assert labels[stored.answer_index] == trivia.answer_for(KO)
        # An English member clicks the same Korean button and is answered in English.
        right = await driver.click(question, member=world.owner, label=trivia.answer_for(KO))
        assert right.text.startswith("✅ Right!")
        wrong = next(label for label in labels if label != trivia.answer_for(KO))
        missed = await driver.click(question, member=world.fan, label=wrong, locale=KO)
        assert missed.text.startswith("❌")
        clock.advance(seconds=61)
        await film.close_due()
        await driver.wait_idle()
        closed = driver.channel_messages(world.general)[-1]
        assert f"✅ **{trivia.answer_for(KO)}**" in closed.text()
        assert trivia.explanation_for(KO) in closed.text()
        source = closed.embeds[0]["fields"][0]["value"]
        assert source.endswith(MARK) == trivia.is_translation(KO)
        assert closed.embeds[0]["fields"][-1]["value"] == f"<@{world.owner.id}>"
        board = await driver.invoke(
            "film leaderboard", member=world.owner, channel=world.general, locale=KO
        )
        assert f"<@{world.owner.id}> · 1점" in board.message.embeds[0]["description"]


# ---------------------------------------------------------------------- /quote
async def test_a_quote_in_korean_keeps_its_words_and_shows_the_translation_beside_them(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    for _ in range(4):
        r = await driver.invoke("quote random", member=world.fan, channel=world.general, locale=KO)
        card = r.message.embeds[0]
        quote = next(
            q for q in QUOTES.quotes if card["description"].startswith(f"{escape(q.text)}\n\n")
        )
        fields = {f["name"]: f["value"] for f in card["fields"]}
        assert fields["배경"] == escape(quote.context_for(KO))
        assert fields["번역"] == escape(quote.translation_for(KO))
        assert fields["출처"].endswith(MARK) == quote.is_translation(KO)
        assert quote.source.url in fields["출처"]
        en = await driver.invoke("quote today", member=world.fan, channel=world.general)
        assert "번역" not in str(en.message.embeds[0])


# ---------------------------------------------------------------------- /influence
async def test_influence_artist_by_its_korean_name_shows_the_korean_name(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    jackson = cog_of(bot).lookup.graph.entities["michael-jackson"]
    ko = await driver.invoke(
        "influence artist",
        {"name": "마이클 잭슨"},
        member=world.fan,
        channel=world.general,
        locale=KO,
    )
    embed = ko.message.embeds[0]
    assert embed["title"] == "마이클 잭슨" == jackson.name_for(KO)
    assert jackson.origin_for(KO) in embed["description"]
    en = await driver.invoke(
        "influence artist", {"name": "마이클 잭슨"}, member=world.fan, channel=world.general
    )
    assert en.message.embeds[0]["title"] == "Michael Jackson"
    assert jackson.origin in en.message.embeds[0]["description"]


async def test_a_korean_profile_shows_korean_names_and_notes_only(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    lookup = cog_of(bot).lookup
    r = await driver.invoke(
        "influence artist", {"name": "bts"}, member=world.fan, channel=world.general, locale=KO
    )
    embed = r.message.embeds[0]
    shown = lookup.neighbours("bts")[: len(embed["fields"])]
    for field, neighbour in zip(embed["fields"], shown, strict=True):
        assert neighbour.other.name_for(KO) in field["name"]
        assert escape(neighbour.link.note_for(KO))[:80] in field["value"]
        assert escape(neighbour.link.note)[:80] not in field["value"]
        assert field["value"].endswith(MARK) == neighbour.link.is_translation(KO)
    labels = [b["label"] for b in r.message.buttons()]
    assert [label.split(" ", 1)[1] for label in labels[: len(shown)]] == [
        n.other.name_for(KO) for n in shown
    ]
    # The English profile is the same page in English.
    en_embed, _ = profile(lookup, lookup.graph.entities["bts"], 0, "en")
    assert en_embed.title == "BTS"
    assert [f.name for f in en_embed.fields][0] != embed["fields"][0]["name"]


async def test_a_path_names_its_ends_in_korean(bot: KpopsBot, driver: Driver, world: World) -> None:
    r = await driver.invoke(
        "influence path",
        {"from": "motown", "to": "bts"},
        member=world.fan,
        channel=world.general,
        locale=KO,
    )
    embed = r.message.embeds[0]
    assert embed["title"] == "모타운 → 방탄소년단"
    assert "Motown" not in embed["description"] and "BTS" not in embed["description"]


async def test_the_map_for_a_korean_reader_draws_korean_names(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    allow_attachments(driver, world)
    lookup = cog_of(bot).lookup
    bts = lookup.graph.entities["bts"]
    ko_layout = map_picture(lookup, bts, 1, KO).layout()
    assert {n.name for n in ko_layout.nodes} == {
        lookup.graph.entities[n.entity_id].name_for(KO) for n in ko_layout.nodes
    }
    assert "방탄소년단" in {n.name for n in ko_layout.nodes}
    en_layout = map_picture(lookup, bts, 1, "en").layout()
    assert "BTS" in {n.name for n in en_layout.nodes}
    r = await driver.invoke(
        "influence map", {"name": "bts"}, member=world.fan, channel=world.general, locale=KO
    )
    sent = picture_of(driver, r.message)
    # What was sent is the Korean layout drawn; the same words with English names differ.
    drawn = Image.open(io.BytesIO(map_render.render(ko_layout)))
    assert sent.tobytes() == drawn.convert(sent.mode).tobytes()
    english_names = {n.entity_id: n.name for n in en_layout.nodes}
    mixed = dataclasses.replace(
        ko_layout,
        nodes=tuple(
            dataclasses.replace(n, name=english_names[n.entity_id]) for n in ko_layout.nodes
        ),
    )
    other = Image.open(io.BytesIO(map_render.render(mixed)))
    assert other.convert(sent.mode).tobytes() != sent.tobytes()


async def test_influence_suggestions_name_entries_in_the_readers_language(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    ko = await driver.autocomplete(
        "influence artist", "name", "마이클", member=world.fan, channel=world.general, locale=KO
    )
    en = await driver.autocomplete(
        "influence artist", "name", "마이클", member=world.fan, channel=world.general
    )
    assert {"value": "michael-jackson", "name": "마이클 잭슨"} in ko
    # An English reader who typed the Hangul sees the English name and what matched.
    assert {"value": "michael-jackson", "name": "Michael Jackson (마이클 잭슨)"} in en
    typo = await driver.invoke(
        "influence artist", {"name": "Jakson"}, member=world.fan, channel=world.general, locale=KO
    )
    labels = [b["label"] for b in typo.message.buttons()]
    assert labels and all(any("\uac00" <= ch <= "\ud7a3" for ch in label) for label in labels), (
        labels
    )
    assert any(label.startswith("마이클 잭슨") for label in labels)


async def test_korean_words_find_facts_and_quotes_by_their_korean_text(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    fact = await driver.invoke(
        "film fact", {"topic": "드러머"}, member=world.fan, channel=world.general, locale=KO
    )
    assert not fact.ephemeral and "드러머" in fact.message.embeds[0]["description"]
    found = await driver.invoke(
        "quote search", {"text": "가족"}, member=world.fan, channel=world.general, locale=KO
    )
    assert not found.ephemeral and found.message.embeds[0]["fields"]
    speakers = {
        escape(q.speaker)
        for q in QUOTES.quotes
        if "가족" in q.context_for(KO) + q.translation_for(KO)
    }
    fields = found.message.embeds[0]["fields"]
    assert all(any(s in f["name"] for s in speakers) for f in fields)
