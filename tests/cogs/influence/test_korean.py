"""/influence in Korean, end to end: the registered metadata, and every kind of reply and click
for a member whose Discord is in Korean (the same flows in English for en-US)."""

from __future__ import annotations

import re

import pytest

from bot.client import KpopsBot
from bot.sandbox import Driver
from bot.ui.text import escape
from tests.cogs.influence.test_cog import (
    HOSTILE,
    assert_fits,
    cog_of,
    entity,
    graph,
    link,
    use_graph,
)
from tests.cogs.influence.test_map import allow_attachments, picture_of
from tests.conftest import World
from tests.i18n.korean import assert_korean, message_texts

KO = "ko"

# What is left of a reply once names (bold), links, code and numbers are taken out: in Korean,
# the bot's own words must be Korean, so no Latin word may remain.
_SET_OFF = re.compile(r"\*\*.*?\*\*|\[[^\]]*\]\([^)]*\)|`[^`]*`|“[^”]*”|\(Attach Files\)")


def latin_words(text: str, names: tuple[str, ...] = ()) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return re.findall(r"[A-Za-z]{2,}", _SET_OFF.sub(" ", text))


def influence_commands(driver: Driver, world: World) -> dict[str, object]:
    return next(c for c in driver.registered(world.guild.id) if c["name"] == "influence")


# ------------------------------------------------------------------ command metadata
async def test_influence_metadata_is_registered_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    command = influence_commands(driver, world)
    assert command["name_localizations"] == {"ko": "영향"}  # type: ignore[index]
    assert "모타운" in command["description_localizations"]["ko"]  # type: ignore[index]
    subs = {s["name"]: s for s in command["options"]}  # type: ignore[index]
    assert {n: s["name_localizations"]["ko"] for n, s in subs.items()} == {
        "artist": "아티스트",
        "path": "계보",
        "map": "지도",
    }
    for sub in subs.values():
        assert sub["description_localizations"]["ko"]
        for option in sub["options"]:
            assert option["name_localizations"]["ko"], option["name"]
            assert option["description_localizations"]["ko"], option["name"]
    # Every name and description of the group is decided in Korean (a missing msgctxt entry
    # would leave its localization out), within Discord's rules for localized names.
    assert driver.violations == []


# ------------------------------------------------------------------ replies
@pytest.mark.parametrize(
    ("locale", "title", "footer", "incoming"),
    [
        ("ko", "방탄소년단", "버튼을 누르면 연결된 프로필을 볼 수 있어요.", "에게 영향을 받음"),
        ("en-US", "BTS", "Buttons open the connected profiles.", "Influenced by"),
    ],
)
async def test_a_profile_in_the_members_language(
    bot: KpopsBot,
    driver: Driver,
    world: World,
    locale: str,
    title: str,
    footer: str,
    incoming: str,
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "bts"}, member=world.fan, channel=world.general, locale=locale
    )
    embed = r.message.embeds[0]
    assert embed["title"] == title and embed["footer"]["text"] == footer
    assert any(incoming in f["name"] for f in embed["fields"])
    if locale == KO:
        assert "프로필 출처" in embed["description"] and "그룹" in embed["description"]
        # Names, origins and notes are the Korean content: no English note is left.
        lookup = cog_of(bot).lookup
        korean = [n.other.name_for(KO) for n in lookup.neighbours("bts")]
        bts = lookup.graph.entities["bts"]
        assert latin_words(embed["description"], bts.aliases) == []
        korean_notes = [
            escape(text)
            for n in lookup.neighbours("bts")
            for text in (n.link.note_for(KO), n.link.disputed_for(KO))
        ]
        # English content (a note, an origin) left in the reply fails here.
        assert_korean(message_texts(r.message), [*korean, *bts.aliases, *korean_notes])
        for field in embed["fields"]:
            assert any(name in field["name"] for name in korean)
    assert_fits(r.message)
    step = await driver.click(r.message, index=0, member=world.fan, locale=locale)
    assert step.ephemeral and step.message.embeds[0]["footer"]["text"] == footer


async def test_paging_buttons_and_footer_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    fans = [entity(f"fan-{i:02d}", f"Fan Act {i:02d}") for i in range(20)]
    use_graph(bot, graph([entity("hub", "The Hub"), *fans], [link("hub", f.id) for f in fans]))
    r = await driver.invoke(
        "influence artist", {"name": "hub"}, member=world.fan, channel=world.general, locale=KO
    )
    assert r.message.embeds[0]["footer"]["text"].startswith("1/3쪽 · 연결 20개 중 1–8")
    labels = [b["label"] for b in r.message.buttons()]
    assert "◀ 이전" in labels and "다음 ▶" in labels
    page = await driver.click(r.message, label="다음 ▶", member=world.fan, locale=KO)
    assert page.message.embeds[0]["footer"]["text"].startswith("2/3쪽")
    # The same page numbers in English: the split does not depend on the language.
    en = await driver.click(r.message, label="다음 ▶", member=world.fan)
    assert en.message.embeds[0]["footer"]["text"].startswith("Page 2/3 · links 9–16 of 20")


