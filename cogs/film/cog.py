"""/film: the film card, sourced facts (rotating per server), trivia with a leaderboard, daily fact.

Buttons are ``DynamicItem``s whose custom_id carries all they need, so they keep working after a
restart. A trivia question closes 60 seconds after it is asked, by the bot's clock: clicks after
the deadline are refused at once, and a loop (``close_due``) then shows the result on the message.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Self

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import limits
from bot.client import KpopsBot
from bot.daily import DailyPost
from bot.errors import UserFacingError, guild_id_of
from bot.i18n import N_, Language, reply_locale, server_locale, t, tn
from bot.privacy import PrivacyHooks
from bot.ui.buttons import Button, ClickNamespace
from bot.ui.style import moment
from bot.ui.text import clip, in_code, shown
from bot.views import static_view
from cogs.film.content import Fact, FilmContent, Trivia
from cogs.film.logic import (
    ECHO_MAX,
    FactQuery,
    MemberCooldown,
    ShowRecord,
    choices_for,
    clean,
    least_shown,
    match_topic,
    resolve_fact_query,
    shuffled_choices,
    suggest_search,
)
from cogs.film.render import (
    about_embed,
    daily_fact_title,
    fact_embed,
    leaderboard_embed,
    trivia_closed_embed,
    trivia_open_embed,
)
from cogs.film.store import AnswerOutcome, FilmStore, NewQuestion, TriviaQuestion

log = logging.getLogger(__name__)

TRIVIA_SECONDS = 60
# A member's "Another fact" clicks post publicly: at most one per this many seconds each.
FACT_BUTTON_COOLDOWN_SECONDS = 15
# Every custom_id this cog's buttons use starts with one of these.
CUSTOM_ID_PREFIXES = ("film:", "trivia:")
SERVERS_ONLY = N_("Film facts and trivia work in servers only.")
CLOSE_CHECK_SECONDS = 2.0  # how often the loop looks for questions past their deadline
CLOSE_ATTEMPTS = 5  # transient failures to show a result before giving up on that message
# An interaction's token lasts 15 minutes; edit through it only well inside that.
TOKEN_EDIT_WINDOW = timedelta(minutes=14)

ANSWER_REPLIES: dict[AnswerOutcome, str] = {
    AnswerOutcome.RIGHT: N_(
        "✅ Right! That's a point for you. Everyone sees the answer when the question closes."
    ),
    AnswerOutcome.WRONG: N_(
        "❌ Not this time. The right answer is shown when the question closes."
    ),
    AnswerOutcome.ALREADY_ANSWERED: N_(
        "You've already answered this one: only your first answer counts."
    ),
    AnswerOutcome.CLOSED: N_("This question has closed: start a new one with /film trivia."),
    AnswerOutcome.UNKNOWN: N_(
        "This question isn't available any more: start a new one with /film trivia."
    ),
}
NO_MATCH = N_(
    "No fact matches. Pick a topic: {topics}. Or try a word from the film's story, such as "
    "Seoul, drummer or Toronto."
)
NO_MATCH_OF = N_(
    "No fact matches with every word of “{query}”. Pick a topic: {topics}. Or try a word from "
    "the film's story, such as Seoul, drummer or Toronto."
)
NO_MATCH_NEAR = N_(
    "No fact matches with every word of “{query}”. Closest: `/film fact topic:{near}`. "
    "Pick a topic: {topics}. Or try a word from the film's story, such as Seoul, drummer or "
    "Toronto."
)


def _film_cog(interaction: discord.Interaction[Any]) -> FilmCog:
    cog = interaction.client.get_cog(FilmCog.__cog_name__)
    if not isinstance(cog, FilmCog):
        raise UserFacingError("Film facts and trivia are not available right now.")
    return cog


class AnotherFactButton(Button, template=r"film:fact:(?P<topic>any|[a-z][a-z-]{0,30})"):
    """'Another fact', on the same topic as the fact it sits under (if it had one)."""

    def __init__(self, topic: str | None, language: Language = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=t(language, "Another fact"),
                emoji="🎬",
                style=discord.ButtonStyle.primary,
                custom_id=f"film:fact:{topic or 'any'}",
            )
        )
        self.topic = topic

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        topic = match["topic"]
        return cls(None if topic == "any" else topic)

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        await _film_cog(interaction).another_fact(interaction, self.topic)


class TriviaChoiceButton(Button, template=r"trivia:(?P<question>[0-9]{1,18}):(?P<choice>[0-3])"):
    """One of a question's four answers; the custom_id names the question row and the choice."""

    def __init__(
        self,
        question_id: int,
        choice: int,
        label: str = "?",
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, limits.BUTTON_LABEL_MAX),
                style=style,
                disabled=disabled,
                custom_id=f"trivia:{question_id}:{choice}",
            )
        )
        self.question_id = question_id
        self.choice = choice

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        return cls(int(match["question"]), int(match["choice"]))

    async def clicked(self, interaction: discord.Interaction[Any]) -> None:
        await _film_cog(interaction).answer(interaction, self.question_id, self.choice)


