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
from typing import Any, Self

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import moderator_only
from bot.client import KpopsBot
from bot.daily import DailyPost
from bot.errors import UserFacingError, guild_id_of, report_error
from bot.i18n import N_, Language, reply_locale, server_locale, t
from bot.privacy import CachedHooks, PrivacyHooks
from bot.search import Vocabulary
from bot.storage.cache import ReadCache
from bot.storage.config import ConfigStore
from bot.ui.buttons import Button, ClickNamespace
from bot.ui.text import clip, escape, in_code
from bot.views import static_view
from cogs.quotes.content import QuoteBook
from cogs.quotes.logic import (
    PAGE_SIZE,
    SERVER_QUOTES_MAX,
    Match,
    QuoteRejected,
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
    server_number,
    suggest_words,
    words_of,
)
from cogs.quotes.render import (
    ShownQuote,
    from_curated,
    from_server,
    full_cards,
    long_date,
    quote_card,
    quote_embed,
    search_embed,
)
from cogs.quotes.store import QuoteStore

SEARCH_PAGES_KEPT = 256  # rendered search pages kept for repeated searches
SERVERS_KEPT = 512  # servers whose own quotes and day's pick stay in memory
SERVERS_ONLY = N_("Quotes belong to a server: use this command in one.")
NO_WORDS = N_(
    "Type a word or two to search for. Try a speaker's name (Anderson .Paak, Teddy Riley) or a "
    "word such as Motown or hip-hop."
)
NO_MATCH = N_(
    "No quote matches every word of {words}. Try a speaker's name (Anderson .Paak, Teddy Riley) "
    "or a word such as Motown or hip-hop."
)
NO_MATCH_NEAR = N_(
    "No quote matches every word of {words}. Closest: `/quote search text:{near}`. Try a "
    "speaker's name (Anderson .Paak, Teddy Riley) or a word such as Motown or hip-hop."
)
GONE = N_("None of the quotes on that search match any more: run `/quote search` again.")


# ---------------------------------------------------------------------------------------------
# Search pages: buttons that still work after a restart (the words travel in the custom_id)
# ---------------------------------------------------------------------------------------------
CUSTOM_ID_PREFIX = "quote:"  # every custom_id this cog makes starts so; it answers them all
STALE_PAGE = N_("That button doesn't belong to this message: run `/quote search` again.")
EXPIRED = N_("That search has expired: run `/quote search` again.")
NOT_YOURS = N_(
    "Only the member who searched turns that page for everyone; here is your own copy to page "
    "through."
)
SEARCH_PAGE_ID = re.compile(r"quote:search:(?P<page>[0-9]{1,3}):(?P<words>[^:]{1,90})")
READ_ID = re.compile(r"quote:read:(?P<page>[0-9]{1,3}):(?P<words>[^:]{1,90})")
SEARCH_BUTTON_IDS = (SEARCH_PAGE_ID, READ_ID)


def search_page_id(page: int, words: tuple[str, ...]) -> str:
    return f"quote:search:{page}:{' '.join(words)}"


def read_id(page: int, words: tuple[str, ...]) -> str:
    return f"quote:read:{page}:{' '.join(words)}"


def _searcher(message: discord.Message | None) -> int | None:
    """Who ran the search a message shows (Discord records who each interaction reply answers)."""
    meta = message.interaction_metadata if message is not None else None
    return meta.user.id if meta is not None else None


async def show_search_page(
    interaction: discord.Interaction[Any], page: int, words: tuple[str, ...]
) -> None:
    """Answer a page button (words and page may be forged). The member who searched turns the
    page in place; anyone else gets a private copy, so nobody changes what the channel reads."""
    cog = _quotes_cog(interaction)
    language = reply_locale(interaction)
    found = await cog.search_page(interaction.guild_id or 0, words, page, language)
    if found.embed is None:
        raise UserFacingError(GONE)
    if interaction.message is None:
        raise UserFacingError(EXPIRED)
    view = found.view or discord.utils.MISSING
    if _searcher(interaction.message) == interaction.user.id:
        await interaction.response.edit_message(embed=found.embed, view=found.view)
    else:
        await interaction.response.send_message(
            t(language, NOT_YOURS), embed=found.embed, view=view, ephemeral=True
        )


