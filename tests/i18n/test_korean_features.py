"""/film, /quote, /help and /privacy for a member whose Discord is in Korean, through the emulator.

Replies follow the member's locale; the trivia question (which stays in the channel for everyone)
follows the server's. English members still read English, and any other locale falls back to it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.content.common import Source
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.sandbox.interactions import InteractionResult
from bot.ui.text import escape
from cogs.film.cog import FilmCog
from cogs.film.content import load_film
from cogs.quotes.content import load_quotes
from tests.conftest import World
from tests.i18n.korean import assert_korean, english_sentences, message_texts

FILM = load_film()
QUOTES = load_quotes()
KO = "ko"


def reprints(sources: list[Source]) -> list[str]:
    # The reprint's name is data; the words around it ("재게재") are the bot's own.
    return [escape(s.via) for s in sources if s.via]


def film_data() -> list[str]:
    """Everything the film card shows as content rather than the bot's own words: in Korean,
    so English content left in a Korean card is caught."""
    film = FILM.film
    data = [film.title, film.synopsis_for(KO), film.director, film.release_for(KO), *film.writers]
    data += [part for m in film.cast for part in (m.actor, m.role_for(KO))]
    data += [f"{s.date}: {s.event} ({s.note_for(KO)})" for s in film.screenings]
    return data + list(film.production_for(KO)) + reprints(list(film.sources))


def fact_data() -> list[str]:
    """The facts as a Korean reader sees them (names and topics stay as they are)."""
    data = [part for f in FILM.facts for part in (f.text_for(KO), f.as_of or "", *f.topics)]
    return data + reprints([f.source_for(KO) for f in FILM.facts])


def quote_data() -> list[str]:
    """Quotes keep their words and speakers; the context and translation are Korean."""
    data = [
        p
        for q in QUOTES.quotes
        for p in (q.text, q.speaker, q.context_for(KO), q.translation_for(KO))
    ]
    return data + reprints([q.source for q in QUOTES.quotes])


def assert_korean_reply(result: InteractionResult, data: list[str] | None = None) -> None:
    for message in result.messages:
        assert_korean(message_texts(message), data or [])


def test_the_check_finds_english_sentences_and_spares_names_links_and_quotes() -> None:
    assert english_sentences("No fact matches. 주제를 골라 보세요.") == ["No fact matches."]
    assert english_sentences("[출처](https://x.example) · `/film fact` · “Keep going”") == []
    assert english_sentences("K-Pops! 퀴즈 · <t:1:R> 마감 · <@1>") == []
    assert english_sentences("The fact itself.", data=["The fact itself."]) == []


# ---------------------------------------------------------------------- /film
async def test_film_about_fact_and_leaderboard_answer_a_korean_member_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    about = await driver.invoke("film about", member=world.fan, channel=world.general, locale=KO)
    assert_korean_reply(about, film_data())
    fields = {f["name"] for f in about.message.embeds[0]["fields"]}
    assert {"감독", "각본", "개봉", "출연"} <= fields

    fact = await driver.invoke("film fact", member=world.fan, channel=world.general, locale=KO)
    assert_korean_reply(fact, fact_data())
    assert fact.message.embeds[0]["title"] == "알고 계셨나요?"
    assert [b["label"] for b in fact.message.buttons()] == ["사실 하나 더"]
    shown = await driver.click(fact.message, member=world.fan, label="사실 하나 더", locale=KO)
    assert not shown.ephemeral and shown.message.embeds[0]["title"] == "알고 계셨나요?"
    again = await driver.click(fact.message, member=world.fan, label="사실 하나 더", locale=KO)
    assert again.ephemeral and again.text.endswith("채널이 읽기 편해요.")
    assert again.text.startswith("15초 뒤에")  # the wait, counted the Korean way

    board = await driver.invoke(
        "film leaderboard", member=world.fan, channel=world.general, locale=KO
    )
    assert_korean_reply(board, [world.guild.name])
    assert board.message.embeds[0]["fields"][0]["name"] == "내 순위"


async def test_film_fact_errors_and_topic_counts_in_both_languages(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    nothing = await driver.invoke(
        "film fact", {"topic": "zzzz qqqq"}, member=world.fan, channel=world.general, locale=KO
    )
    assert nothing.ephemeral and nothing.text.startswith("“zzzz qqqq”의 단어가 모두 들어간")
    assert_korean([nothing.text], FILM.topics())
    cog = cast(FilmCog, bot.get_cog("Film"))
    for locale, form in ((KO, "사실 {n}개"), ("en-US", "{n} facts"), ("ja", "{n} facts")):
        choices = await driver.autocomplete(
            "film fact", "topic", "", member=world.fan, channel=world.general, locale=locale
        )
        by_topic = {c["value"]: c["name"] for c in choices}
        for topic, name in by_topic.items():
            n = cog.topic_counts[topic]
            counted = form.format(n=n) if n != 1 or locale == KO else "1 fact"
            assert name == f"{topic} ({counted})"


async def test_a_trivia_question_speaks_the_servers_language_and_answers_each_member_in_theirs(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    world.guild.locale = KO  # the server's Discord language, seen by the bot when it connects
    async with running_bot(driver, db_path, clock=clock) as bot:
        asked = await driver.invoke("film trivia", member=world.fan, channel=world.general)
        question = asked.message
        assert question.embeds[0]["title"] == "K-Pops! 퀴즈"
        trivia = next(t for t in FILM.trivia if f"**{t.question_for(KO)}**" in question.text())
        answer = trivia.answer_for(KO)
        answers = [trivia.question_for(KO), answer, *trivia.wrong_for(KO)]
        assert sorted(b["label"] for b in question.buttons()) == sorted(answers[1:])
        assert_korean(message_texts(question), answers)
        right = await driver.click(question, member=world.fan, label=answer, locale=KO)
        assert right.ephemeral and right.text.startswith("✅ 정답이에요!")
        wrong = next(label for label in (b["label"] for b in question.buttons()) if label != answer)
        english = await driver.click(question, member=world.owner, label=wrong)
        assert english.ephemeral and english.text.startswith("❌ Not this time.")
        clock.advance(seconds=61)
        await cast(FilmCog, bot.get_cog("Film")).close_due()
        await driver.wait_idle()
        closed = driver.channel_messages(world.general)[-1]
        assert closed.embeds[0]["title"] == "K-Pops! 퀴즈 · 마감"
        assert closed.embeds[0]["fields"][-1]["name"] == "정답자 (2명 중 1명)"
        assert f"✅ **{answer}**" in closed.text()
        assert trivia.explanation_for(KO) in closed.text()
        data = [*answers, trivia.explanation_for(KO), world.guild.name, *reprints([trivia.source])]
        assert_korean(message_texts(closed), data)


# ---------------------------------------------------------------------- /quote
async def add_quote(driver: Driver, world: World, locale: str) -> InteractionResult:
    return await driver.invoke(
        "quote add",
        {"text": "Music is a family.", "speaker": "Tiger JK", "source": "https://example.com/a"},
        member=world.moderator,
        channel=world.general,
        locale=locale,
    )


async def test_quotes_answer_a_korean_member_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    data = quote_data()
    today = await driver.invoke("quote today", member=world.fan, channel=world.general, locale=KO)
    assert today.message.embeds[0]["title"] == "오늘의 명언 · 2026년 3월 2일"
    assert_korean_reply(today, data)

    found = await driver.invoke(
        "quote search", {"text": "music"}, member=world.fan, channel=world.general, locale=KO
    )
    assert_korean_reply(found, data)
    footer = found.message.embeds[0]["footer"]["text"]
    assert "건 · " in footer and "쪽 중 1쪽" in footer

    added = await add_quote(driver, world, KO)
    assert added.ephemeral and added.text.startswith("추가했어요: 서버 명언 #1.")
    assert_korean_reply(added, ["Music is a family.", "Tiger JK", "example.com"])
    again = await add_quote(driver, world, KO)
    assert again.text == "같은 명언이 이미 서버 명언 #1에 있어요. 추가된 것은 없어요."
    bad = await driver.invoke(
        "quote add",
        {"text": "x" * 1000, "speaker": "Tiger JK"},
        member=world.moderator,
        channel=world.general,
        locale=KO,
    )
    assert bad.text == "명언 내용이 1,000자예요. 최대 600자까지 쓸 수 있어요. 추가된 것은 없어요."
    removed = await driver.invoke(
        "quote remove", {"id": 1}, member=world.moderator, channel=world.general, locale=KO
    )
    assert removed.text.startswith("삭제했어요: 서버 명언 #1 (Tiger JK:")


async def test_quote_counts_follow_each_language(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    pages = ((KO, r"([0-9]+)건 · [0-9]+쪽 중 1쪽"), ("en-US", r"([0-9]+) matches · page 1 of"))
    for locale, page in pages:
        found = await driver.invoke(
            "quote search",
            {"text": "Anderson"},
            member=world.fan,
            channel=world.general,
            locale=locale,
        )
        match = re.match(page, found.message.embeds[0]["footer"]["text"])
        assert match is not None and int(match[1]) > 1
    one = await driver.invoke(
        "quote search", {"text": "zzqq"}, member=world.fan, channel=world.general, locale=KO
    )
    assert one.text.startswith("zzqq의 단어가 모두 들어간 명언이 없어요.")


# ---------------------------------------------------------------------- /help
async def test_help_in_korean_lists_the_korean_command_names_and_descriptions(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await driver.invoke("help", member=world.fan, channel=world.general, locale=KO)
    lines = {line.split("`")[1]: line for line in result.text.splitlines() if line.startswith("`/")}
    registered = {c["name"]: c for c in driver.registered(world.guild.id)}
    for english, korean in (("film", "영화"), ("quote", "명언"), ("privacy", "개인정보")):
        assert registered[english]["name_localizations"] == {"ko": korean}
    assert lines["/명언 추가"].startswith("`/명언 추가` 내용 화자 [출처] 🛡️ — 이 서버의 명언 모음에")
    assert lines["/영화 사실"].startswith("`/영화 사실` [주제] — 출처가 있는 K-Pops! 사실을")
    assert lines["/도움말"] == "`/도움말` — kpops-bot의 모든 명령어와 하는 일을 보여 줘요."
    assert "/개인정보 보기" in lines and "/영화 퀴즈" in lines
    mine = [
        line
        for name, line in lines.items()
        if name.split()[0] in ("/영화", "/명언", "/개인정보", "/도움말")
    ]
    assert len(mine) == 12
    assert_korean(mine)
    english = await driver.invoke("help", member=world.fan, channel=world.general, locale="fr")
    assert "`/film fact` [topic] — A sourced fact" in english.text


# ---------------------------------------------------------------------- /privacy
async def test_privacy_show_and_delete_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    empty = await driver.invoke("privacy show", member=world.fan, channel=world.general, locale=KO)
    assert empty.message.embeds[0]["title"] == "이 서버에서 kpops-bot이 저장한 내 정보"
    assert_korean_reply(empty)
    nothing = await driver.invoke(
        "privacy delete", member=world.fan, channel=world.general, locale=KO
    )
    assert nothing.text == "kpops-bot이 이 서버에 저장한 내 정보가 없어요. 삭제할 것이 없어요."

    await add_quote(driver, world, KO)
    shown = await driver.invoke(
        "privacy show", member=world.moderator, channel=world.general, locale=KO
    )
    assert_korean_reply(shown, ["Music is a family.", "Tiger JK"])
    fields = shown.message.embeds[0]["fields"]
    assert fields[0]["name"] == "명언" and fields[0]["value"].startswith("**1** 내가 추가한 명언")
    asked = await driver.invoke(
        "privacy delete", member=world.moderator, channel=world.general, locale=KO
    )
    assert_korean_reply(asked, ["Music is a family.", "Tiger JK"])
    done = await driver.click(asked.message, member=world.moderator, label="삭제하기", locale=KO)
    assert done.message.embeds[0]["title"] == "삭제 완료"
    assert_korean_reply(done)


def test_every_privacy_label_the_stores_give_has_its_korean() -> None:
    """The stores name what they keep (bot.privacy.Holding); /privacy shows those names in the
    member's language, so each needs a Korean entry."""
    from bot.i18n import t
    from bot.storage import config
    from cogs.film import store as film_store
    from cogs.poll import store as poll_store
    from cogs.privacy.render import FEATURE_LABELS
    from cogs.quotes import store as quotes_store

    labels = {
        value
        for module in (config, film_store, poll_store, quotes_store)
        for name, value in vars(module).items()
        if name.startswith("PRIVACY_") and isinstance(value, str)
    }
    assert labels and labels <= set(FEATURE_LABELS)
    assert all(t(KO, label) != label for label in labels)


