"""What went wrong with a daily post, read later by a moderator in their own language.

The scheduler stores a catalog message with its fields (``bot.i18n.stored``); `/config show`
gives it in the reader's language. Rows written by older versions (plain English) still show,
as they were written. Logs and ``PostOutcome.detail`` stay English.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import discord
import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.i18n import ENGLISH, KOREAN, t
from bot.i18n.stored import shown, stored
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from bot.scheduler import (
    CHANNEL_GONE,
    FAILED,
    INTERRUPTED,
    MISSED_DETAIL,
    MISSING_PERMISSIONS,
    channel_gone_summary,
)
from bot.storage.config import ConfigStore, DailyPostStore
from cogs.poll.weekly import INTERRUPTED as WEEKLY_INTERRUPTED
from tests.bot.test_scheduler import configure, make_builder, scheduler_of, until
from tests.conftest import World
from tests.i18n.korean import assert_korean, message_texts

KO = "ko"
DAY = date(2026, 3, 2)
NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def quote_field(result_embed: dict[str, object], name: str) -> str:
    fields = result_embed["fields"]
    assert isinstance(fields, list)
    return next(str(f["value"]) for f in fields if str(f["name"]).startswith(name))


# ---------------------------------------------------------------------- the stored form
def test_stored_text_round_trips_in_both_languages() -> None:
    text = stored(MISSING_PERMISSIONS, terms={"permissions": ["Send Messages"]}, channel="#daily")
    assert text.startswith("{")  # the documented form: a JSON object with the msgid
    assert shown(ENGLISH, text) == "kpops-bot is missing Send Messages in #daily"
    assert shown(KOREAN, text) == "kpops-bot에게 #daily의 메시지 보내기 권한이 없어요"
    assert shown(KOREAN, stored(CHANNEL_GONE)) == "채널이 더 이상 없어요. 새 채널을 정해 주세요"
    assert shown(ENGLISH, INTERRUPTED).startswith("interrupted: kpops-bot stopped while posting")
    assert shown(KOREAN, INTERRUPTED).startswith("중단됨:")
    missed = stored(MISSED_DETAIL, time="09:00", zone="Asia/Seoul", hours="6")
    assert shown(ENGLISH, missed) == (
        "due at 09:00 (Asia/Seoul) but kpops-bot could not post within 6 hours"
    )
    assert shown(KOREAN, missed) == (
        "09:00 (Asia/Seoul)에 올릴 차례였지만 kpops-bot이 6시간 안에 올리지 못했어요"
    )


@pytest.mark.parametrize(
    "old",
    [
        "kpops-bot is missing Send Messages in #daily",
        "interrupted: kpops-bot stopped while posting; the post may not have gone out",
        "{not json",
        '{"no": "msgid"}',
        "[1, 2]",
    ],
)
def test_text_not_in_the_stored_form_is_shown_as_it_was_written(old: str) -> None:
    assert shown(KOREAN, old) == old
    assert shown(ENGLISH, old) == old


def test_a_stored_row_missing_a_field_still_shows() -> None:
    broken = '{"msgid":"Discord error {status} while posting"}'
    assert shown(ENGLISH, broken) == "Discord error {status} while posting"
    assert shown(KOREAN, None) == ""


def test_the_offline_channel_gone_summary_follows_the_servers_language() -> None:
    assert channel_gone_summary(ENGLISH, "channel 7", ["quote", "fact"]) == (
        "channel 7 was deleted: Quote of the day, Daily fact will not post until a new "
        "channel is set"
    )
    assert channel_gone_summary(KOREAN, "ID 7", ["quote", "poll"]) == (
        "ID 7 채널이 삭제됨. 새 채널을 정할 때까지 오늘의 명언, 감상 투표을(를) 올리지 않음"
    )


# ---------------------------------------------------------------------- through /config show
async def test_a_korean_moderator_reads_the_failure_reason_in_korean(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    await configure(driver, world, at="09:00")
    channel = bot.get_channel(world.daily.id)
    assert isinstance(channel, discord.TextChannel)
    me = channel.guild.me
    driver.set_overwrite(world.daily, driver.bot_user.id, deny=limits.SEND_MESSAGES, member=True)
    await until(lambda: not channel.permissions_for(me).send_messages)
    clock.set(NINE)
    outcomes = await scheduler_of(bot).run_due()
    # The outcome (and the log) stay English.
    assert [(o.status, o.detail) for o in outcomes] == [
        (FAILED, "kpops-bot is missing Send Messages in #daily")
    ]

    korean = await driver.invoke(
        "config show", member=world.moderator, channel=world.general, locale=KO
    )
    quote = quote_field(korean.message.embeds[0], "오늘의 명언")
    assert "실패: kpops-bot에게 #daily의 메시지 보내기 권한이 없어요" in quote, quote
    # (The change log is the server's record, written in the server's language: English here.)
    assert_korean([quote], [world.daily.name])

    english = await driver.invoke("config show", member=world.moderator, channel=world.general)
    quote = quote_field(english.message.embeds[0], "Quote of the day")
    assert "failed: kpops-bot is missing Send Messages in #daily" in quote, quote


async def test_a_row_written_by_an_older_version_still_shows(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", make_builder())
    await configure(driver, world, at="09:00")
    ledger = DailyPostStore(bot.db)
    old = "Discord refused the post in #daily"  # as older versions wrote it
    assert await ledger.claim(world.guild.id, "quote", DAY, channel_id=world.daily.id, at=NINE)
    await ledger.mark_failed(world.guild.id, "quote", DAY, detail=old, at=NINE)
    for locale, name, word in (
        (KO, "오늘의 명언", "실패"),
        ("en-US", "Quote of the day", "failed"),
    ):
        result = await driver.invoke(
            "config show", member=world.moderator, channel=world.general, locale=locale
        )
        quote = quote_field(result.message.embeds[0], name)
        assert f"{word}: {old}" in quote, quote


async def test_a_channel_deleted_while_offline_is_told_in_the_servers_korean(
    driver: Driver, world: World, db_path: Path, clock: ManualClock
) -> None:
    world.guild.locale = KO  # the change log is written in the server's language
    async with running_bot(driver, db_path, clock=clock) as bot:
        await configure(driver, world, at="09:00")
    gone = world.daily.id
    world.guild.channels.pop(gone)  # gone without an event reaching the bot
    clock.set(NINE)
    async with running_bot(driver, db_path, clock=clock) as bot:
        bot.daily.register("quote", make_builder())
        outcomes = await scheduler_of(bot).run_due()
        assert [(o.status, o.detail) for o in outcomes] == [
            (FAILED, "the channel no longer exists; set a new one")
        ]
        changes = await ConfigStore(bot.db).recent_changes(world.guild.id, 1)
        assert changes[0].summary == (
            f"ID {gone} 채널이 삭제됨. 새 채널을 정할 때까지 오늘의 명언을(를) 올리지 않음"
        )
        shown_ko = await driver.invoke(
            "config show", member=world.moderator, channel=world.general, locale=KO
        )
        quote = quote_field(shown_ko.message.embeds[0], "오늘의 명언")
        assert "실패: 채널이 더 이상 없어요. 새 채널을 정해 주세요" in quote, quote
        assert_korean(message_texts(shown_ko.message), [world.guild.name, world.daily.name])


def test_the_weekly_polls_interruption_is_catalog_text() -> None:
    assert t(KOREAN, WEEKLY_INTERRUPTED) == "중단됨: kpops-bot이 주간 투표를 여는 중에 멈췄어요"