class FactTopic(app_commands.Transformer):
    """A /film fact topic or keyword: autocompletes the topics and resolves what was typed (a
    topic, however spelt, else a keyword search) to the facts it selects."""

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> FactQuery:
        return _film_cog(interaction).resolve(value)

    async def autocomplete(
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        return _film_cog(interaction).topic_choices(value, reply_locale(interaction))


BUTTONS = ClickNamespace(
    prefixes=CUSTOM_ID_PREFIXES,
    buttons=(AnotherFactButton, TriviaChoiceButton),
    stale_reply=N_("That button doesn't belong to this message."),
)


def trivia_view(
    question: TriviaQuestion, trivia: Trivia | None, language: Language, *, closed: bool = False
) -> discord.ui.View:
    """The four answer buttons in ``language``; once closed, disabled, the right one in green.

    Each button's custom_id names the choice by index, so a click counts whatever the labels say.
    """
    view = discord.ui.View(timeout=None)
    for index, choice in enumerate(choices_for(question.choices, trivia, language)):
        style = discord.ButtonStyle.secondary
        if closed and index == question.answer_index:
            style = discord.ButtonStyle.success
        view.add_item(TriviaChoiceButton(question.id, index, choice, style=style, disabled=closed))
    return view


def fact_view(topic: str | None, language: Language) -> discord.ui.View:
    return static_view([AnotherFactButton(topic, language)])


@app_commands.guild_only()
class FilmCog(
    commands.GroupCog,
    name="Film",
    group_name="film",
    group_description="K-Pops!, the film: facts, trivia and its leaderboard.",
):
    """Facts, trivia and the film card for K-Pops!."""

    def __init__(self, bot: KpopsBot, content: FilmContent) -> None:
        self.bot = bot
        self.content = content
        self.store = FilmStore(bot.db)
        self.rng = random.Random()
        self.facts_by_id = {fact.id: fact for fact in content.facts}
        self.trivia_by_id = {item.id: item for item in content.trivia}
        self.topics = content.topics()
        self.topic_counts = Counter(t for fact in content.facts for t in fact.topics)
        languages: tuple[Language, ...] = ("en", "ko")
        self.about = {language: about_embed(content.film, language) for language in languages}
        # Facts never change while the bot runs: each card and each topic's button, made once
        # per language.
        self.fact_cards = {
            (language, fact.id): fact_embed(fact, language)
            for language in languages
            for fact in content.facts
        }
        self.fact_views = {
            (language, topic): fact_view(topic, language)
            for language in languages
            for topic in (None, *self.topics)
        }
        # The interaction that asked each open question: its token edits the message even where
        # the bot cannot read the channel. Lost on restart; then the channel message is edited.
        self.askers: dict[int, discord.Interaction[Any]] = {}
        self.close_failures: Counter[int] = Counter()
        self.closing = asyncio.Lock()  # one close round at a time (the loop, or a test)
        self.fact_cooldown = MemberCooldown(FACT_BUTTON_COOLDOWN_SECONDS)
        super().__init__()

    def server_language(self, guild_id: int) -> Language:
        """The language of posts that stay in a server (a trivia question, the daily fact)."""
        guild = self.bot.get_guild(guild_id)
        # The server's /config language setting goes in place of None once it exists.
        return server_locale(None, guild.preferred_locale if guild is not None else None)

    def privacy_hooks(self) -> PrivacyHooks:
        return self.store  # its scoreboard cache is the only thing kept in memory

    async def cog_load(self) -> None:
        self.bot.add_buttons(BUTTONS)
        self.bot.daily.register("fact", self.daily_fact)
        self.closer.start()

    async def cog_unload(self) -> None:
        self.bot.remove_buttons(BUTTONS)
        self.closer.cancel()
        self.bot.daily.unregister("fact")
        await self.store.close()  # the fact rotation's last records

    # ------------------------------------------------------------------ /film about
    @app_commands.command(
        name="about",
        description="The film K-Pops!: director, stars, release, synopsis, screenings and sources.",
    )
    async def about_command(self, interaction: discord.Interaction[KpopsBot]) -> None:
        await interaction.response.send_message(embed=self.about[reply_locale(interaction)])

    # ------------------------------------------------------------------ /film fact
    @app_commands.command(
        name="fact", description="A sourced fact about K-Pops!, at random or on a topic or keyword."
    )
    @app_commands.describe(topic="A topic (cast, music, k-pop, ...) or a word to look for")
    async def fact_command(
        self,
        interaction: discord.Interaction[KpopsBot],
        topic: app_commands.Transform[FactQuery, FactTopic] | None = None,
    ) -> None:
        await self.send_fact(interaction, topic or self.resolve(None))

    def topic_choices(self, current: str, language: Language) -> list[app_commands.Choice[str]]:
        """The topics that fit what is typed so far, each with how many facts it has."""
        typed = clean(current)[:100]
        exact = match_topic(typed, self.topics)
        choices = [
            app_commands.Choice(
                name=t(
                    language,
                    "{topic} ({facts})",
                    topic=topic,
                    facts=tn(language, "{n} fact", "{n} facts", self.topic_counts[topic]),
                ),
                value=topic,
            )
            for topic in self.topics
            if topic == exact or typed in topic
        ]
        return choices[: limits.AUTOCOMPLETE_MAX_CHOICES]

    def resolve(self, query: str | None) -> FactQuery:
        return resolve_fact_query(self.content.facts, self.topics, query)

    async def another_fact(self, interaction: discord.Interaction[Any], topic: str | None) -> None:
        """The "Another fact" button: a public post, so each member waits between clicks."""
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        wait = self.fact_cooldown.wait(guild_id, interaction.user.id, self.bot.clock.now())
        if wait:
            seconds = tn(reply_locale(interaction), "{n} second", "{n} seconds", wait)
            raise UserFacingError(
                "Another fact for you in {seconds}: one every few seconds keeps the channel "
                "readable.",
                seconds=seconds,
            )
        await self.send_fact(interaction, self.resolve(topic))

    async def send_fact(self, interaction: discord.Interaction[Any], selected: FactQuery) -> None:
        """Reply with the server's next fact among those ``selected``, if any."""
        if not selected.facts:
            raise self.no_match(selected.keyword or "")
        fact = await self.next_fact(guild_id_of(interaction, SERVERS_ONLY), selected.facts)
        language = reply_locale(interaction)
        await interaction.response.send_message(
            embed=self.fact_cards[(language, fact.id)],
            view=self.fact_views[(language, selected.topic)],
        )

    def no_match(self, query: str) -> UserFacingError:
        topics = ", ".join(self.topics)
        echo = shown(query, ECHO_MAX, empty="")
        if not echo:
            return UserFacingError(NO_MATCH, topics=topics)
        near = suggest_search(self.content.facts, self.topics, query)
        if near is None:
            return UserFacingError(NO_MATCH_OF, query=echo, topics=topics)
        return UserFacingError(
            NO_MATCH_NEAR, query=echo, near=in_code(near, ECHO_MAX), topics=topics
        )

    async def next_fact(self, guild_id: int, facts: Sequence[Fact]) -> Fact:
        def choose(candidates: Sequence[str], history: Mapping[str, ShowRecord]) -> str:
            return least_shown(candidates, history, self.rng)

        fact_id = await self.store.next_fact(guild_id, [f.id for f in facts], choose)
        return self.facts_by_id[fact_id]

    async def daily_fact(self, guild_id: int, local_date: date) -> DailyPost:
        """The daily post: the server's next fact in the same rotation as /film fact."""
        fact = await self.next_fact(guild_id, self.content.facts)
        language = self.server_language(guild_id)
        title = daily_fact_title(language, local_date)
        return DailyPost(embed=fact_embed(fact, language, title=title))

    # ------------------------------------------------------------------ /film trivia
    @app_commands.command(
        name="trivia",
        description="A multiple-choice question about K-Pops!: answer within 60 seconds to score.",
    )
    async def trivia_command(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id, channel_id = guild_id_of(interaction, SERVERS_ONLY), interaction.channel_id
        assert channel_id is not None  # every guild interaction has its channel
        now = self.bot.clock.now()
        question, created = await self.store.open_question(
            guild_id=guild_id,
            channel_id=channel_id,
            asked_by=interaction.user.id,
            now=now,
            closes_at=now + timedelta(seconds=TRIVIA_SECONDS),
            make=self.new_question,
        )
        if not created:
            closes = moment(question.closes_at, "R")
            if question.message_id is None:
                raise UserFacingError(
                    "A question is already open in this channel: it closes {when}.", when=closes
                )
            raise UserFacingError(
                "A question is already open in this channel ({link}): it closes {when}.",
                link=_jump_url(question),
                when=closes,
            )
        # The question stays in the channel for everyone: it speaks the server's language.
        language = self.server_language(guild_id)
        trivia = self.trivia_by_id.get(question.trivia_id)
        try:
            sent = await interaction.response.send_message(
                embed=trivia_open_embed(question, trivia, language),
                view=trivia_view(question, trivia, language),
            )
        except BaseException:
            await self.store.discard_question(question.id)
            raise
        self.askers[question.id] = interaction
        if sent.message_id is not None:
            await self.store.set_message_id(question.id, sent.message_id)

    def new_question(self, history: Mapping[str, ShowRecord]) -> NewQuestion:
        trivia_id = least_shown(list(self.trivia_by_id), history, self.rng)
        item = self.trivia_by_id[trivia_id]
        choices, answer_index = shuffled_choices(item.answer, item.wrong, self.rng)
        return NewQuestion(item.id, item.question, tuple(choices), answer_index)

    async def answer(
        self, interaction: discord.Interaction[Any], question_id: int, choice: int
    ) -> None:
        """A member's click: the first answer counts; the reply is private, so nothing is spoilt."""
        outcome = await self.store.answer(
            question_id=question_id,
            guild_id=guild_id_of(interaction, SERVERS_ONLY),
            user_id=interaction.user.id,
            choice_index=choice,
            now=self.bot.clock.now(),
        )
        message = ANSWER_REPLIES[outcome]
        reply = t(reply_locale(interaction), message)
        await interaction.response.send_message(reply, ephemeral=True)

    # ------------------------------------------------------------------ closing questions
    @tasks.loop(seconds=CLOSE_CHECK_SECONDS)
    async def closer(self) -> None:
        try:
            await self.close_due()
        except Exception:  # noqa: BLE001 - the loop must outlive one bad round
            log.exception("closing trivia questions failed; trying again shortly")

    @closer.before_loop
    async def before_closer(self) -> None:
        await self.bot.wait_until_ready()

    async def close_due(self) -> int:
        """Show the result of every question past its deadline; returns how many were closed."""
        async with self.closing:
            now = self.bot.clock.now()
            closed = 0
            for question in await self.store.due_questions(now):
                if not await self.store.claim_close(question.id, now):
                    continue
                if await self.show_result(question):
                    closed += 1
                else:
                    await self.store.release_close(question.id)
            return closed

    async def show_result(self, question: TriviaQuestion) -> bool:
        """Edit the question's message to show the result; False to try again later."""
        right, answered = await self.store.answers(question.id)
        trivia = self.trivia_by_id.get(question.trivia_id)
        language = self.server_language(question.guild_id)
        embed = trivia_closed_embed(question, trivia, right, answered, language)
        view = trivia_view(question, trivia, language, closed=True)
        try:
            await self.edit_question_message(question, embed, view)
        except (discord.NotFound, discord.Forbidden) as error:
            # The message or channel is gone, or closed to the bot: nothing left to show it on.
            log.info("trivia question %s: result not shown (%s)", question.id, error.text)
        except discord.HTTPException as error:
            self.close_failures[question.id] += 1
            if self.close_failures[question.id] < CLOSE_ATTEMPTS:
                log.warning("trivia question %s: result not shown yet (%s)", question.id, error)
                return False
            log.error("trivia question %s: giving up on showing the result", question.id)
        self.askers.pop(question.id, None)
        self.close_failures.pop(question.id, None)
        return True

    async def edit_question_message(
        self, question: TriviaQuestion, embed: discord.Embed, view: discord.ui.View
    ) -> None:
        asker = self.askers.get(question.id)
        if asker is not None and discord.utils.utcnow() - asker.created_at < TOKEN_EDIT_WINDOW:
            try:
                await asker.edit_original_response(embed=embed, view=view)
                return
            except discord.NotFound:
                pass  # the token is gone; the channel route below may still work
        if question.message_id is None:
            return  # the message was never confirmed: there is nothing to edit
        channel = self.bot.get_partial_messageable(question.channel_id, guild_id=question.guild_id)
        await channel.get_partial_message(question.message_id).edit(embed=embed, view=view)

    # ------------------------------------------------------------------ /film leaderboard
    @app_commands.command(
        name="leaderboard", description="This server's top 10 at K-Pops! trivia, and your own rank."
    )
    async def leaderboard_command(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild_id = guild_id_of(interaction, SERVERS_ONLY)
        top, standing = await self.store.board(guild_id, interaction.user.id, limit=10)
        language = reply_locale(interaction)
        guild = interaction.guild
        name = guild.name if guild is not None else t(language, "this server")
        await interaction.response.send_message(
            embed=leaderboard_embed(name, top, interaction.user.id, standing, language)
        )


def _jump_url(question: TriviaQuestion) -> str:
    return (
        f"https://discord.com/channels/{question.guild_id}/{question.channel_id}/"
        f"{question.message_id}"
    )