async def show_full_quotes(
    interaction: discord.Interaction[Any], page: int, words: tuple[str, ...]
) -> None:
    """The "Read in full" button: the whole of every quote on that page, privately."""
    language = reply_locale(interaction)
    cog = _quotes_cog(interaction)
    found = await cog.search_page(interaction.guild_id or 0, words, page, language)
    if not found.quotes:
        raise UserFacingError(GONE)
    first, *rest = full_cards(list(found.quotes), language)
    await interaction.response.send_message(embeds=first, ephemeral=True)
    for embeds in rest:
        await interaction.followup.send(embeds=embeds, ephemeral=True)


def _quotes_cog(interaction: discord.Interaction[Any]) -> Quotes:
    cog = interaction.client.get_cog(Quotes.__cog_name__)
    if not isinstance(cog, Quotes) or interaction.guild_id is None:
        raise UserFacingError(EXPIRED)
    return cog


class SearchPageButton(Button, template=SEARCH_PAGE_ID):
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
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        # The custom_id may be forged: the words are folded again, the page is clamped later.
        return cls(int(match["page"]), search_words(match["words"]), label=label)

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        if not self.words:
            raise UserFacingError(EXPIRED)
        await show_search_page(interaction, self.page, self.words)


class ReadFullButton(Button, template=READ_ID):
    """ "Read in full": a search page cuts long quotes short; this shows them whole, privately."""

    def __init__(self, page: int, words: tuple[str, ...], language: Language = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t(language, "Read in full"),
                emoji="📖",
                style=discord.ButtonStyle.primary,
                custom_id=read_id(page, words),
            )
        )
        self.page = page
        self.words = words

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        return cls(int(match["page"]), search_words(match["words"]))

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        if not self.words:
            raise UserFacingError(EXPIRED)
        await show_full_quotes(interaction, self.page, self.words)


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
    """A page of /quote search results (it carries page or read buttons)."""
    return any(
        pattern.fullmatch(c) for c in component_ids(message) for pattern in SEARCH_BUTTON_IDS
    )


def search_buttons(
    words: tuple[str, ...], page: int, total: int, language: Language, *, cut: bool
) -> discord.ui.View | None:
    """Previous and Next when there is more than one page; "Read in full" when a quote is cut."""
    pages = page_count(total)
    buttons: list[Button] = []
    if pages > 1:
        previous, following = t(language, "◀ Previous"), t(language, "Next ▶")
        buttons += [
            SearchPageButton(max(page - 1, 0), words, label=previous, disabled=page == 0),
            SearchPageButton(
                min(page + 1, pages - 1), words, label=following, disabled=page == pages - 1
            ),
        ]
    if cut:
        buttons.append(ReadFullButton(page, words, language))
    return static_view(buttons) if buttons else None


