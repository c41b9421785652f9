"""How quotes look: a quote's card and a page of search results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlparse

import discord

from bot import limits
from bot.ui.style import BRAND
from bot.ui.text import clip, escape, masked_link, source_line
from cogs.quotes.content import Quote
from cogs.quotes.logic import (
    Searchable,
    curated_key,
    page_count,
    server_key,
    server_number,
)
from cogs.quotes.store import ServerQuote

EXCERPT_CHARS = 240  # of each quote on a search page (shrunk if the page would not fit)
EMBED_BUDGET = limits.EMBED_TOTAL_MAX - 200  # headroom below Discord's 6,000 for the whole embed


@dataclass(frozen=True, slots=True)
class ShownQuote:
    """A curated or server quote, ready to display and search."""

    key: str
    text: str
    speaker: str
    context: str
    translated: str
    source: str | None  # a markdown link, or None
    label: str  # where it comes from, for the footer

    @property
    def searchable(self) -> Searchable:
        return Searchable(self.key, self.text, self.speaker, self.context)

    @property
    def number(self) -> int | None:
        return server_number(self.key)


def from_curated(quote: Quote) -> ShownQuote:
    source = source_line(quote.source)
    return ShownQuote(
        key=curated_key(quote.id),
        text=quote.text,
        speaker=quote.speaker,
        context=quote.context,
        translated=quote.translated,
        source=source,
        label="From kpops-bot's sourced collection",
    )


def from_server(quote: ServerQuote) -> ShownQuote:
    source = None
    if quote.source_url:
        source = masked_link(urlparse(quote.source_url).hostname or "source", quote.source_url)
    return ShownQuote(
        key=server_key(quote.number),
        text=quote.text,
        speaker=quote.speaker,
        context=f"Added by this server's moderators on {quote.added_at:%Y-%m-%d}.",
        translated="",
        source=source,
        label=f"Server quote #{quote.number}",
    )


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def quote_embed(quote: ShownQuote, title: str) -> discord.Embed:
    """A quote's card (a new Embed: see quote_card for the shared, kept ones)."""
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        description=f"{escape(quote.text)}\n\n— **{escape(quote.speaker)}**",
        colour=BRAND,
    )
    if quote.context:
        embed.add_field(
            name="Context",
            value=clip(escape(quote.context), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    if quote.translated:
        embed.add_field(
            name="Translation",
            value=clip(escape(quote.translated), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    embed.add_field(name="Source", value=quote.source or "Not given", inline=False)
    embed.set_footer(text=quote.label)
    return embed


@lru_cache(maxsize=2048)
def result_field(quote: ShownQuote, excerpt: int) -> tuple[str, str]:
    """A quote as one search result (name, value): escaping is the costly part, done once."""
    name = escape(quote.speaker)
    if quote.number is not None:
        name = f"#{quote.number} · {name}"
    value = escape(clip(quote.text, excerpt))
    if quote.source:
        value += f"\n{quote.source}"
    return clip(name, limits.EMBED_FIELD_NAME_MAX), clip(value, limits.EMBED_FIELD_VALUE_MAX)


# The cards /quote today and /quote random send, made once each and shared: never change one.
quote_card = lru_cache(maxsize=1024)(quote_embed)


def search_embed(
    words: tuple[str, ...], results: list[ShownQuote], page: int, total: int
) -> discord.Embed:
    """One page of results; excerpts shrink until the whole embed fits Discord's limit."""
    pages = page_count(total)
    excerpt = EXCERPT_CHARS
    while True:
        embed = discord.Embed(
            title=clip(f"Quotes matching: {escape(' '.join(words))}", limits.EMBED_TITLE_MAX),
            colour=BRAND,
        )
        for quote in results:
            name, value = result_field(quote, excerpt)
            embed.add_field(name=name, value=value, inline=False)
        matches = "1 match" if total == 1 else f"{total} matches"
        embed.set_footer(text=f"{matches} · page {page + 1} of {pages} · best matches first")
        if len(embed) <= EMBED_BUDGET or excerpt <= 40:
            return embed
        excerpt -= 40
