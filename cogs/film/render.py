"""The embeds /film sends: the film card, a fact, a trivia question (open and closed), the leaderboard.

Every builder keeps within Discord's embed limits (bot.limits) whatever the content holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import discord

from bot import limits
from bot.i18n import Language, format_day, t, tn
from bot.ui.style import BRAND, CLOSED, moment
from bot.ui.text import clip, source_line, translation_mark
from cogs.film.content import Fact, Film, Trivia
from cogs.film.logic import choices_for, competition_ranks, pack_lines
from cogs.film.store import Score, Standing, TriviaQuestion

# Room kept free below the 6,000-character total for the footer.
_FOOTER_RESERVE = 150
# The synopsis is a paragraph (the content check allows 700 characters); never more than this.
SYNOPSIS_SHOWN_MAX = 1500


def _room(embed: discord.Embed) -> int:
    """Characters still free in the embed's 6,000 total (the footer's share kept aside)."""
    return limits.EMBED_TOTAL_MAX - _FOOTER_RESERVE - len(embed)


def _add_field(embed: discord.Embed, name: str, value: str, *, inline: bool = False) -> bool:
    """One field, its value cut to what fits; False if there is no room left for it."""
    room = min(limits.EMBED_FIELD_VALUE_MAX, _room(embed) - len(name))
    if room < 20 or len(embed.fields) >= limits.EMBED_FIELDS_MAX or not value.strip():
        return False
    embed.add_field(name=name, value=clip(value, room), inline=inline)
    return True


def _add_lines(embed: discord.Embed, language: Language, name: str, lines: Sequence[str]) -> int:
    """Lines as one or more fields (never splitting a line, so links stay whole).

    Returns how many lines did not fit.
    """
    shown = 0
    for index, group in enumerate(pack_lines(lines, limits.EMBED_FIELD_VALUE_MAX)):
        title = name if index == 0 else t(language, "{name} (continued)", name=name)
        value = "\n".join(group)
        if len(title) + len(value) > _room(embed) or len(embed.fields) >= limits.EMBED_FIELDS_MAX:
            break
        if value.strip():
            embed.add_field(name=title, value=value, inline=False)
        shown += len(group)
    return len(lines) - shown


def about_embed(film: Film, language: Language) -> discord.Embed:
    """The film card: title, director, writers, stars, release, synopsis, screenings, sources,
    its content in the reader's language (a translation says so under the sources)."""
    embed = discord.Embed(
        title=clip(film.title, limits.EMBED_TITLE_MAX),
        description=clip(film.synopsis_for(language), SYNOPSIS_SHOWN_MAX),
        colour=BRAND,
    )
    if film.sources:
        embed.url = film.sources[0].url
    left = 0
    for name, value, inline in (
        (t(language, "Directed by"), film.director, True),
        (t(language, "Written by"), ", ".join(film.writers), True),
        (t(language, "Release"), film.release_for(language), False),
    ):
        left += 0 if _add_field(embed, name, value, inline=inline) else 1
    cast = [
        t(language, "**{actor}** as {role}", actor=m.actor, role=m.role_for(language))
        for m in film.cast
    ]
    left += _add_lines(embed, language, t(language, "Starring"), cast)
    screenings = [f"{s.date}: {s.event} ({s.note_for(language)})" for s in film.screenings]
    left += _add_lines(embed, language, t(language, "Screened at"), screenings)
    mark = translation_mark(language, film.is_translation(language))
    sources = [source_line(s, language) + mark for s in film.sources]
    sources_left = _add_lines(embed, language, t(language, "Sources"), sources)
    production = [f"• {note}" for note in film.production_for(language)]
    left += _add_lines(embed, language, t(language, "Production"), production)
    if sources_left:
        footer = tn(
            language,
            "{n} more source did not fit here. Every fact in /film fact carries its own source.",
            "{n} more sources did not fit here. Every fact in /film fact carries its own source.",
            sources_left,
        )
    elif left:
        footer = t(
            language,
            "Some details did not fit here. Every fact in /film fact carries its own source.",
        )
    else:
        footer = t(language, "Every fact in /film fact carries its own source.")
    embed.set_footer(text=footer)
    return embed


def fact_embed(fact: Fact, language: Language, *, title: str | None = None) -> discord.Embed:
    """One fact in the reader's language, its source as a link (the title links there too, and
    a translation says so) and its topics."""
    text = fact.text_for(language)
    if fact.as_of:
        text += "\n*" + t(language, "As of {date}.", date=fact.as_of) + "*"
    embed = discord.Embed(
        title=clip(title or t(language, "Did you know?"), limits.EMBED_TITLE_MAX),
        url=fact.source_for(language).url,
        description=clip(text, limits.EMBED_DESCRIPTION_MAX),
        colour=BRAND,
    )
    mark = translation_mark(language, fact.is_translation(language))
    source = clip(source_line(fact.source_for(language), language) + mark, 1024)
    embed.add_field(name=t(language, "Source"), value=source, inline=False)
    topics = ", ".join(fact.topics)
    embed.set_footer(text=t(language, "K-Pops! · topics: {topics}", topics=topics))
    return embed


