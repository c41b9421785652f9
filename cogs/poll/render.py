"""What a listening poll looks like on Discord: the poll message, the result and the standings.

Every piece of text that came from a user (a moderator's own pick) is shown literally: markdown and
mentions escaped, cut to Discord's limits. Nothing here pings anyone. Every builder takes the
language it writes in: the server's for public posts, the reader's for replies.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot import limits
from bot.i18n import ENGLISH, N_, Language, command_name, format_number, t, tn
from bot.ui.style import BRAND, CLOSED, moment
from bot.ui.text import clip, literal
from cogs.poll.content import Matchup, Track
from cogs.poll.logic import (
    Side,
    Standings,
    Tally,
    humanize_delta,
    result_bars,
    side_name,
    verdict,
    votes_phrase,
)
from cogs.poll.store import Poll

CONNECTION_NAMES = {
    "cover": N_("Cover"),
    "sample": N_("Sample"),
    "interpolation": N_("Interpolation"),
    "homage": N_("Homage, in the artist's own words"),
    "critic": N_("A critic's comparison"),
}

HIDDEN_NOTE = N_("Sides stay hidden until the poll closes, so nobody votes with the crowd.")
TURNOUT = N_("Turnout")
SOURCE = N_("Source")


def vote_button_label(poll: Poll, side: Side, language: Language = ENGLISH) -> str:
    text = t(
        language, "{side}: {label}", side=side_name(language, side), label=poll.side_label(side)
    )
    return clip(text, limits.BUTTON_LABEL_MAX)


def channel_mention(channel_id: int) -> str:
    return f"<#{channel_id}>"


def jump_url(poll: Poll) -> str | None:
    if poll.message_id is None:
        return None
    return f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"


def track_line(track: Track, language: Language) -> str:
    return t(
        language,
        "[{title}]({link}) by {artist} ({year})",
        title=literal(track.title, 100),
        link=track.listen,
        artist=literal(track.artist, 100),
        year=track.year,
    )


def _describe(
    poll: Poll, matchup: Matchup | None, language: Language
) -> tuple[str, list[tuple[str, str, bool]]]:
    """The description and the (name, value, inline) fields, for a pairing from the file or a
    moderator's pick."""
    kpop, classic = side_name(language, "kpop"), side_name(language, "classic")
    if matchup is None:
        description = t(
            language,
            "The server's own pick: two tracks a moderator chose. Listen to both, then vote.",
        )
        fields = [
            (kpop, literal(poll.kpop_label, 300), True),
            (classic, literal(poll.classic_label, 300), True),
        ]
        return description, fields
    connection = CONNECTION_NAMES.get(matchup.connection)
    note = literal(matchup.note_for(language), 300)
    if matchup.is_translation(language):
        note = t(language, "{note} (translation)", note=note)
    description = t(
        language,
        "**{connection}.** {note}",
        connection=t(language, connection) if connection else matchup.connection,
        note=note,
    )
    if matchup.is_disputed:
        disputed = t(
            language, "⚠️ **Disputed:** {doubt}", doubt=literal(matchup.disputed_for(language), 300)
        )
        description = f"{description}\n{disputed}"
    fields = [
        (kpop, track_line(matchup.kpop, language), True),
        (classic, track_line(matchup.classic, language), True),
        (
            t(language, SOURCE),
            matchup.source_for(language).markdown()[: limits.EMBED_FIELD_VALUE_MAX],
            False,
        ),
    ]
    return description, fields


def poll_embed(
    poll: Poll,
    matchup: Matchup | None,
    *,
    turnout: int,
    final: Tally | None = None,
    language: Language = ENGLISH,
) -> discord.Embed:
    """The poll message: both tracks, the connection, and the turnout (or the result once closed)."""
    description, fields = _describe(poll, matchup, language)
    closed = final is not None
    title = (
        t(language, "Listening poll: K-pop vs classic (closed)")
        if closed
        else t(language, "Listening poll: K-pop vs classic")
    )
    embed = discord.Embed(title=title, description=description, colour=CLOSED if closed else BRAND)
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    if final is None:
        embed.add_field(
            name=t(language, TURNOUT),
            value=t(
                language,
                "{votes} so far. {hidden}",
                votes=votes_phrase(turnout, language),
                hidden=t(language, HIDDEN_NOTE),
            ),
            inline=False,
        )
        embed.add_field(
            name=t(language, "Closes"),
            value=t(
                language,
                "{when} ({relative})",
                when=moment(poll.closes_at),
                relative=moment(poll.closes_at, "R"),
            ),
            inline=False,
        )
        embed.set_footer(
            text=t(
                language,
                "Listen to both, then vote. One vote each; click the other side to switch.",
            )
        )
    else:
        shown = verdict(final, poll.kpop_label, poll.classic_label, language)
        embed.add_field(
            name=t(language, "Result"),
            value=f"{result_bars(final, language)}\n{literal(shown, 400)}",
            inline=False,
        )
        closed_at = poll.closed_at or poll.closes_at
        embed.add_field(
            name=t(language, TURNOUT),
            value=t(
                language,
                "{votes}. Closed {when}.",
                votes=votes_phrase(final.total, language),
                when=moment(closed_at),
            ),
            inline=False,
        )
    return embed