async def test_did_you_mean_and_its_buttons_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    r = await driver.invoke(
        "influence artist", {"name": "Jakson"}, member=world.fan, channel=world.general, locale=KO
    )
    assert r.ephemeral and "혹시 이걸 찾으셨나요?" in r.text
    assert latin_words(r.text) == []
    click = await driver.click(r.message, index=0, member=world.fan, locale=KO)
    assert "버튼을 누르면" in click.message.embeds[0]["footer"]["text"]
    nothing = await driver.invoke(
        "influence artist", {"name": "qqzzxx"}, member=world.fan, channel=world.general, locale=KO
    )
    assert "찾지 못했어요" in nothing.text and latin_words(nothing.text) == []
    stale = await driver.click(r.message, custom_id="inf:go:nope!", member=world.fan, locale=KO)
    assert (
        stale.text == "더 이상 작동하지 않는 버튼이에요. `/influence artist`를 다시 사용해 주세요."
    )


@pytest.mark.parametrize(
    ("ends", "korean"),
    [
        (("bts", "motown"), "반대 방향의 계보가 있어요"),
        (("motown", "bts"), "영향을 준 흐름이에요"),
        (("bts", "blackpink"), "같은 영향을 받았어요"),
        (("bts", "bts"), "두 번 고르셨어요"),
    ],
)
async def test_path_answers_in_korean(
    bot: KpopsBot, driver: Driver, world: World, ends: tuple[str, str], korean: str
) -> None:
    r = await driver.invoke(
        "influence path",
        {"from": ends[0], "to": ends[1]},
        member=world.fan,
        channel=world.general,
        locale=KO,
    )
    names = tuple(e.name_for(KO) for e in cog_of(bot).lookup.graph.entities.values())
    if r.message.embeds:
        description = r.message.embeds[0]["description"].split("\n")[0]
        assert korean in description and latin_words(description, names) == []
        assert (
            r.message.embeds[0]["footer"]["text"]
            == "버튼을 누르면 경로에 있는 프로필을 볼 수 있어요."
        )
    else:
        assert r.ephemeral and korean in r.text and latin_words(r.text) == []


async def test_shared_legacy_and_no_connection_in_korean(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    use_graph(
        bot,
        graph(
            [entity("a", "Act A"), entity("b", "Act B"), entity("c", "Heir C"), entity("d", "D")],
            [link("a", "c"), link("b", "c")],
        ),
    )
    shared = await driver.invoke(
        "influence path",
        {"from": "a", "to": "b"},
        member=world.fan,
        channel=world.general,
        locale=KO,
    )
    assert "같은 유산을 남겼어요" in shared.message.embeds[0]["description"]
    none = await driver.invoke(
        "influence path",
        {"from": "a", "to": "d"},
        member=world.fan,
        channel=world.general,
        locale=KO,
    )
    embed = none.message.embeds[0]
    assert "둘 모두에게서 영향을 받은 항목도" in embed["description"]
    assert [f["name"] for f in embed["fields"]] == [
        "Act A와(과) 가까운 항목",
        "D와(과) 가까운 항목",
    ]
    assert "Heir C (1단계)" in embed["fields"][0]["value"]
    assert "아직 출처가 있는 연결이 없어요" in embed["fields"][1]["value"]


async def test_a_map_in_korean(bot: KpopsBot, driver: Driver, world: World) -> None:
    allow_attachments(driver, world)
    ko = await driver.invoke(
        "influence map", {"name": "bts"}, member=world.fan, channel=world.general, locale=KO
    )
    en = await driver.invoke(
        "influence map", {"name": "bts"}, member=world.fan, channel=world.general
    )
    assert ko.message.embeds[0]["title"] == "방탄소년단: 계보 지도"
    assert "1단계 연결까지" in ko.message.embeds[0]["description"]
    assert en.message.embeds[0]["title"] == "BTS: the lineage map"
    # Each language its own picture (the legend and footer are drawn in it).
    ko_png, en_png = picture_of(driver, ko.message), picture_of(driver, en.message)
    assert ko_png.tobytes() != en_png.tobytes()
    assert driver.violations == []


async def test_refusal_to_attach_in_korean(bot: KpopsBot, driver: Driver, world: World) -> None:
    r = await driver.invoke(
        "influence map", {"name": "bts"}, member=world.fan, channel=world.general, locale=KO
    )
    assert r.ephemeral and "파일 첨부" in r.text and latin_words(r.text) == []


# ------------------------------------------------------------------ hostile input in Korean
KOREAN_HOSTILE = [
    "ㅂㅌㅅ",  # compatibility jamo
    "\u1107\u1161\u11bc",  # conjoining jamo
    "BTS방탄",  # mixed scripts
    "ＢＴＳ　방탄",  # full-width letters and space
    "방탄\u200b소년단",
    "방탄소년단 @everyone <@123>",
    "가" * 5000,
    *HOSTILE,
]


@pytest.mark.parametrize("typed", KOREAN_HOSTILE)
async def test_hostile_input_in_korean(
    bot: KpopsBot, driver: Driver, world: World, typed: str
) -> None:
    for path, options in (
        ("influence artist", {"name": typed}),
        ("influence path", {"from": typed, "to": "bts"}),
    ):
        r = await driver.invoke(path, options, member=world.fan, channel=world.general, locale=KO)
        assert r.message.pings == []
        if not r.message.embeds:
            assert r.ephemeral and len(r.text) < 700 and "가" * 100 not in r.text
            assert "@everyone" not in r.text
        for button in r.message.buttons():
            assert len(button["custom_id"]) <= 100
    assert driver.violations == []
