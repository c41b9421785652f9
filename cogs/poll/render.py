"""What a listening poll looks like on Discord: the poll message, the result and the standings.

Every piece of text that came from a user (a moderator's own pick) is shown literally: markdown and
mentions escaped, cut to Discord's limits. Nothing here pings anyone.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot import limits
from bot.ui.style import BRAND, CLOSED, moment
from bot.ui.text import clip, literal
from cogs.poll.content import Matchup, Track
from cogs.poll.logic import (
    SIDE_NAMES,
    Side,
    Standings,
    Tally,
    humanize_delta,
    result_bars,
    verdict,
    votes_phrase,
)
from cogs.poll.store import Poll

CONNECTION_NAMES = {
    "cover": "Cover",
    "sample": "Sample",
    "interpolation": "Interpolation",
    "homage": "Homage, in the artist's own words",
    "critic": "A critic's comparison",
}

HIDDEN_NOTE = "Sides stay hidden until the poll closes, so nobody votes with the crowd."


def vote_button_label(poll: Poll, side: Side) -> str:
    return clip(f"{SIDE_NAMES[side]}: {poll.side_label(side)}", limits.BUTTON_LABEL_MAX)


def jump_url(poll: Poll) -> str | None:
    if poll.message_id is None:
        return None
    return f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"


def track_line(track: Track) -> str:
    title = literal(track.title, 100)
    return f"[{title}]({track.listen}) by {literal(track.artist, 100)} ({track.year})"


def _describe(poll: Poll, matchup: Matchup | None) -> tuple[str, list[tuple[str, str]]]:
    """The description and the track fields, for a pairing from the file or a moderator's pick."""
    if matchup is None:
        description = (
            "The server's own pick: two tracks a moderator chose. Listen to both, then vote."
        )
        fields = [
            ("K-pop", literal(poll.kpop_label, 300)),
            ("Classic", literal(poll.classic_label, 300)),
        ]
        return description, fields
    connection = CONNECTION_NAMES.get(matchup.connection, matchup.connection)
    description = f"**{connection}.** {literal(matchup.note, 300)}"
    if matchup.is_disputed:
        description += f"\n⚠️ **Disputed:** {literal(matchup.disputed, 300)}"
    fields = [
        ("K-pop", track_line(matchup.kpop)),
        ("Classic", track_line(matchup.classic)),
        ("Source", matchup.source.markdown()[: limits.EMBED_FIELD_VALUE_MAX]),
    ]
    return description, fields


def poll_embed(
    poll: Poll, matchup: Matchup | None, *, turnout: int, final: Tally | None = None
) -> discord.Embed:
    """The poll message: both tracks, the connection, and the turnout (or the result once closed)."""
    description, fields = _describe(poll, matchup)
    closed = final is not None
    embed = discord.Embed(
        title="Listening poll: K-pop vs classic" + (" (closed)" if closed else ""),
        description=description,
        colour=CLOSED if closed else BRAND,
    )
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=name != "Source")
    if final is None:
        embed.add_field(
            name="Turnout", value=f"{votes_phrase(turnout)} so far. {HIDDEN_NOTE}", inline=False
        )
        embed.add_field(
            name="Closes",
            value=f"{moment(poll.closes_at)} ({moment(poll.closes_at, 'R')})",
            inline=False,
        )
        embed.set_footer(
            text="Listen to both, then vote. One vote each; click the other side to switch."
        )
    else:
        embed.add_field(
            name="Result",
            value=f"{result_bars(final)}\n{literal(verdict(final, poll.kpop_label, poll.classic_label), 400)}",
            inline=False,
        )
        closed_at = poll.closed_at or poll.closes_at
        embed.add_field(
            name="Turnout",
            value=f"{votes_phrase(final.total)}. Closed {moment(closed_at)}.",
            inline=False,
        )
    return embed


def versus(poll: Poll) -> str:
    """The two sides in bold, as the result and the status both open."""
    return f"**{literal(poll.kpop_label, 300)}** vs **{literal(poll.classic_label, 300)}**"


def result_embed(poll: Poll, final: Tally) -> discord.Embed:
    """The result post: bars drawn in text, the winner, the turnout."""
    embed = discord.Embed(
        title="Listening poll result",
        description=versus(poll),
        colour=BRAND,
    )
    embed.add_field(name="Votes", value=result_bars(final), inline=False)
    embed.add_field(
        name="Winner",
        value=literal(verdict(final, poll.kpop_label, poll.classic_label), 700),
        inline=False,
    )
    how = "at its deadline" if poll.close_reason == "deadline" else "early by a moderator"
    turnout = f"{votes_phrase(final.total)}. Closed {how}."
    url = jump_url(poll)
    if url:
        turnout += f" [The poll]({url})"
    embed.add_field(name="Turnout", value=turnout, inline=False)
    embed.set_footer(text="/poll standings shows this server's record.")
    return embed


def open_status_embed(
    poll: Poll, *, turnout: int, now: datetime, others: list[Poll], own_vote: Side | None
) -> discord.Embed:
    """/poll results while a poll is open: the matchup, turnout and time left, sides hidden."""
    left = poll.closes_at - now
    embed = discord.Embed(
        title="Listening poll in progress",
        description=versus(poll),
        colour=BRAND,
    )
    embed.add_field(name="Turnout", value=votes_phrase(turnout), inline=True)
    embed.add_field(
        name="Time left",
        value=f"{humanize_delta(left)} (closes {moment(poll.closes_at)})",
        inline=True,
    )
    where = f"<#{poll.channel_id}>"
    url = jump_url(poll)
    embed.add_field(
        name="Where", value=f"{where}" + (f" · [vote here]({url})" if url else ""), inline=False
    )
    if own_vote is not None:
        embed.add_field(
            name="Your vote",
            value=f"{SIDE_NAMES[own_vote]}: {literal(poll.side_label(own_vote), 300)}",
            inline=False,
        )
    if others:
        listed = ", ".join(f"<#{p.channel_id}>" for p in others[:10])
        more = f" and {len(others) - 10} more" if len(others) > 10 else ""
        embed.add_field(name="Also open", value=listed + more, inline=False)
    embed.set_footer(text=HIDDEN_NOTE)
    return embed


def standings_embed(guild_name: str, record: Standings) -> discord.Embed:
    embed = discord.Embed(
        title=f"Listening poll standings: {clip(guild_name, 100)}",
        colour=BRAND,
    )
    embed.description = (
        f"**K-pop wins:** {record.kpop_wins} · **Classic wins:** {record.classic_wins} · "
        f"**Ties:** {record.ties}"
        + (f" · **Rounds without votes:** {record.no_votes}" if record.no_votes else "")
    )
    embed.add_field(
        name="Turnout",
        value=(
            f"{votes_phrase(record.total_votes)} over {record.rounds} "
            f"round{'s' if record.rounds != 1 else ''} "
            f"(about {record.average_turnout:.1f} per round)"
        ),
        inline=False,
    )
    if record.closest is not None:
        t = record.closest.tally
        embed.add_field(
            name="Closest matchup",
            value=f"{literal(record.closest.label, 600)}: {t.kpop}–{t.classic}",
            inline=False,
        )
    if record.most_voted is not None:
        t = record.most_voted.tally
        embed.add_field(
            name="Most-voted matchup",
            value=f"{literal(record.most_voted.label, 600)}: {votes_phrase(t.total)} ({t.kpop}–{t.classic})",
            inline=False,
        )
    return embed
