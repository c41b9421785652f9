"""Korean search words through the emulator: a two-syllable word finds the word with its
particle (서울 finds 서울에서, 뿌리 finds 뿌리를), as a Korean member types it."""

from __future__ import annotations

from bot.client import KpopsBot
from bot.sandbox import Driver
from bot.search import words_of
from bot.ui.text import escape
from cogs.film.content import load_film
from cogs.quotes.content import Quote, load_quotes
from tests.conftest import World

KO = "ko"
FILM = load_film()
QUOTES = load_quotes()


async def test_a_korean_film_fact_search_finds_seoul_with_its_particle(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    holding = [f for f in FILM.facts if any(w.startswith("서울") for w in words_of(f.ko_text))]
    assert holding and not any("서울" in words_of(f.ko_text) for f in holding)  # 서울에서, 서울로
    fact = await driver.invoke(
        "film fact", {"topic": "서울"}, member=world.fan, channel=world.general, locale=KO
    )
    assert not fact.ephemeral, fact.text
    description = fact.message.embeds[0]["description"]
    assert any(f.ko_text[:40] in description for f in holding), description


async def test_a_korean_quote_search_finds_roots_with_its_particle(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    def korean(q: Quote) -> str:
        return f"{q.context_for(KO)} {q.translation_for(KO)}"

    holding = [q for q in QUOTES.quotes if any(w.startswith("뿌리") for w in words_of(korean(q)))]
    assert holding and not any("뿌리" in words_of(korean(q)) for q in holding)  # 뿌리를, 뿌리에
    found = await driver.invoke(
        "quote search", {"text": "뿌리"}, member=world.fan, channel=world.general, locale=KO
    )
    assert not found.ephemeral, found.text
    fields = found.message.embeds[0]["fields"]
    speakers = {escape(q.speaker) for q in holding}
    assert fields and all(any(s in f["name"] for s in speakers) for f in fields)
