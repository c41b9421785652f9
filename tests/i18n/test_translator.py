"""Korean command metadata: the Translator, Discord's naming rule, and the emulator's checks."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from discord.app_commands import Choice

from bot.i18n import CatalogTranslator, command_messages, is_command_name
from bot.i18n.catalog import CHOICE_CONTEXT, DESCRIPTION_CONTEXT, NAME_CONTEXT, untranslated
from bot.i18n.translator import command_template
from bot.sandbox import validation
from tests.i18n.conftest import UseKorean, korean_catalog

KOREAN_METADATA = {
    (NAME_CONTEXT, "poll"): "투표",
    (DESCRIPTION_CONTEXT, "Listening polls"): "감상 투표",
    (NAME_CONTEXT, "start"): "시작",
    (DESCRIPTION_CONTEXT, "Start a listening poll"): "감상 투표를 시작해요",
    (NAME_CONTEXT, "matchup"): "대결",
    (DESCRIPTION_CONTEXT, "Which two artists"): "어느 두 아티스트인가요",
    (NAME_CONTEXT, "length"): "기간",
    (DESCRIPTION_CONTEXT, "How long it runs"): "얼마 동안 열리나요",
    (CHOICE_CONTEXT, "One day"): "하루",
    (CHOICE_CONTEXT, "One week"): "일주일",
    (NAME_CONTEXT, "fact"): "Film Fact",  # not a valid Discord name: Discord keeps "fact"
    (DESCRIPTION_CONTEXT, "A fact about the film"): "영화" * 51,  # 102 characters: too long
}


def small_tree() -> app_commands.CommandTree[discord.Client]:
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    poll = app_commands.Group(name="poll", description="Listening polls")

    @poll.command(name="start", description="Start a listening poll")
    @app_commands.describe(matchup="Which two artists", length="How long it runs")
    @app_commands.choices(
        length=[Choice(name="One day", value=1), Choice(name="One week", value=7)]
    )
    async def start(interaction: discord.Interaction[Any], matchup: str, length: int) -> None:
        del interaction, matchup, length

    @app_commands.command(name="fact", description="A fact about the film")
    async def fact(interaction: discord.Interaction[Any]) -> None:
        del interaction

    tree.add_command(poll)
    tree.add_command(fact)
    return tree


async def translated_payload(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    translator = CatalogTranslator()
    return [await c.get_translated_payload(tree, translator) for c in tree.get_commands()]


async def test_the_translator_gives_korean_where_discord_accepts_it(use_korean: UseKorean) -> None:
    use_korean(korean_catalog({}, KOREAN_METADATA))
    poll, fact = await translated_payload(small_tree())
    assert poll["name_localizations"] == {"ko": "투표"}
    assert poll["description_localizations"] == {"ko": "감상 투표"}
    (start,) = poll["options"]
    assert start["name_localizations"] == {"ko": "시작"}
    matchup, length = start["options"]
    assert matchup["name_localizations"] == {"ko": "대결"}
    assert length["description_localizations"] == {"ko": "얼마 동안 열리나요"}
    assert [c["name_localizations"] for c in length["choices"]] == [
        {"ko": "하루"},
        {"ko": "일주일"},
    ]
    # Invalid or too long for Discord: left out, so Discord shows the English.
    assert fact["name_localizations"] == {} and fact["description_localizations"] == {}
    assert validation.check_commands([poll, fact], global_=True) == []


async def test_without_korean_entries_every_localization_is_left_out(
    use_korean: UseKorean,
) -> None:
    use_korean(korean_catalog({}))  # the shipped catalogs name some of these commands
    for command in await translated_payload(small_tree()):
        assert command["name_localizations"] == {}
        assert command["description_localizations"] == {}


async def test_command_messages_lists_what_the_catalog_must_hold() -> None:
    assert await command_messages(small_tree()) == set(KOREAN_METADATA)


async def test_the_command_template_shows_what_a_catalog_lacks() -> None:
    template = await command_template(small_tree())
    catalog = korean_catalog({}, KOREAN_METADATA)
    assert untranslated(template, catalog) == []
    catalog.delete("One week", context=CHOICE_CONTEXT)
    assert untranslated(template, catalog) == ["One week"]


@pytest.mark.parametrize(
    "name", ["투표", "사실-퀴즈", "명언_오늘", "k팝", "rock'n", "नमस्ते", "สวัสดี", "1980", "가" * 32]
)
def test_names_discord_accepts(name: str) -> None:
    assert is_command_name(name)


@pytest.mark.parametrize(
    "name", ["", "Vote", "투 표", "가" * 33, "투표!", "ｆａｃｔ？", "🎵", "poll\u200b", "Ａ"]
)
def test_names_discord_refuses(name: str) -> None:
    assert not is_command_name(name)


def test_the_emulator_refuses_localizations_discord_would_refuse() -> None:
    command = {
        "name": "poll",
        "description": "Listening polls",
        "name_localizations": {"ko": "투 표", "xx": "poll", "ja": "Poll"},
        "description_localizations": {"ko": "", "fr": "x" * 101, "de": "Umfragen"},
        "options": [
            {
                "type": 3,
                "name": "length",
                "description": "How long",
                "name_localizations": {"ko": "기간!"},
                "choices": [
                    {"name": "One day", "value": "1", "name_localizations": {"ko": "하" * 101}}
                ],
            }
        ],
    }
    errors = dict(validation.check_commands([command], global_=True))
    assert set(errors) == {
        "0.name_localizations.ko",
        "0.name_localizations.xx",
        "0.name_localizations.ja",
        "0.description_localizations.ko",
        "0.description_localizations.fr",
        "0.options.0.name_localizations.ko",
        "0.options.0.choices.0.name_localizations.ko",
    }
    assert errors["0.name_localizations.xx"] == "Invalid locale 'xx'"
