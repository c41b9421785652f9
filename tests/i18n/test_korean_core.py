"""The bot's shared words in Korean, through the emulator: checks, stale clicks, failing buttons,
daily posts in the server's language, /config language, and the sandbox prompt."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self

import discord
import pytest

from bot import limits
from bot.checks import not_a_moderator
from bot.client import UNKNOWN_BUTTON, KpopsBot
from bot.clock import ManualClock
from bot.daily import DailyPost
from bot.errors import SOMETHING_WENT_WRONG
from bot.i18n import ENGLISH, KOREAN, Language, merged_catalog, t
from bot.i18n.catalog import untranslated
from bot.i18n.server import server_language
from bot.i18n.translator import command_template
from bot.sandbox import Channel, Driver, Member
from bot.sandbox.interactions import InteractionResult
from bot.sandbox.repl import Console, Session, run_sandbox
from bot.sandbox.state import Guild
from bot.scheduler import SENT, DailyScheduler
from bot.storage.config import ConfigStore
from bot.ui.buttons import Button, ClickNamespace
from bot.views import static_view
from tests.conftest import World
from tests.i18n.conftest import UseKorean, korean_catalog

HANGUL = re.compile(r"[\uac00-\ud7a3]")


async def run(
    driver: Driver,
    path: str,
    member: Member,
    where: Channel,
    locale: str = "ko",
    **options: Any,
) -> InteractionResult:
    result = await driver.invoke(path, options, member=member, channel=where, locale=locale)
    assert result.ephemeral and result.message.pings == [], result.text
    return result


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polling the bot's cache; it has no event for us
            await asyncio.sleep(0.01)


# ---------------------------------------------------------------------- checks and errors
@pytest.mark.parametrize(
    ("locale", "start", "command"),
    [
        ("ko", "모더레이터만 할 수 있어요.", "`/설정 모더레이터역할`"),
        ("en-US", "Only moderators can do that", "`/config modrole`"),
        ("ja", "Only moderators can do that", "`/config modrole`"),  # neither: English
    ],
)
async def test_the_moderator_check_answers_in_the_members_language(
    bot: KpopsBot, driver: Driver, world: World, locale: str, start: str, command: str
) -> None:
    result = await run(driver, "config show", world.fan, world.general, locale)
    assert result.text.startswith(start), result.text
    assert command in result.text  # the command as the member's Discord names it


async def test_a_click_no_button_takes_is_answered_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    shown = await run(driver, "config show", world.moderator, world.general)
    readers: tuple[tuple[str, Language], ...] = (("ko", KOREAN), ("en-US", ENGLISH))
    for locale, language in readers:
        result = await driver.click(
            shown.message, member=world.moderator, custom_id="gone:1", locale=locale
        )
        assert result.text == t(language, UNKNOWN_BUTTON)
    assert HANGUL.search(t(KOREAN, UNKNOWN_BUTTON))


async def test_a_refusal_from_a_command_is_in_korean_and_changes_nothing(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    store = ConfigStore(bot.db)
    everyone = await run(
        driver, "config modrole", world.moderator, world.general, role=world.guild.everyone
    )
    assert everyone.text == (
        "@everyone은 모더레이터 역할이 될 수 없어요. 그러면 모든 멤버가 kpops-bot 설정을 바꿀 수 "
        "있게 돼요. 바뀐 것은 없어요."
    )
    locked = driver.add_channel(world.guild, "잠긴-채널")
    driver.set_overwrite(locked, driver.bot_user.id, deny=limits.SEND_MESSAGES, member=True)
    await until(lambda: not _can_send(bot, locked))
    refused = await run(
        driver, "config channel", world.moderator, world.general, feature="fact", channel=locked
    )
    assert refused.text.startswith(f"kpops-bot이 <#{locked.id}>에 글을 올릴 수 없어요."), (
        refused.text
    )
    assert "**메시지 보내기**" in refused.text and refused.text.endswith("바뀐 것은 없어요.")
    assert await store.mod_role(world.guild.id) is None
    assert await store.recent_changes(world.guild.id) == []


def _can_send(bot: KpopsBot, channel: Channel) -> bool:
    cached = bot.get_channel(channel.id)
    return (
        isinstance(cached, discord.TextChannel)
        and cached.permissions_for(cached.guild.me).send_messages
    )


class Boom(Button, template=r"i18ntest:boom:(?P<n>[0-9]+)"):
    """A button whose click fails, as a feature's bug would."""

    def __init__(self, n: int = 1) -> None:
        super().__init__(discord.ui.Button(label="Boom", custom_id=f"i18ntest:boom:{n}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: Any, /
    ) -> Self:
        return cls(int(match["n"]))

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        raise RuntimeError("a bug in a button")


async def test_stale_and_failing_buttons_answer_in_the_members_language(
    bot: KpopsBot, driver: Driver, world: World, use_korean: UseKorean
) -> None:
    use_korean(
        korean_catalog(
            {
                "That test button is gone.": "그 테스트 버튼은 없어졌어요.",
                SOMETHING_WENT_WRONG: t(KOREAN, SOMETHING_WENT_WRONG),  # the real entry
            }
        )
    )
    namespace = ClickNamespace(("i18ntest:",), (Boom,), stale_reply="That test button is gone.")
    bot.add_buttons(namespace)
    try:
        channel = bot.get_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send(view=static_view([Boom()]))
        message = driver.channel_messages(world.general)[-1]

        stale = await driver.click(
            message, member=world.fan, custom_id="i18ntest:boom:2", locale="ko"
        )
        assert stale.ephemeral and stale.text == "그 테스트 버튼은 없어졌어요."
        stale_en = await driver.click(message, member=world.fan, custom_id="i18ntest:boom:2")
        assert stale_en.text == "That test button is gone."

        failed = await driver.click(message, member=world.fan, label="Boom", locale="ko")
        assert failed.ephemeral and failed.text.startswith("죄송해요"), failed.text
        assert "a bug" not in failed.text and "`" in failed.text  # the reference code
    finally:
        bot.remove_buttons(namespace)


# ---------------------------------------------------------------------- daily posts
def scheduler_of(bot: KpopsBot) -> DailyScheduler:
    scheduler = getattr(bot.get_cog("Config"), "scheduler", None)
    assert isinstance(scheduler, DailyScheduler)
    return scheduler


async def quote_body(guild_id: int, day: date) -> DailyPost:
    """A builder's post: the content is the feature's; the title is the scheduler's."""
    return DailyPost(embed=discord.Embed(description=f"“A quote.” — Someone ({day.isoformat()})"))


async def korean_server(bot: KpopsBot, driver: Driver) -> tuple[Guild, Member, Channel, Channel]:
    guild = driver.add_guild("케이팝 팬", channels=("general", "daily"), locale="ko")
    await until(lambda: bot.get_guild(guild.id) is not None)
    general, daily = list(guild.channels.values())
    return guild, driver.owner(guild), general, daily


async def schedule_quote(driver: Driver, member: Member, general: Channel, daily: Channel) -> None:
    await run(driver, "config channel", member, general, feature="quote", channel=daily)
    await run(
        driver, "config schedule", member, general, feature="quote", time="09:00", timezone="UTC"
    )


def titles(driver: Driver, channel: Channel) -> list[str]:
    return [m.embeds[0]["title"] for m in driver.channel_messages(channel) if m.embeds]


async def test_daily_posts_follow_the_servers_language(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("quote", quote_body)
    ko_guild, ko_owner, ko_general, ko_daily = await korean_server(bot, driver)
    await schedule_quote(driver, world.moderator, world.general, world.daily)
    await schedule_quote(driver, ko_owner, ko_general, ko_daily)
    scheduler = scheduler_of(bot)

    # auto (the default): the server's preferred locale in Discord.
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert [o.status for o in await scheduler.run_due()] == [SENT, SENT]
    assert titles(driver, world.daily) == ["Quote of the day · Monday 2 March 2026"]
    assert titles(driver, ko_daily) == ["오늘의 명언 · 2026년 3월 2일 월요일"]
    assert driver.channel_messages(ko_daily)[0].embeds[0]["description"].startswith("“A quote.”")

    # A moderator's choice wins over the preferred locale, both ways.
    await run(driver, "config language", world.moderator, world.general, language="ko")
    await run(driver, "config language", ko_owner, ko_general, language="en")
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    assert [o.status for o in await scheduler.run_due()] == [SENT, SENT]
    assert titles(driver, world.daily)[-1] == "오늘의 명언 · 2026년 3월 3일 화요일"
    assert titles(driver, ko_daily)[-1] == "Quote of the day · Tuesday 3 March 2026"

    # Back to auto: the preferred locale again.
    await run(driver, "config language", ko_owner, ko_general, language="auto")
    ko = bot.get_guild(ko_guild.id)
    assert ko is not None and await server_language(bot, ko) == KOREAN


async def test_the_daily_fact_is_framed_in_korean_too(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    bot.daily.register("fact", quote_body)
    await run(driver, "config language", world.moderator, world.general, language="ko")
    await run(
        driver,
        "config channel",
        world.moderator,
        world.general,
        feature="fact",
        channel=world.daily,
    )
    await run(
        driver,
        "config schedule",
        world.moderator,
        world.general,
        feature="fact",
        time="09:00",
        timezone="Asia/Seoul",
    )
    clock.set(datetime(2026, 3, 3, 0, 0, tzinfo=UTC))  # 09:00 in Seoul
    assert [o.status for o in await scheduler_of(bot).run_due()] == [SENT]
    assert titles(driver, world.daily) == ["오늘의 사실 · 2026년 3월 3일 화요일"]


# ---------------------------------------------------------------------- /config language
async def test_config_language_round_trip(bot: KpopsBot, driver: Driver, world: World) -> None:
    store = ConfigStore(bot.db)
    assert await store.language(world.guild.id) == "auto"
    shown = await run(driver, "config show", world.moderator, world.general)
    assert (
        "공개 게시물 언어" in shown.text and "자동: 서버의 Discord 언어 (지금은 영어)" in shown.text
    )

    set_ko = await run(driver, "config language", world.moderator, world.general, language="ko")
    assert set_ko.text.startswith("이제부터 공개 게시물(매일 게시물, 투표, 퀴즈)은 한국어로")
    assert await store.language(world.guild.id) == "ko"
    changes = await store.recent_changes(world.guild.id, 1)
    assert (changes[0].actor_id, changes[0].summary) == (
        world.moderator.id,
        "public post language set to ko",
    )
    again = await run(driver, "config language", world.moderator, world.general, language="ko")
    assert again.text == "이미 그렇게 설정되어 있어요: 한국어. 바뀐 것은 없어요."
    assert len(await store.recent_changes(world.guild.id, 50)) == 1  # the same value: no change

    english = await run(
        driver, "config language", world.moderator, world.general, "en-US", language="auto"
    )
    assert english.text.startswith(
        "Public posts (daily posts, polls, trivia) now follow the server's Discord language "
        "(now English)."
    )
    shown_en = await run(driver, "config show", world.moderator, world.general, "en-US")
    assert "Public posts language" in shown_en.text
    assert "Automatic: the server's Discord language (now English)" in shown_en.text
    assert await store.language(world.guild.id) == "auto"


async def test_config_language_is_for_moderators_only(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    store = ConfigStore(bot.db)
    for locale in ("ko", "en-US"):
        refused = await run(
            driver, "config language", world.fan, world.general, locale, language="ko"
        )
        language = KOREAN if locale == "ko" else ENGLISH
        assert refused.text == not_a_moderator(language).text(language), refused.text
    assert await store.language(world.guild.id) == "auto"
    assert await store.recent_changes(world.guild.id) == []


@pytest.mark.parametrize(
    "value", ["한국어", "KO", "ko\u200b", "ｋｏ", "ㅋㅋ", "", "auto; DROP TABLE guild_settings"]
)
def test_only_the_three_settings_are_settings(value: str) -> None:
    from cogs.config.language import is_setting

    assert not is_setting(value)
    assert all(is_setting(v) for v in ("auto", "en", "ko"))


async def test_config_metadata_is_all_in_korean(bot: KpopsBot) -> None:
    group = bot.tree.get_command("config")
    assert group is not None
    tree = discord.app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    tree.add_command(group)
    assert untranslated(await command_template(tree), merged_catalog(KOREAN)) == []


async def test_config_registers_korean_option_names_and_descriptions(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    command = next(c for c in driver.registered(world.guild.id) if c["name"] == "config")
    assert command["description_localizations"]["ko"].startswith("이 서버의 kpops-bot")
    language = next(o for o in command["options"] if o["name"] == "language")
    (value,) = language["options"]
    assert value["name_localizations"] == {"ko": "언어"}
    assert [c["name_localizations"]["ko"] for c in value["choices"]] == [
        "자동: 서버의 Discord 언어",
        "영어",
        "한국어",
    ]


# ---------------------------------------------------------------------- the sandbox prompt
async def test_the_sandbox_prompt_speaks_the_members_language(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    members = {"owner": world.owner, "moderator": world.moderator, "fan": world.fan}
    out = io.StringIO()
    console = Console(Session(driver, world.guild, members, world.moderator, world.general), out)
    for line in ("locale ko", "help", "click 1", "as nobody", "/nosuch", "/config show", "zzz"):
        assert await console.handle(line)
    text = out.getvalue()
    assert "(Discord 언어를 바꿨어요: ko)" in text
    assert "Discord에서처럼 슬래시 명령어를 입력해 보세요." in text
    assert "! 아직 버튼이 있는 메시지가 없어요." in text
    assert "! 여기 있는 멤버: owner, moderator, fan" in text
    assert "! /nosuch: 여기에는 없는 명령어예요." in text
    assert "(나만 볼 수 있는 메시지예요)" in text and "공개 게시물 언어" in text  # a ko reply
    assert "알 수 없는 입력이에요. help를 입력해 보세요." in text
    assert await console.handle("locale xx")
    assert "! locale 뒤에는 Discord 언어 코드를 써 주세요." in out.getvalue()
    assert await console.handle("locale en-US") and await console.handle("help")
    assert "Type a slash command as in Discord" in out.getvalue()


async def test_the_sandbox_starts_in_the_chosen_language(tmp_path: Path) -> None:
    out = io.StringIO()
    status = await run_sandbox(["help", "quit"], tmp_path / "sandbox.sqlite3", out, locale="ko")
    text = out.getvalue()
    assert status == 0
    assert text.startswith("kpops-bot 샌드박스예요. 지금은 #general 채널의 'moderator'예요.")
    assert "  quit                       끝내요" in text