def versus(poll: Poll, language: Language) -> str:
    """The two sides in bold, as the result and the status both open."""
    return t(
        language,
        "**{kpop}** vs **{classic}**",
        kpop=literal(poll.kpop_label, 300),
        classic=literal(poll.classic_label, 300),
    )


def result_embed(poll: Poll, final: Tally, language: Language = ENGLISH) -> discord.Embed:
    """The result post: bars drawn in text, the winner, the turnout."""
    embed = discord.Embed(
        title=t(language, "Listening poll result"),
        description=versus(poll, language),
        colour=BRAND,
    )
    embed.add_field(name=t(language, "Votes"), value=result_bars(final, language), inline=False)
    embed.add_field(
        name=t(language, "Winner"),
        value=literal(verdict(final, poll.kpop_label, poll.classic_label, language), 700),
        inline=False,
    )
    votes = votes_phrase(final.total, language)
    if poll.close_reason == "deadline":
        turnout = t(language, "{votes}. Closed at its deadline.", votes=votes)
    else:
        turnout = t(language, "{votes}. Closed early by a moderator.", votes=votes)
    url = jump_url(poll)
    if url:
        turnout = t(language, "{turnout} [The poll]({link})", turnout=turnout, link=url)
    embed.add_field(name=t(language, TURNOUT), value=turnout, inline=False)
    embed.set_footer(
        text=t(
            language,
            "{command} shows this server's record.",
            command=command_name(language, "poll standings"),
        )
    )
    return embed


def open_status_embed(
    poll: Poll,
    *,
    turnout: int,
    now: datetime,
    others: list[Poll],
    own_vote: Side | None,
    language: Language = ENGLISH,
) -> discord.Embed:
    """/poll results while a poll is open: the matchup, turnout and time left, sides hidden."""
    left = poll.closes_at - now
    embed = discord.Embed(
        title=t(language, "Listening poll in progress"),
        description=versus(poll, language),
        colour=BRAND,
    )
    embed.add_field(name=t(language, TURNOUT), value=votes_phrase(turnout, language), inline=True)
    embed.add_field(
        name=t(language, "Time left"),
        value=t(
            language,
            "{left} (closes {when})",
            left=humanize_delta(left, language),
            when=moment(poll.closes_at),
        ),
        inline=True,
    )
    where = channel_mention(poll.channel_id)
    url = jump_url(poll)
    embed.add_field(
        name=t(language, "Where"),
        value=t(language, "{channel} · [vote here]({link})", channel=where, link=url)
        if url
        else where,
        inline=False,
    )
    if own_vote is not None:
        embed.add_field(
            name=t(language, "Your vote"),
            value=t(
                language,
                "{side}: {label}",
                side=side_name(language, own_vote),
                label=literal(poll.side_label(own_vote), 300),
            ),
            inline=False,
        )
    if others:
        listed = ", ".join(channel_mention(p.channel_id) for p in others[:10])
        if len(others) > 10:
            listed = tn(
                language,
                "{channels} and {n} more",
                "{channels} and {n} more",
                len(others) - 10,
                channels=listed,
            )
        embed.add_field(name=t(language, "Also open"), value=listed, inline=False)
    embed.set_footer(text=t(language, HIDDEN_NOTE))
    return embed


def standings_embed(
    guild_name: str, record: Standings, language: Language = ENGLISH
) -> discord.Embed:
    embed = discord.Embed(
        title=t(language, "Listening poll standings: {server}", server=clip(guild_name, 100)),
        colour=BRAND,
    )
    number = format_number
    description = t(
        language,
        "**K-pop wins:** {kpop} · **Classic wins:** {classic} · **Ties:** {ties}",
        kpop=number(language, record.kpop_wins),
        classic=number(language, record.classic_wins),
        ties=number(language, record.ties),
    )
    if record.no_votes:
        description = t(
            language,
            "{record} · **Rounds without votes:** {empty}",
            record=description,
            empty=number(language, record.no_votes),
        )
    embed.description = description
    embed.add_field(
        name=t(language, TURNOUT),
        value=tn(
            language,
            "{votes} over {n} round (about {average} per round)",
            "{votes} over {n} rounds (about {average} per round)",
            record.rounds,
            votes=votes_phrase(record.total_votes, language),
            average=number(language, round(record.average_turnout, 1)),
        ),
        inline=False,
    )
    if record.closest is not None:
        tally = record.closest.tally
        embed.add_field(
            name=t(language, "Closest matchup"),
            value=f"{literal(record.closest.label, 600)}: {tally.kpop}–{tally.classic}",
            inline=False,
        )
    if record.most_voted is not None:
        tally = record.most_voted.tally
        embed.add_field(
            name=t(language, "Most-voted matchup"),
            value=t(
                language,
                "{matchup}: {votes} ({kpop}–{classic})",
                matchup=literal(record.most_voted.label, 600),
                votes=votes_phrase(tally.total, language),
                kpop=tally.kpop,
                classic=tally.classic,
            ),
            inline=False,
        )
    return embed