# ---------------------------------------------------------------------------------------------
# The cog
# ---------------------------------------------------------------------------------------------
SearchKey = tuple[int, tuple[str, ...], int, Language]  # (server, words, page, language)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search, rendered: nothing at all when no quote matches."""

    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    quotes: tuple[ShownQuote, ...] = ()


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
        self.buttons = ClickNamespace(
            prefixes=(CUSTOM_ID_PREFIX,),
            buttons=(SearchPageButton, ReadFullButton),
            stale_reply=STALE_PAGE,
            on_stale=self.on_stale_click,
        )
        self._curated = {curated_key(q.id): from_curated(q) for q in book.quotes}
        self._index = WordIndex([q.searchable for q in self._curated.values()])
        self._vocabulary = Vocabulary(self._index.words())  # for "closest" suggestions
        # Read once, then served from memory. Only this cog changes a server's quotes, and an add
        # or remove drops what was kept (see _forget).
        self._picks: ReadCache[tuple[int, date], str | None] = ReadCache(SERVERS_KEPT)
        self._own: ReadCache[int, list[ShownQuote]] = ReadCache(SERVERS_KEPT)
        # Rendered pages of search results: fans repeat the same searches.
        self._search_pages: ReadCache[SearchKey, SearchPage] = ReadCache(SEARCH_PAGES_KEPT)

    def privacy_hooks(self) -> PrivacyHooks:
        return CachedHooks(self.store, lambda guild_id, _user_id: self._forget(guild_id))

    async def cog_load(self) -> None:
        self.bot.add_buttons(self.buttons)
        self.bot.daily.register("quote", self.daily_post)

    async def cog_unload(self) -> None:
        self.bot.remove_buttons(self.buttons)
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
        page_match = SEARCH_PAGE_ID.fullmatch(custom_id)
        match = page_match or READ_ID.fullmatch(custom_id)
        if match is None or message is None or not is_search_message(message):
            stale = t(reply_locale(interaction), STALE_PAGE)
            await interaction.response.send_message(stale, ephemeral=True)
            return
        if has_component(message, custom_id):
            return  # SearchPageButton or ReadFullButton answers it
        words = search_words(match["words"])
        show = show_search_page if page_match is not None else show_full_quotes
        try:
            if not words:
                raise UserFacingError(EXPIRED)
            await show(interaction, int(match["page"]), words)
        except Exception as error:  # noqa: BLE001 - component errors would otherwise vanish
            await report_error(interaction, error)

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

    def server_language(self, guild_id: int) -> Language:
        """The language of the daily quote post, which stays in the server's channel."""
        guild = self.bot.get_guild(guild_id)
        # The server's /config language setting goes in place of None once it exists.
        return server_locale(None, guild.preferred_locale if guild is not None else None)

    async def daily_post(self, guild_id: int, day: date) -> DailyPost:
        quote = await self.pick_for(guild_id, day)
        language = self.server_language(guild_id)
        title = t(language, "Quote of the day · {day}", day=long_date(language, day))
        return DailyPost(embed=quote_embed(quote, title, language))

    async def search_page(
        self, guild_id: int, words: tuple[str, ...], page: int, language: Language
    ) -> SearchPage:
        return await self._search_pages.get(
            (guild_id, words, page, language),
            lambda: self._render_search_page(guild_id, words, page, language),
        )

    async def _render_search_page(
        self, guild_id: int, words: tuple[str, ...], page: int, language: Language
    ) -> SearchPage:
        matches = await self._matches(guild_id, words)
        if not matches:
            return SearchPage()
        own = {q.key: q for q in await self.own_quotes(guild_id)}
        page = clamp_page(page, len(matches))
        shown_quotes = [
            self._curated.get(m.key) or own[m.key] for m in page_of(matches, page, PAGE_SIZE)
        ]
        embed, cut = search_embed(words, shown_quotes, page, len(matches), language)
        view = search_buttons(words, page, len(matches), language, cut=cut)
        return SearchPage(embed, view, tuple(shown_quotes))

    async def _matches(self, guild_id: int, words: tuple[str, ...]) -> list[Match]:
        """Every quote the server can see that matches all the words, best first."""
        own = await self.own_quotes(guild_id)
        # Curated quotes are ranked from the word index, a server's own (few) one by one; on a
        # tie curated ones come first, as in a scan of the whole pool (the sort is stable).
        matches = self._index.rank(words)
        matches += rank_quotes(words, [q.searchable for q in own])
        matches.sort(key=lambda m: -m.score)
        return matches

    async def closest_search(self, guild_id: int, words: tuple[str, ...]) -> tuple[str, ...] | None:
        """For a search that found nothing: the nearest one that finds a quote, if any."""
        own = await self.own_quotes(guild_id)
        vocabulary = self._vocabulary
        if own:  # a server's own quotes are few: their words join the curated ones per search
            own_words = (
                w for q in own for t in (q.text, q.speaker, q.context) for w in words_of(t)
            )
            vocabulary = Vocabulary([*vocabulary.words, *own_words])
        index, own_searchable = self._index, [q.searchable for q in own]

        def finds(candidate: tuple[str, ...]) -> bool:
            return bool(index.candidates(candidate) or rank_quotes(candidate, own_searchable))

        return suggest_words(words, vocabulary, finds)

    # ------------------------------------------------------------------ everyone
    @quote.command(
        name="today", description="Today's quote for this server: the same for everyone all day."
    )
    async def today(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        day = await self.local_today(guild_id)
        quote = await self.pick_for(guild_id, day)
        language = reply_locale(interaction)
        title = t(language, "Quote of the day · {day}", day=long_date(language, day))
        await interaction.response.send_message(embed=quote_card(quote, title, language))

    @quote.command(
        name="random", description="A random quote from the collection and this server's own."
    )
    async def random_quote(self, interaction: discord.Interaction[KpopsBot]) -> None:
        pool = await self.pool(guild_id_of(interaction, SERVERS_ONLY))
        if not pool:
            raise UserFacingError("There are no quotes to show yet.")
        language = reply_locale(interaction)
        title = t(language, "A quote from the collection")
        await interaction.response.send_message(
            embed=quote_card(random.choice(pool), title, language)
        )

    @quote.command(
        name="search", description="Find quotes by words in the quote, the speaker or the context."
    )
    @app_commands.describe(text="Words to look for, e.g. Motown, Teddy Riley or family")
    async def search(self, interaction: discord.Interaction[KpopsBot], text: str) -> None:
        words = search_words(text)
        if not words:
            raise UserFacingError(NO_WORDS)
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        found = await self.search_page(guild_id, words, 0, reply_locale(interaction))
        if found.embed is None:
            near = await self.closest_search(guild_id, words)
            shown_words = clip(escape(" ".join(words)), 100)
            if not near:
                raise UserFacingError(NO_MATCH, words=shown_words)
            raise UserFacingError(
                NO_MATCH_NEAR, words=shown_words, near=in_code(" ".join(near), 80)
            )
        if found.view is None:
            await interaction.response.send_message(embed=found.embed)
        else:
            await interaction.response.send_message(embed=found.embed, view=found.view)

    # ------------------------------------------------------------------ moderators
    @quote.command(name="add", description="Add a quote to this server's collection (moderators).")
    @app_commands.describe(
        text="The exact words (up to 600 characters)",
        speaker="Who said them",
        source="An https link to where the words were published",
    )
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[KpopsBot],
        text: str,
        speaker: str,
        source: str | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        language = reply_locale(interaction)
        try:
            new = check_new_quote(text, speaker, source)
        except QuoteRejected as rejected:
            reason = t(language, rejected.message, **rejected.fields)
            raise UserFacingError("{reason} Nothing was added.", reason=reason) from None
        for existing in await self.pool(guild_id):
            if not same_words(existing.text, new.text):
                continue
            if existing.number is None:
                raise UserFacingError(
                    "That quote is already in the sourced collection. Nothing was added."
                )
            raise UserFacingError(
                "That quote is already in server quote #{number}. Nothing was added.",
                number=existing.number,
            )
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
                "This server already has {limit} quotes of its own: remove one with "
                "`/quote remove` first.",
                limit=SERVER_QUOTES_MAX,
            )
        done = t(
            language,
            "Added server quote #{number}. It joins this server's quote of the day rotation and "
            "search; `/quote remove id:{number}` takes it out again.",
            number=added.number,
        )
        title = t(language, "Server quote #{number}", number=added.number)
        await interaction.response.send_message(
            done, embed=quote_embed(from_server(added), title, language), ephemeral=True
        )

    @quote.command(
        name="remove", description="Remove one of this server's own quotes (moderators)."
    )
    @app_commands.describe(
        quote_id="The server quote's number, shown by /quote add and /quote search"
    )
    @app_commands.rename(quote_id="id")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[KpopsBot], quote_id: int) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        removed = await self.store.remove(guild_id, quote_id)
        self._forget(guild_id)  # after the commit, so no reader re-caches a removed quote
        if removed is None:
            raise UserFacingError(
                "This server has no quote #{number}. Only quotes added with `/quote add` can be "
                "removed; their numbers show in `/quote search` results.",
                number=quote_id,
            )
        done = t(
            reply_locale(interaction),
            "Removed server quote #{number} ({speaker}: “{text}”).",
            number=removed.number,
            speaker=clip(escape(removed.speaker), 100),
            text=clip(escape(removed.text), 120),
        )
        await interaction.response.send_message(done, ephemeral=True)
