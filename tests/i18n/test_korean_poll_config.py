"""/poll and /config for members whose Discord is in Korean, through the emulator.

Replies follow the member's locale; the poll card, the result post and the weekly poll (which stay
in the channel for everyone) follow the server's language. Commands named in a reply are named the
way the reader's Discord lists them. English members still read English.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.i18n import ENGLISH, KOREAN, command_name, is_command_name
from bot.i18n.catalog import NAME_CONTEXT, translated
from bot.sandbox import Channel, Driver, Message
from bot.sandbox.harness import running_bot
from bot.sandbox.interactions import InteractionResult
from bot.storage.config import ConfigStore
from cogs.poll.content import Matchup, load_matchups
from cogs.poll.store import PollStore
from cogs.poll.weekly import WeeklyPolls
from cogs.poll.weekly_store import WeeklyStore
from tests.cogs.poll.test_cog import (
    fast_timers,  # noqa: F401 - autouse: the poll's real-time intervals shrunk for tests
)
from tests.conftest import World
from tests.i18n.korean import assert_korean, english_sentences, message_texts

KO = "ko"
MATCHUPS = load_matchups()
FIRST = MATCHUPS.items[0]
HANGUL_JAMO = "ㅂㅌㅅ ㅂㅓㅌㅓ"  # compatibility jamo, typed half-way through a syllable
FULL_WIDTH = "ＴＷＩＣＥ　Ｉ　Ｗａｎｔ"
MIXED = "TWICE잭슨Пятёрка"
CONFIG_NAMES = {
    "config": "설정",
    "show": "보기",
    "channel": "채널",
    "schedule": "일정",
    "toggle": "켜기끄기",
    "modrole": "모더레이터역할",
    "language": "언어",
    "poll": "투표",
}


def matchup_data(matchup: Matchup = FIRST) -> list[str]:
    """What a poll card shows as content: names, titles, the note (Korean already), the source."""
    kpop, classic = matchup.kpop, matchup.classic
    return [
        matchup.label,
        f"{kpop.artist} “{kpop.title}”",
        f"{classic.artist} “{classic.title}”",
        kpop.title,
        kpop.artist,
        classic.title,
        classic.artist,
        matchup.note_for(KOREAN),
        matchup.disputed_for(KOREAN),
    ]


def assert_korean_result(result: InteractionResult, data: list[str]) -> None:
    assert result.messages, "no reply"
    for message in result.messages:
        assert_korean(message_texts(message), data)
        assert message.pings == []


def posted_poll(driver: Driver, channel: Channel) -> Message:
    """The latest poll card in ``channel`` (the message with vote buttons)."""
    return next(m for m in reversed(driver.channel_messages(channel)) if m.buttons())


def poll_of(message: Message) -> int:
    return int(message.buttons()[0]["custom_id"].split(":")[2])


# ---------------------------------------------------------------------- command names
def test_config_commands_have_valid_korean_names_and_replies_name_them() -> None:
    for english, korean in CONFIG_NAMES.items():
        assert translated(KOREAN, english, NAME_CONTEXT) == korean
        assert is_command_name(korean)
    assert command_name(KOREAN, "config modrole") == "/설정 모더레이터역할"
    assert command_name(KOREAN, "poll start") == "/투표 시작"
    assert command_name(ENGLISH, "config modrole") == "/config modrole"
    assert command_name(KOREAN, "nosuchcommand") == "/nosuchcommand"


async def test_the_synced_config_command_carries_the_korean_names(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    [config] = [c for c in driver.registered(None) if c["name"] == "config"]
    assert config["name_localizations"]["ko"] == "설정"
    subcommands = {o["name"]: o["name_localizations"]["ko"] for o in config["options"]}
    assert subcommands == {k: v for k, v in CONFIG_NAMES.items() if k != "config"}


# ---------------------------------------------------------------------- a poll in a Korean server
async def test_a_whole_poll_in_a_korean_server(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    world.guild.locale = KO  # the server's Discord language, seen by the bot when it connects
    async with running_bot(driver, db_path, clock=clock) as bot:
        await ConfigStore(bot.db).set_language(
            world.guild.id, "auto", actor_id=None, at=clock.now(), summary="test"
        )
        data = matchup_data()
        started = await driver.invoke(
            "poll start",
            {"matchup": FIRST.id, "hours": 2},
            member=world.moderator,
            channel=world.general,
            locale=KO,
        )
        assert started.ephemeral and started.text.startswith(f"<#{world.general.id}>에서 투표를")
        assert_korean_result(started, data)
        card = posted_poll(driver, world.general)
        embed = card.embeds[0]
        assert embed["title"] == "감상 투표: 케이팝 대 클래식"
        assert embed["description"].endswith("(번역)")  # the note is our translation
        assert [f["name"] for f in embed["fields"]][:3] == ["케이팝", "클래식", "출처"]
        assert [b["label"].split(":")[0] for b in card.buttons()] == ["케이팝", "클래식"]
        assert_korean(message_texts(card), data)

        korean = await driver.click(
            card, member=world.fan, label=card.buttons()[0]["label"], locale=KO
        )
        assert korean.ephemeral and korean.text.startswith("✅ **케이팝**:")
        assert_korean_result(korean, data)
        moved = await driver.click(
            card, member=world.fan, label=card.buttons()[1]["label"], locale=KO
        )
        assert moved.text.startswith("🔁 표를 **클래식**:")
        again = await driver.click(
            card, member=world.fan, label=card.buttons()[1]["label"], locale=KO
        )
        assert again.text.startswith("이미 **클래식**:")
        english = await driver.click(card, member=world.owner, label=card.buttons()[0]["label"])
        assert english.text.startswith("✅ Your vote is in for **K-pop**")

        status = await driver.invoke(
            "poll results", member=world.fan, channel=world.general, locale=KO
        )
        assert status.ephemeral
        assert status.message.embeds[0]["title"] == "감상 투표 진행 중"
        assert_korean_result(status, data)
        assert any(f["name"] == "내 표" for f in status.message.embeds[0]["fields"])

        busy = await driver.invoke(
            "poll start", {}, member=world.moderator, channel=world.general, locale=KO
        )
        assert busy.ephemeral and "`/투표 마감`" in busy.text
        assert_korean_result(busy, data)

        ended = await driver.invoke(
            "poll end", member=world.moderator, channel=world.general, locale=KO
        )
        assert ended.ephemeral and ended.text.startswith("투표를 일찍 마감했어요. 모두 2표예요.")
        result = await driver.wait_for_message(
            lambda m: m.channel_id == world.general.id and "감상 투표 결과" in m.text()
        )
        assert_korean(message_texts(result), data)
        assert "모더레이터가 일찍 마감했어요" in result.text() and "/투표 전적" in result.text()
        await driver.wait_idle()
        assert posted_poll(driver, world.general).embeds[0]["title"].endswith("(마감)")
        assert_korean(message_texts(posted_poll(driver, world.general)), data)

        last = await driver.invoke(
            "poll results", member=world.fan, channel=world.general, locale=KO
        )
        assert last.message.embeds[0]["title"] == "감상 투표 결과"
        assert_korean_result(last, data)
        standings = await driver.invoke(
            "poll standings", member=world.fan, channel=world.general, locale=KO
        )
        assert standings.message.embeds[0]["title"] == f"감상 투표 전적: {world.guild.name}"
        assert_korean_result(standings, [*data, world.guild.name])
        assert "1회 동안 2표" in standings.text
        english_standings = await driver.invoke(
            "poll standings", member=world.owner, channel=world.general
        )
        assert "2 votes over 1 round" in english_standings.text


async def test_an_english_server_posts_in_english_and_answers_a_korean_member_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    started = await driver.invoke(
        "poll start",
        {"kpop": "뉴진스 - Super Shy", "classic": "Jackson 5 - ABC"},
        member=world.moderator,
        channel=world.general,
        locale=KO,
    )
    assert_korean_result(started, ["뉴진스 - Super Shy", "Jackson 5 - ABC"])
    card = posted_poll(driver, world.general)
    assert card.embeds[0]["title"] == "Listening poll: K-pop vs classic"
    assert [b["label"].split(":")[0] for b in card.buttons()] == ["K-pop", "Classic"]
    clicked = await driver.click(
        card, member=world.fan, label=card.buttons()[1]["label"], locale=KO
    )
    assert clicked.text.startswith("✅ **클래식**: Jackson 5 - ABC에 투표했어요.")
    ended = await driver.invoke("poll end", member=world.moderator, channel=world.general)
    assert ended.text.startswith("Poll closed early with 1 vote.")


async def test_a_weekly_poll_opens_in_korean_in_a_korean_server(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    world.guild.locale = KO
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday
    async with running_bot(driver, db_path, clock=clock) as bot:
        for path, options in (
            ("config channel", {"feature": "poll", "channel": world.daily}),
            (
                "config schedule",
                {"feature": "poll", "day": "monday", "time": "18:00", "timezone": "Asia/Seoul"},
            ),
            ("config poll", {"length": 5}),
        ):
            reply = await driver.invoke(
                path, options, member=world.moderator, channel=world.general, locale=KO
            )
            assert reply.ephemeral and "바뀐 것은 없어요" not in reply.text, reply.text
            assert_korean_result(reply, [world.daily.name])
        weekly: Any = getattr(bot.get_cog("Poll"), "weekly", None)
        assert isinstance(weekly, WeeklyPolls)
        clock.set(datetime(2026, 3, 2, 9, 1, tzinfo=UTC))  # 18:01 in Seoul
        [opened] = await weekly.run_due()
        assert opened.poll_id is not None
        card = posted_poll(driver, world.daily)
        poll = await PollStore(bot.db).get(opened.poll_id)
        assert poll is not None and poll.matchup_id is not None
        matchup = MATCHUPS.by_id(poll.matchup_id)
        assert card.embeds[0]["title"] == "감상 투표: 케이팝 대 클래식"
        assert_korean(message_texts(card), matchup_data(matchup))
        shown = await driver.invoke(
            "config show", member=world.moderator, channel=world.general, locale=KO
        )
        assert_korean_result(shown, [world.guild.name, world.daily.name])
        assert "주간 투표: 월요일 18:00 Asia/Seoul" in shown.text


# ---------------------------------------------------------------------- /config in Korean
async def test_every_config_reply_is_korean_for_a_korean_moderator(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    world.guild.locale = KO  # the change log is written in the server's language
    async with running_bot(driver, db_path, clock=clock) as bot:
        steps: list[tuple[str, dict[str, object], str]] = [
            ("config channel", {"feature": "fact", "channel": world.daily}, "에 올라가요"),
            (
                "config schedule",
                {"feature": "fact", "time": "09:00", "timezone": "Asia/Seoul"},
                "매일",
            ),
            ("config toggle", {"feature": "fact", "enabled": False}, "꺼졌어요"),
            ("config toggle", {"feature": "fact", "enabled": False}, "이미 꺼져 있어요"),
            ("config toggle", {"feature": "poll", "enabled": True}, "이미 켜져 있어요"),
            ("config modrole", {"role": world.mod_role}, "모더레이터 명령어"),
            ("config modrole", {}, "모더레이터 역할을 지웠어요"),
            ("config modrole", {}, "지울 모더레이터 역할이 없어요"),
            ("config poll", {"length": 48}, "48시간"),
            ("config language", {"language": "ko"}, "한국어"),
            ("config show", {}, ""),
        ]
        data = [world.guild.name, world.daily.name, world.mod_role.name]
        for path, options, expected in steps:
            reply = await driver.invoke(
                path, options, member=world.moderator, channel=world.general, locale=KO
            )
            assert reply.ephemeral, (path, reply.text)
            assert expected in reply.text, (path, reply.text)
            assert_korean_result(reply, data)
        shown = await driver.invoke(
            "config show", member=world.moderator, channel=world.general, locale=KO
        )
        embed = shown.message.embeds[0]
        assert embed["title"] == f"kpops-bot 설정: {world.guild.name}"
        names = [f["name"] for f in embed["fields"]]
        assert "오늘의 사실 (꺼짐)" in names and "최근 변경" in names
        changes = next(f["value"] for f in embed["fields"] if f["name"] == "최근 변경")
        assert "주간 투표 길이를 48시간(으)로 정함" in changes
        english = await driver.invoke("config show", member=world.owner, channel=world.general)
        english_embed = english.message.embeds[0]
        assert english_embed["title"] == f"kpops-bot settings: {world.guild.name}"
        assert "Recent changes" in [f["name"] for f in english_embed["fields"]]
        assert "`/config modrole`" in english.text
        assert await ConfigStore(bot.db).language(world.guild.id) == "ko"


async def test_config_refusals_are_korean_and_change_nothing(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    store = ConfigStore(bot.db)
    before = await store.feature(world.guild.id, "fact")
    refused = await driver.invoke(
        "config schedule",
        {"feature": "fact", "day": "monday", "time": "09:00", "timezone": "Asia/Seoul"},
        member=world.moderator,
        channel=world.general,
        locale=KO,
    )
    assert refused.ephemeral and refused.text.startswith("`요일` 옵션은 주간 투표에만 써요.")
    assert_korean_result(refused, [])
    no_day = await driver.invoke(
        "config schedule",
        {"feature": "poll", "time": "09:00", "timezone": "Asia/Seoul"},
        member=world.moderator,
        channel=world.general,
        locale=KO,
    )
    assert "`요일` 옵션(월요일 … 일요일)" in no_day.text
    assert await store.feature(world.guild.id, "fact") == before
    assert (await WeeklyStore(bot.db).settings(world.guild.id)).weekday is None
    fan = await driver.invoke("config show", member=world.fan, channel=world.general, locale=KO)
    assert fan.ephemeral and "`/설정 모더레이터역할`" in fan.text
    assert_korean_result(fan, [])


# ---------------------------------------------------------------------- hostile Korean input
@pytest.mark.parametrize(
    ("typed", "starts"),
    [
        (HANGUL_JAMO, False),
        (FULL_WIDTH, True),  # full-width letters fold to ASCII: this names one pairing
        (MIXED, False),
        ("ㄱ" * 300, False),
        ("\u1100\u1161", False),  # conjoining jamo for 가
    ],
)
async def test_hostile_korean_matchups_are_answered_in_korean(
    bot: KpopsBot, driver: Driver, world: World, typed: str, starts: bool
) -> None:
    choices = await driver.autocomplete(
        "poll start", "matchup", typed, member=world.moderator, channel=world.general, locale=KO
    )
    assert len(choices) <= 25
    reply = await driver.invoke(
        "poll start", {"matchup": typed}, member=world.moderator, channel=world.general, locale=KO
    )
    assert reply.ephemeral and reply.message.pings == []
    assert english_sentences(reply.text, [typed, *(m.label for m in MATCHUPS)]) == []
    started = any(m.buttons() for m in driver.channel_messages(world.general))
    assert started is starts, reply.text
    if not starts:
        assert "에 맞는 대결이 없어요" in reply.text and "`대결` 옵션" in reply.text, reply.text


@pytest.mark.parametrize(
    ("time", "zone"),
    [
        ("오후 여덟시", "Asia/Seoul"),
        ("ㅇㅇ:ㅇㅇ", "Asia/Seoul"),
        ("２５：００", "Asia/Seoul"),
        ("09:00", "ㅅㅇ"),
        ("09:00", "서울시간대Ｘ"),
        ("09:00", "Asia/서울"),
    ],
)
async def test_hostile_korean_times_and_zones_are_refused_in_korean(
    bot: KpopsBot, driver: Driver, world: World, time: str, zone: str
) -> None:
    before = await ConfigStore(bot.db).feature(world.guild.id, "fact")
    reply = await driver.invoke(
        "config schedule",
        {"feature": "fact", "time": time, "timezone": zone},
        member=world.moderator,
        channel=world.general,
        locale=KO,
    )
    assert reply.ephemeral and "바뀐 것은 없어요" in reply.text, reply.text
    assert english_sentences(reply.text, [time, zone]) == []
    assert await ConfigStore(bot.db).feature(world.guild.id, "fact") == before


async def test_a_closed_poll_click_names_the_results_command_in_korean(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await driver.invoke("poll start", {"hours": 1}, member=world.moderator, channel=world.general)
    card = posted_poll(driver, world.general)
    clock.advance(hours=1, minutes=1)
    await driver.wait_for_message(
        lambda m: m.channel_id == world.general.id and "Listening poll result" in m.text()
    )
    late = await driver.click(
        card,
        member=world.fan,
        custom_id=card.buttons()[0]["custom_id"],
        locale=KO,
        allow_disabled=True,
    )
    assert late.ephemeral and "`/투표 결과`" in late.text
    assert_korean_result(late, [])
    assert (await PollStore(bot.db).turnout(poll_of(card))) == 0
