"""How quotes look: a quote's card and a page of search results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlparse

import discord

from bot import limits
from bot.content.common import Source
from bot.content.korean import KOREAN
from bot.i18n import Language, format_day, t, tn
from bot.ui.style import BRAND
from bot.ui.text import ELLIPSIS, clip, escape, masked_link, source_line, translation_mark
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
    added_on: date | None = None  # a server quote's day of adding (curated ones have none)
    origin: Source | None = None  # a curated quote's source (its reprint is named per language)
    curated: Quote | None = None  # a curated entry: its context and translation per language

    def source_in(self, language: Language) -> str | None:
        """The source line; marked when the context shown is our translation of that source."""
        if self.origin is None:
            return self.source
        translated = self.curated is not None and self.curated.is_translation(language)
        return source_line(self.origin, language) + translation_mark(language, translated)

    def context_in(self, language: Language) -> str:
        return self.context if self.curated is None else self.curated.context_for(language)

    def translation_in(self, language: Language) -> str:
        """A translation shown beside the words (never in place of them): the reader's own
        language's where there is one; outside Korean, the English the entry carries."""
        if self.curated is not None and self.curated.translation_for(language):
            return self.curated.translation_for(language)
        return "" if language == KOREAN else self.translated

    @property
    def searchable(self) -> Searchable:
        """What search reads: the words and speaker, and the context in every language (with
        the Korean translation), so a search finds a quote in either script."""
        context = self.context
        if self.curated is not None:
            korean = (self.curated.context_for(KOREAN), self.curated.translation_for(KOREAN))
            context = " ".join((context, *korean))
        return Searchable(self.key, self.text, self.speaker, context)

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
        origin=quote.source,
        curated=quote,
    )


def from_server(quote: ServerQuote) -> ShownQuote:
    source = None
    if quote.source_url:
        source = masked_link(urlparse(quote.source_url).hostname or "source", quote.source_url)
    return ShownQuote(
        key=server_key(quote.number),
        text=quote.text,
        speaker=quote.speaker,
        context="",
        translated="",
        source=source,
        added_on=quote.added_at.date(),
    )


def long_date(language: Language, day: date) -> str:
    return format_day(language, day)


def context_of(quote: ShownQuote, language: Language) -> str:
    """The context shown under a quote: the curated note, or when a server's quote was added."""
    if quote.added_on is None:
        return quote.context_in(language)
    day = format_day(language, quote.added_on)
    return t(language, "Added by this server's moderators on {day}.", day=day)


def label_of(quote: ShownQuote, language: Language) -> str:
    """Where a quote comes from, for the footer of its card."""
    if quote.number is not None:
        return t(language, "Server quote #{number}", number=quote.number)
    return t(language, "From kpops-bot's sourced collection")


def excerpt_of(text: str, limit: int) -> str:
    """At most ``limit`` characters of a quote, cut between words with a mark (…) when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ")
    if space >= limit // 2:  # a word boundary not too far back: cut there, not mid-word
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def is_cut(quote: ShownQuote, excerpt: int = 0) -> bool:
    """True when a search page shows only part of this quote (its full text is a click away)."""
    return len(quote.text) > (excerpt or EXCERPT_CHARS)


def quote_embed(quote: ShownQuote, title: str, language: Language) -> discord.Embed:
    """A quote's card (a new Embed: see quote_card for the shared, kept ones)."""
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        description=f"{escape(quote.text)}\n\n— **{escape(quote.speaker)}**",
        colour=BRAND,
    )
    context = context_of(quote, language)
    if context:
        embed.add_field(
            name=t(language, "Context"),
            value=clip(escape(context), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    translation = quote.translation_in(language)
    if translation:
        embed.add_field(
            name=t(language, "Translation"),
            value=clip(escape(translation), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    source = quote.source_in(language) or t(language, "Not given")
    embed.add_field(name=t(language, "Source"), value=source, inline=False)
    embed.set_footer(text=label_of(quote, language))
    return embed


@lru_cache(maxsize=2048)
def result_field(quote: ShownQuote, excerpt: int, language: Language) -> tuple[str, str]:
    """A quote as one search result (name, value): escaping is the costly part, done once."""
    name = escape(quote.speaker)
    if quote.number is not None:
        name = f"#{quote.number} · {name}"
    value = escape(excerpt_of(quote.text, excerpt))
    source = quote.source_in(language)
    if source:
        value += f"\n{source}"
    return clip(name, limits.EMBED_FIELD_NAME_MAX), clip(value, limits.EMBED_FIELD_VALUE_MAX)


# The cards /quote today and /quote random send, made once each and shared: never change one.
quote_card = lru_cache(maxsize=1024)(quote_embed)


def search_embed(
    words: tuple[str, ...], results: list[ShownQuote], page: int, total: int, language: Language
) -> tuple[discord.Embed, bool]:
    """One page of results, and whether any quote on it is cut short (then the page offers its
    full text). Excerpts shrink until the whole embed fits Discord's limit."""
    pages = page_count(total)
    excerpt = EXCERPT_CHARS
    while True:
        title = t(language, "Quotes matching: {words}", words=escape(" ".join(words)))
        embed = discord.Embed(title=clip(title, limits.EMBED_TITLE_MAX), colour=BRAND)
        for quote in results:
            name, value = result_field(quote, excerpt, language)
            embed.add_field(name=name, value=value, inline=False)
        matches = tn(language, "{n} match", "{n} matches", total)
        cut = sum(is_cut(quote, excerpt) for quote in results)
        footer = t(
            language,
            "{matches} · page {page} of {pages} · best matches first",
            matches=matches,
            page=page + 1,
            pages=pages,
        )
        if cut:
            footer = t(
                language,
                "{matches} · page {page} of {pages} · best matches first · {quotes} cut short: "
                "Read in full",
                matches=matches,
                page=page + 1,
                pages=pages,
                quotes=tn(language, "{n} quote", "{n} quotes", cut),
            )
        embed.set_footer(text=footer)
        if len(embed) <= EMBED_BUDGET or excerpt <= 40:
            return embed, bool(cut)
        excerpt -= 40


def full_cards(quotes: list[ShownQuote], language: Language) -> list[list[discord.Embed]]:
    """Each quote's whole card, grouped into messages that keep within Discord's 6,000
    characters and 10 embeds per message."""
    groups: list[list[discord.Embed]] = []
    size = 0
    title = t(language, "The whole quote")
    for quote in quotes:
        card = quote_card(quote, title, language)
        if not groups or size + len(card) > EMBED_BUDGET or len(groups[-1]) == 10:
            groups.append([])
            size = 0
        groups[-1].append(card)
        size += len(card)
    return groups
