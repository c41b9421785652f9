"""/quote: the server's quote of the day, a random quote, search, and moderators' own quotes.

Curated quotes come from data/quotes.toml; a server's moderators can add their own, which join
that server's rotation and search. The quote of the day is kept per server and local date, so it
is the same for everyone all day and survives restarts; the daily post uses the same pick.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.checks import moderator_only
from bot.client import KpopsBot
from bot.daily import DailyPost
from bot.errors import UserFacingError, guild_id_of, report_error
from bot.privacy import CachedHooks, PrivacyHooks
from bot.storage.cache import ReadCache
from bot.storage.config import ConfigStore
from bot.views import static_view
from cogs.quotes.content import Quote, QuoteBook
from cogs.quotes.logic import (
    PAGE_SIZE,
    SERVER_QUOTES_MAX,
    QuoteRejected,
    Searchable,
    WordIndex,
    check_new_quote,
    clamp_page,
    curated_id,
    curated_key,
    page_count,
    page_of,
    rank_quotes,
    same_words,
    search_words,
    server_key,
    server_number,
)
from cogs.quotes.store import QuoteStore, ServerQuote

EMBED_COLOUR = discord.Colour.from_rgb(255, 94, 154)
EXCERPT_CHARS = 240  # of each quote on a search page (shrunk if the page would not fit)
EMBED_BUDGET = limits.EMBED_TOTAL_MAX - 200  # headroom below Discord's 6,000 for the whole embed
SEARCH_PAGES_KEPT = 256  # rendered search pages kept for repeated searches
SERVERS_KEPT = 512  # servers whose own quotes and day's pick stay in memory
SERVERS_ONLY = "Quotes belong to a server: use this command in one."
SEARCH_HINT = (
    "Try a speaker's name (Anderson .Paak, Teddy Riley) or a word such as Motown or hip-hop."
)


# ---------------------------------------------------------------------------------------------
# Showing quotes
# ---------------------------------------------------------------------------------------------
def shown(text: str) -> str:
    """User text displayed exactly as typed: markdown and mention syntax are escaped, not rendered.

    (Embeds never ping, and the bot's allowed_mentions pings nobody anyway.)
    """
    return discord.utils.escape_markdown(text).replace("<", "\\<")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link(label: str, url: str) -> str:
    """A masked link whose URL cannot break out of the markdown."""
    safe_url = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{shown(label).replace(']', ')')}]({safe_url})"


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
    source = link(f"{quote.source.publication}, {quote.source.date}", quote.source.url)
    if quote.source.via:
        source += f" (via {shown(quote.source.via)})"
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
        source = link(urlparse(quote.source_url).hostname or "source", quote.source_url)
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
        description=f"{shown(quote.text)}\n\n— **{shown(quote.speaker)}**",
        colour=EMBED_COLOUR,
    )
    if quote.context:
        embed.add_field(
            name="Context",
            value=clip(shown(quote.context), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    if quote.translated:
        embed.add_field(
            name="Translation",
            value=clip(shown(quote.translated), limits.EMBED_FIELD_VALUE_MAX),
            inline=False,
        )
    embed.add_field(name="Source", value=quote.source or "Not given", inline=False)
    embed.set_footer(text=quote.label)
    return embed


@lru_cache(maxsize=2048)
def result_field(quote: ShownQuote, excerpt: int) -> tuple[str, str]:
    """A quote as one search result (name, value): escaping is the costly part, done once."""
    name = shown(quote.speaker)
    if quote.number is not None:
        name = f"#{quote.number} · {name}"
    value = shown(clip(quote.text, excerpt))
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
            title=clip(f"Quotes matching: {shown(' '.join(words))}", limits.EMBED_TITLE_MAX),
            colour=EMBED_COLOUR,
        )
        for quote in results:
            name, value = result_field(quote, excerpt)
            embed.add_field(name=name, value=value, inline=False)
        matches = "1 match" if total == 1 else f"{total} matches"
        embed.set_footer(text=f"{matches} · page {page + 1} of {pages} · best matches first")
        if len(embed) <= EMBED_BUDGET or excerpt <= 40:
            return embed
        excerpt -= 40


# ---------------------------------------------------------------------------------------------
# Search pages: buttons that still work after a restart (the words travel in the custom_id)
# ---------------------------------------------------------------------------------------------
CUSTOM_ID_PREFIX = "quote:"  # every custom_id this cog makes starts so; it answers them all
SEARCH_PAGE_ID = re.compile(r"quote:search:(?P<page>[0-9]{1,3}):(?P<words>[^:]{1,90})")


def search_page_id(page: int, words: tuple[str, ...]) -> str:
    return f"quote:search:{page}:{' '.join(words)}"


async def show_search_page(
    interaction: discord.Interaction[Any], page: int, words: tuple[str, ...]
) -> None:
    """Answer a page button by editing the results in place (words and page may be forged)."""
    try:
        cog = interaction.client.get_cog(Quotes.__cog_name__)
        if not isinstance(cog, Quotes) or interaction.guild_id is None or not words:
            raise UserFacingError("That search has expired: run `/quote search` again.")
        embed, view = await cog.search_page(interaction.guild_id, words, page)
        if embed is None:
            raise UserFacingError(
                "None of the quotes on that search match any more: run `/quote search` again."
            )
        if interaction.message is None:
            raise UserFacingError("That search has expired: run `/quote search` again.")
        await interaction.response.edit_message(embed=embed, view=view)
    except Exception as error:  # noqa: BLE001 - component errors would otherwise vanish
        await report_error(interaction, error)


class SearchPageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=SEARCH_PAGE_ID):
    """A page button of search results: it carries its page and words, so it works after a
    restart with nothing stored."""

    def __init__(
        self, page: int, words: tuple[str, ...], *, label: str = "", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=search_page_id(page, words),
                disabled=disabled,
            )
        )
        self.page = page
        self.words = words

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> SearchPageButton:
        # The custom_id may be forged: the words are folded again, the page is clamped later.
        return cls(int(match["page"]), search_words(match["words"]), label=item.label or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:  # type: ignore[override]
        await show_search_page(interaction, self.page, self.words)


def component_ids(message: discord.Message) -> list[str]:
    return [
        custom_id
        for row in message.components
        for child in getattr(row, "children", [row])
        if isinstance(custom_id := getattr(child, "custom_id", None), str)
    ]


def has_component(message: discord.Message, custom_id: str) -> bool:
    return custom_id in component_ids(message)


def is_search_message(message: discord.Message) -> bool:
    """A page of /quote search results (it carries page buttons)."""
    return any(SEARCH_PAGE_ID.fullmatch(c) for c in component_ids(message))


def pager(words: tuple[str, ...], page: int, total: int) -> discord.ui.View | None:
    pages = page_count(total)
    if pages <= 1:
        return None
    return static_view(
        [
            SearchPageButton(max(page - 1, 0), words, label="◀ Previous", disabled=page == 0),
            SearchPageButton(
                min(page + 1, pages - 1), words, label="Next ▶", disabled=page == pages - 1
            ),
        ]
    )


# ---------------------------------------------------------------------------------------------
# The cog
# ---------------------------------------------------------------------------------------------
SearchKey = tuple[int, tuple[str, ...], int]  # (server, words, page)
SearchPage = tuple[discord.Embed | None, discord.ui.View | None]


class Quotes(commands.Cog):
    quote = app_commands.Group(
        name="quote",
        description="Sourced quotes on music, heritage and family: today's, a random one, search.",
        guild_only=True,
    )

    def __init__(self, bot: KpopsBot, book: QuoteBook) -> None:
        self.bot = bot
        self.book = book
        self.store = QuoteStore(bot.db)
        self._curated = {curated_key(q.id): from_curated(q) for q in book.quotes}
        self._index = WordIndex([q.searchable for q in self._curated.values()])
        # Read once, then served from memory. Only this cog changes a server's quotes, and an add
        # or remove drops what was kept (see _forget).
        self._picks: ReadCache[tuple[int, date], str | None] = ReadCache(SERVERS_KEPT)
        self._own: ReadCache[int, list[ShownQuote]] = ReadCache(SERVERS_KEPT)
        # Rendered pages of search results: fans repeat the same searches.
        self._search_pages: ReadCache[SearchKey, SearchPage] = ReadCache(SEARCH_PAGES_KEPT)

    def privacy_hooks(self) -> PrivacyHooks:
        return CachedHooks(self.store, lambda guild_id, _user_id: self._forget(guild_id))

    async def cog_load(self) -> None:
        self.bot.add_click_fallback((CUSTOM_ID_PREFIX,), self.on_stale_click)
        self.bot.add_dynamic_items(SearchPageButton)
        self.bot.daily.register("quote", self.daily_post)

    async def cog_unload(self) -> None:
        self.bot.remove_click_fallback((CUSTOM_ID_PREFIX,))
        self.bot.remove_dynamic_items(SearchPageButton)
        self.bot.daily.unregister("quote")

    async def on_stale_click(self, interaction: discord.Interaction[KpopsBot]) -> None:
        """Answer clicks in the quote: namespace that discord.py's dynamic items ignore (not on
        the message, or garbled), which would leave the user hanging. A page click forged onto a
        search message turns its page; forged onto any other message it is refused, so that no
        one can overwrite a poll, a question or a fact with search results."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = (interaction.data or {}).get("custom_id")
        if not isinstance(custom_id, str) or not custom_id.startswith(CUSTOM_ID_PREFIX):
            return
        message = interaction.message
        match = SEARCH_PAGE_ID.fullmatch(custom_id)
        if match is None or message is None or not is_search_message(message):
            await interaction.response.send_message(
                "That button doesn't belong to this message: run `/quote search` again.",
                ephemeral=True,
            )
            return
        if has_component(message, custom_id):
            return  # SearchPageButton answers it
        await show_search_page(interaction, int(match["page"]), search_words(match["words"]))

    # ------------------------------------------------------------------ data
    async def pool(self, guild_id: int) -> list[ShownQuote]:
        """Every quote this server can see: curated in file order, then its own by number."""
        return [*self._curated.values(), *await self.own_quotes(guild_id)]

    async def own_quotes(self, guild_id: int) -> list[ShownQuote]:
        """The quotes this server's moderators added, by number."""
        return await self._own.get(guild_id, lambda: self._read_own(guild_id))

    async def _read_own(self, guild_id: int) -> list[ShownQuote]:
        return [from_server(q) for q in await self.store.server_quotes(guild_id)]

    def _forget(self, guild_id: int) -> None:
        """After an add or remove commits: drop what was kept for the server. Picks and pages are
        kept by day and by words, so they are dropped for every server (such writes are rare)."""
        self._own.forget(guild_id)
        self._picks.forget()
        self._search_pages.forget()

    async def resolve(self, guild_id: int, key: str) -> ShownQuote | None:
        if curated_id(key) is not None:
            return self._curated.get(key)  # None if the content file dropped it
        number = server_number(key)
        if number is None:
            return None
        found = await self.store.get(guild_id, number)
        return None if found is None else from_server(found)

    async def local_today(self, guild_id: int) -> date:
        # The quote feature's own time zone (else the server's, else UTC): the same day the
        # scheduler's daily quote post uses, so the post and /quote today always agree.
        zone = await ConfigStore(self.bot.db).feature_timezone(guild_id, "quote")
        return self.bot.clock.now().astimezone(zone).date()

    async def pick_for(self, guild_id: int, day: date) -> ShownQuote:
        """The server's quote for its local ``day`` (picked once, then kept)."""
        key = await self._picks.get(
            (guild_id, day), lambda: self.store.day_pick(guild_id, day, self._curated.keys())
        )
        quote = None if key is None else await self.resolve(guild_id, key)
        if quote is None:
            raise UserFacingError("There are no quotes to show yet.")
        return quote

    async def daily_post(self, guild_id: int, day: date) -> DailyPost:
        quote = await self.pick_for(guild_id, day)
        return DailyPost(embed=quote_embed(quote, f"Quote of the day · {long_date(day)}"))

    async def search_page(self, guild_id: int, words: tuple[str, ...], page: int) -> SearchPage:
        return await self._search_pages.get(
            (guild_id, words, page), lambda: self._render_search_page(guild_id, words, page)
        )

    async def _render_search_page(
        self, guild_id: int, words: tuple[str, ...], page: int
    ) -> SearchPage:
        own = {q.key: q for q in await self.own_quotes(guild_id)}
        # Curated quotes are ranked from the word index, a server's own (few) one by one; on a
        # tie curated ones come first, as in a scan of the whole pool (the sort is stable).
        matches = self._index.rank(words)
        matches += rank_quotes(words, [q.searchable for q in own.values()])
        matches.sort(key=lambda m: (-m.words_matched, -m.score))
        if not matches:
            return None, None
        page = clamp_page(page, len(matches))
        shown_quotes = [
            self._curated.get(m.key) or own[m.key] for m in page_of(matches, page, PAGE_SIZE)
        ]
        embed = search_embed(words, shown_quotes, page, len(matches))
        return embed, pager(words, page, len(matches))

    # ------------------------------------------------------------------ everyone
    @quote.command(
        name="today", description="Today's quote for this server: the same for everyone all day."
    )
    async def today(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        day = await self.local_today(guild_id)
        quote = await self.pick_for(guild_id, day)
        await interaction.response.send_message(
            embed=quote_card(quote, f"Quote of the day · {long_date(day)}")
        )

    @quote.command(
        name="random", description="A random quote from the collection and this server's own."
    )
    async def random_quote(self, interaction: discord.Interaction[KpopsBot]) -> None:
        pool = await self.pool(guild_id_of(interaction, SERVERS_ONLY))
        if not pool:
            raise UserFacingError("There are no quotes to show yet.")
        await interaction.response.send_message(
            embed=quote_card(random.choice(pool), "A quote from the collection")
        )

    @quote.command(
        name="search", description="Find quotes by words in the quote, the speaker or the context."
    )
    @app_commands.describe(text="Words to look for, e.g. Motown, Teddy Riley or family")
    async def search(self, interaction: discord.Interaction[KpopsBot], text: str) -> None:
        words = search_words(text)
        if not words:
            raise UserFacingError(f"Type a word or two to search for. {SEARCH_HINT}")
        embed, view = await self.search_page(guild_id_of(interaction, SERVERS_ONLY), words, 0)
        if embed is None:
            raise UserFacingError(
                f"No quotes match {clip(shown(' '.join(words)), 100)}. {SEARCH_HINT}"
            )
        if view is None:
            await interaction.response.send_message(embed=embed)
        else:
            await interaction.response.send_message(embed=embed, view=view)

    # ------------------------------------------------------------------ moderators
    @quote.command(name="add", description="Add a quote to this server's collection (moderators).")
    @app_commands.describe(
        text="The exact words (up to 600 characters)",
        speaker="Who said them",
        source="An https link to where the words were published",
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[KpopsBot],
        text: str,
        speaker: str,
        source: str | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        try:
            new = check_new_quote(text, speaker, source)
        except QuoteRejected as rejected:
            raise UserFacingError(f"{rejected} Nothing was added.") from None
        for existing in await self.pool(guild_id):
            if same_words(existing.text, new.text):
                where = (
                    f"server quote #{existing.number}"
                    if existing.number is not None
                    else "the sourced collection"
                )
                raise UserFacingError(f"That quote is already in {where}. Nothing was added.")
        added = await self.store.add(
            guild_id,
            text=new.text,
            speaker=new.speaker,
            source_url=new.source_url,
            added_by=interaction.user.id,
            added_at=self.bot.clock.now(),
            limit=SERVER_QUOTES_MAX,
        )
        self._forget(guild_id)
        if added is None:
            raise UserFacingError(
                f"This server already has {SERVER_QUOTES_MAX} quotes of its own: "
                "remove one with `/quote remove` first."
            )
        await interaction.response.send_message(
            f"Added server quote #{added.number}. It joins this server's quote of the day rotation "
            f"and search; `/quote remove id:{added.number}` takes it out again.",
            embed=quote_embed(from_server(added), f"Server quote #{added.number}"),
            ephemeral=True,
        )

    @quote.command(
        name="remove", description="Remove one of this server's own quotes (moderators)."
    )
    @app_commands.describe(
        quote_id="The server quote's number, shown by /quote add and /quote search"
    )
    @app_commands.rename(quote_id="id")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[KpopsBot], quote_id: int) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        removed = await self.store.remove(guild_id, quote_id)
        self._forget(guild_id)  # after the commit, so no reader re-caches a removed quote
        if removed is None:
            raise UserFacingError(
                f"This server has no quote #{quote_id}. Only quotes added with `/quote add` can be "
                "removed; their numbers show in `/quote search` results."
            )
        await interaction.response.send_message(
            f"Removed server quote #{removed.number} "
            f"({clip(shown(removed.speaker), 100)}: “{clip(shown(removed.text), 120)}”).",
            ephemeral=True,
        )