async def test_the_four_features_command_metadata_is_all_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    """Every name and description of /film, /quote, /help and /privacy has a decided Korean
    entry (the emulator checks the synced payload, localizations included, after each test)."""
    from discord import app_commands

    from bot.i18n import merged_catalog
    from bot.i18n.catalog import untranslated
    from bot.i18n.translator import command_template

    mine: set[str] = set()
    for command in bot.tree.get_commands():
        if isinstance(command, app_commands.ContextMenu):
            continue
        if command.name not in ("film", "quote", "help", "privacy"):
            continue
        leaves = command.walk_commands() if isinstance(command, app_commands.Group) else []
        for leaf in [command, *leaves]:
            mine |= {leaf.name, leaf.description}
            if isinstance(leaf, app_commands.Command):
                for parameter in leaf.parameters:
                    mine |= {parameter.display_name, parameter.description}
    assert len(mine) > 40
    missing = set(untranslated(await command_template(bot.tree), merged_catalog(KO)))
    assert missing & mine == set()


async def test_daily_posts_follow_the_servers_language(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    from datetime import date

    from cogs.quotes.cog import Quotes

    day = date(2026, 3, 2)
    world.guild.locale = KO
    async with running_bot(driver, db_path, clock=clock) as bot:
        fact = await cast(FilmCog, bot.get_cog("Film")).daily_fact(world.guild.id, day)
        quote = await cast(Quotes, bot.get_cog("Quotes")).daily_post(world.guild.id, day)
    assert fact.embed.title == "오늘의 사실 · 2026년 3월 2일"
    assert quote.embed.title == "오늘의 명언 · 2026년 3월 2일"
    for post in (fact, quote):
        assert_korean([f.name or "" for f in post.embed.fields])
    world.guild.locale = "en-US"
    async with running_bot(driver, db_path, clock=clock) as bot:
        fact = await cast(FilmCog, bot.get_cog("Film")).daily_fact(world.guild.id, day)
    assert fact.embed.title == "Fact of the day · March 2, 2026"


async def test_hostile_korean_input_is_handled_like_any_other(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    """Hangul jamo, full-width letters and mixed scripts: a friendly Korean reply or a result,
    never a failure, a ping or markdown taken from the input."""
    full_width = await driver.invoke(
        "film fact", {"topic": "ｃａｓｔ"}, member=world.fan, channel=world.general, locale=KO
    )
    assert not full_width.ephemeral and "cast" in full_width.message.embeds[0]["footer"]["text"]
    for typed in (
        "ㅋㅋㅋ ㅎㅎ",
        "모타운Motownｚｚ",
        "**굵게** @everyone <@1>",
        "\u200b\u1100\u1161",
    ):
        fact = await driver.invoke(
            "film fact", {"topic": typed}, member=world.fan, channel=world.general, locale=KO
        )
        quote = await driver.invoke(
            "quote search", {"text": typed}, member=world.fan, channel=world.general, locale=KO
        )
        for result in (fact, quote):
            assert all(m.pings == [] for m in result.messages)
            if result.ephemeral:
                assert_korean([result.text], [*FILM.topics(), typed])
        choices = await driver.autocomplete(
            "film fact", "topic", typed, member=world.fan, channel=world.general, locale=KO
        )
        assert all("사실" in c["name"] for c in choices)
