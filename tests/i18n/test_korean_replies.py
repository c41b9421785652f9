"""Through the emulator: the real bot registers Korean metadata and reports errors in Korean."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.errors import MODERATORS_ONLY, UserFacingError
from bot.i18n.catalog import DESCRIPTION_CONTEXT, NAME_CONTEXT
from bot.sandbox import Driver
from bot.sandbox.harness import running_bot
from tests.conftest import World
from tests.i18n.conftest import UseKorean, korean_catalog

HELP_DESCRIPTION = "List every kpops-bot command and what it does."


async def test_korean_command_metadata_reaches_discord(
    driver: Driver, world: World, db_path: Path, clock: ManualClock, use_korean: UseKorean
) -> None:
    use_korean(
        korean_catalog(
            {},
            {
                (NAME_CONTEXT, "help"): "도움말",
                (
                    DESCRIPTION_CONTEXT,
                    HELP_DESCRIPTION,
                ): "kpops-bot의 모든 명령어와 하는 일을 보여줘요.",
            },
        )
    )
    async with running_bot(driver, db_path, clock=clock):
        command, _ = driver.find_command("help", world.guild.id)
    assert command["name_localizations"] == {"ko": "도움말"}
    assert command["description_localizations"] == {
        "ko": "kpops-bot의 모든 명령어와 하는 일을 보여줘요."
    }


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ko", "모더레이터만 사용할 수 있는 명령어예요."),
        ("en-US", "Only moderators can use this command."),
    ],
)
async def test_a_user_facing_error_is_shown_in_the_members_language(
    driver: Driver,
    world: World,
    db_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    expected: str,
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:

        def refuse(*_: object) -> None:
            raise UserFacingError(MODERATORS_ONLY)

        monkeypatch.setattr(bot.get_cog("Help"), "embed", refuse)
        reply = await driver.invoke("help", member=world.fan, channel=world.general, locale=locale)
    assert reply.ephemeral and reply.text == expected


@pytest.mark.parametrize(
    ("locale", "start"),
    [("ko", "죄송해요, 저희 쪽에서 오류가 생겼어요."), ("en-US", "Sorry, something")],
)
async def test_an_unexpected_failure_is_reported_in_the_members_language(
    driver: Driver,
    world: World,
    db_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    start: str,
) -> None:
    async with running_bot(driver, db_path, clock=clock) as bot:

        def broken(*_: object) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(bot.get_cog("Help"), "embed", broken)
        reply = await driver.invoke("help", member=world.fan, channel=world.general, locale=locale)
    assert reply.ephemeral and reply.text.startswith(start), reply.text
    assert "a bug" not in reply.text and "`" in reply.text  # the reference code, set off as code
