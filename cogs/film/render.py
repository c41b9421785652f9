"""The embeds /film sends: the film card, a fact, a trivia question (open and closed), the leaderboard.

Every builder keeps within Discord's embed limits (bot.limits) whatever the content holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import discord

from bot import limits
from bot.ui.style import BRAND, CLOSED, calendar_day, moment
from bot.ui.text import clip, counted, source_line
from cogs.film.content import Fact, Film, Trivia
from cogs.film.logic import competition_ranks, pack_lines
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


def _add_lines(embed: discord.Embed, name: str, lines: Sequence[str]) -> int:
    """Lines as one or more fields (never splitting a line, so links stay whole).

    Returns how many lines did not fit.
    """
    shown = 0
    for index, group in enumerate(pack_lines(lines, limits.EMBED_FIELD_VALUE_MAX)):
        title = name if index == 0 else f"{name} (continued)"
        value = "\n".join(group)
        if len(title) + len(value) > _room(embed) or len(embed.fields) >= limits.EMBED_FIELDS_MAX:
            break
        if value.strip():
            embed.add_field(name=title, value=value, inline=False)
        shown += len(group)
    return len(lines) - shown


def about_embed(film: Film) -> discord.Embed:
    """The film card: title, director, writers, stars, release, synopsis, screenings, sources."""
    embed = discord.Embed(
        title=clip(film.title, limits.EMBED_TITLE_MAX),
        description=clip(film.synopsis, SYNOPSIS_SHOWN_MAX),
        colour=BRAND,
    )
    if film.sources:
        embed.url = film.sources[0].url
    left = 0
    for name, value, inline in (
        ("Directed by", film.director, True),
        ("Written by", ", ".join(film.writers), True),
        ("Release", film.release, False),
    ):
        left += 0 if _add_field(embed, name, value, inline=inline) else 1
    left += _add_lines(embed, "Starring", [f"**{m.actor}** as {m.role}" for m in film.cast])
    left += _add_lines(
        embed, "Screened at", [f"{s.date}: {s.event} ({s.note})" for s in film.screenings]
    )
    sources_left = _add_lines(embed, "Sources", [source_line(s) for s in film.sources])
    left += _add_lines(embed, "Production", [f"• {note}" for note in film.production])
    footer = "Every fact in /film fact carries its own source."
    if sources_left:
        footer = f"{counted(sources_left, 'more source')} did not fit here. {footer}"
    elif left:
        footer = f"Some details did not fit here. {footer}"
    embed.set_footer(text=footer)
    return embed


def fact_embed(fact: Fact, *, title: str = "Did you know?") -> discord.Embed:
    """One fact, its source as a link (the title links there too) and its topics."""
    text = fact.text
    if fact.as_of:
        text += f"\n*As of {fact.as_of}.*"
    embed = discord.Embed(
        title=clip(title, limits.EMBED_TITLE_MAX),
        url=fact.source.url,
        description=clip(text, limits.EMBED_DESCRIPTION_MAX),
        colour=BRAND,
    )
    embed.add_field(name="Source", value=clip(source_line(fact.source), 1024), inline=False)
    embed.set_footer(text=f"K-Pops! · topics: {', '.join(fact.topics)}")
    return embed


def daily_fact_title(day: date) -> str:
    return f"Fact of the day · {calendar_day(day)}"


def trivia_open_embed(question: TriviaQuestion) -> discord.Embed:
    closes = moment(question.closes_at, "R")
    embed = discord.Embed(
        title="K-Pops! trivia",
        description=(
            f"**{clip(question.question, 1000)}**\n\n"
            f"Pick an answer below: each member's first answer counts. Closes {closes}."
        ),
        colour=BRAND,
    )
    embed.set_footer(text=f"Question {question.id} · a right answer scores a point")
    return embed


def _names(user_ids: Sequence[int], limit: int = limits.EMBED_FIELD_VALUE_MAX) -> str:
    """Mentions inside an embed (embeds never ping), cut with 'and N more' to fit a field."""
    shown: list[str] = []
    reserve = len(f" and {len(user_ids)} more")
    for index, user_id in enumerate(user_ids):
        if len(", ".join([*shown, f"<@{user_id}>"])) + reserve > limit:
            return f"{', '.join(shown)} and {len(user_ids) - index} more"
        shown.append(f"<@{user_id}>")
    return ", ".join(shown)


def trivia_closed_embed(
    question: TriviaQuestion, trivia: Trivia | None, right: Sequence[int], answered: int
) -> discord.Embed:
    """The result: the right answer, why, its source and who got it."""
    lines = [f"**{clip(question.question, 1000)}**", "", f"✅ **{question.answer}**"]
    if trivia is not None:
        lines.append(trivia.explanation)
    embed = discord.Embed(
        title="K-Pops! trivia · closed",
        description=clip("\n".join(lines), limits.EMBED_DESCRIPTION_MAX),
        colour=CLOSED,
    )
    if trivia is not None:
        embed.add_field(name="Source", value=clip(source_line(trivia.source), 1024))
    got_it = _names(right) if right else "Nobody this time."
    embed.add_field(name=f"Got it right ({len(right)} of {answered})", value=got_it, inline=False)
    embed.set_footer(text=f"Question {question.id} · start another with /film trivia")
    return embed


def _points(n: int) -> str:
    return counted(n, "point")


def leaderboard_embed(
    server_name: str, top: Sequence[Score], caller_id: int, standing: Standing | None
) -> discord.Embed:
    """The top scorers (tied points share a rank) and the caller's own place."""
    ranks = competition_ranks([s.points for s in top])
    lines = [
        f"**{rank}.** <@{s.user_id}> · {_points(s.points)} ({s.answered} answered)"
        for rank, s in zip(ranks, top, strict=True)
    ]
    embed = discord.Embed(
        title=clip(f"Trivia leaderboard · {server_name}", limits.EMBED_TITLE_MAX),
        description="\n".join(lines)
        or "Nobody has scored yet: start a question with /film trivia.",
        colour=BRAND,
    )
    if standing is None:
        mine = f"<@{caller_id}>: no answers yet. Try /film trivia!"
    elif standing.score.points == 0:
        mine = f"<@{caller_id}>: no points yet ({standing.score.answered} answered). Keep trying!"
    else:
        mine = (
            f"<@{caller_id}>: #{standing.rank} with {_points(standing.score.points)} "
            f"({standing.score.answered} answered)"
        )
    embed.add_field(name="Your rank", value=mine, inline=False)
    return embed