def daily_fact_title(language: Language, day: date) -> str:
    return t(language, "Fact of the day · {day}", day=format_day(language, day))


def question_text(question: TriviaQuestion, trivia: Trivia | None, language: Language) -> str:
    """The question in the reader's language (as stored when its entry is gone)."""
    return question.question if trivia is None else trivia.question_for(language)


def trivia_open_embed(
    question: TriviaQuestion, trivia: Trivia | None, language: Language
) -> discord.Embed:
    closes = moment(question.closes_at, "R")
    pick = t(
        language,
        "Pick an answer below: each member's first answer counts. Closes {when}.",
        when=closes,
    )
    embed = discord.Embed(
        title=t(language, "K-Pops! trivia"),
        description=f"**{clip(question_text(question, trivia, language), 1000)}**\n\n{pick}",
        colour=BRAND,
    )
    footer = t(language, "Question {id} · a right answer scores a point", id=question.id)
    embed.set_footer(text=footer)
    return embed


def _and_more(language: Language, names: str, more: int) -> str:
    return tn(language, "{names} and {n} more", "{names} and {n} more", more, names=names)


def _names(
    language: Language, user_ids: Sequence[int], limit: int = limits.EMBED_FIELD_VALUE_MAX
) -> str:
    """Mentions inside an embed (embeds never ping), cut with 'and N more' to fit a field."""
    shown: list[str] = []
    reserve = len(_and_more(language, "", len(user_ids)))
    for index, user_id in enumerate(user_ids):
        if len(", ".join([*shown, f"<@{user_id}>"])) + reserve > limit:
            return _and_more(language, ", ".join(shown), len(user_ids) - index)
        shown.append(f"<@{user_id}>")
    return ", ".join(shown)


def trivia_closed_embed(
    question: TriviaQuestion,
    trivia: Trivia | None,
    right: Sequence[int],
    answered: int,
    language: Language,
) -> discord.Embed:
    """The result: the right answer, why, its source (a translation says so) and who got it."""
    answer = choices_for(question.choices, trivia, language)[question.answer_index]
    text = question_text(question, trivia, language)
    lines = [f"**{clip(text, 1000)}**", "", f"✅ **{answer}**"]
    if trivia is not None:
        lines.append(trivia.explanation_for(language))
    embed = discord.Embed(
        title=t(language, "K-Pops! trivia · closed"),
        description=clip("\n".join(lines), limits.EMBED_DESCRIPTION_MAX),
        colour=CLOSED,
    )
    if trivia is not None:
        mark = translation_mark(language, trivia.is_translation(language))
        source = clip(source_line(trivia.source_for(language), language) + mark, 1024)
        embed.add_field(name=t(language, "Source"), value=source)
    got_it = _names(language, right) if right else t(language, "Nobody this time.")
    got_it_title = t(
        language, "Got it right ({right} of {answered})", right=len(right), answered=answered
    )
    embed.add_field(name=got_it_title, value=got_it, inline=False)
    footer = t(language, "Question {id} · start another with /film trivia", id=question.id)
    embed.set_footer(text=footer)
    return embed


def _points(language: Language, n: int) -> str:
    return tn(language, "{n} point", "{n} points", n)


def _answered(language: Language, n: int) -> str:
    return tn(language, "{n} answered", "{n} answered", n)


def leaderboard_embed(
    server_name: str,
    top: Sequence[Score],
    caller_id: int,
    standing: Standing | None,
    language: Language,
) -> discord.Embed:
    """The top scorers (tied points share a rank) and the caller's own place."""
    ranks = competition_ranks([s.points for s in top])
    lines = [
        f"**{rank}.** <@{s.user_id}> · {_points(language, s.points)} "
        f"({_answered(language, s.answered)})"
        for rank, s in zip(ranks, top, strict=True)
    ]
    title = t(language, "Trivia leaderboard · {server}", server=server_name)
    empty = t(language, "Nobody has scored yet: start a question with /film trivia.")
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        description="\n".join(lines) or empty,
        colour=BRAND,
    )
    member = f"<@{caller_id}>"
    if standing is None:
        mine = t(language, "{member}: no answers yet. Try /film trivia!", member=member)
    elif standing.score.points == 0:
        mine = t(
            language,
            "{member}: no points yet ({answered}). Keep trying!",
            member=member,
            answered=_answered(language, standing.score.answered),
        )
    else:
        mine = t(
            language,
            "{member}: #{rank} with {points} ({answered})",
            member=member,
            rank=standing.rank,
            points=_points(language, standing.score.points),
            answered=_answered(language, standing.score.answered),
        )
    embed.add_field(name=t(language, "Your rank"), value=mine, inline=False)
    return embed
