"""The listening poll's pure logic: tallies, text bars, winners, standings and picking a pairing.

No Discord and no SQL here, so every rule can be unit-tested on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.i18n import ENGLISH, N_, Language, t, tn
from bot.ui.text import clip

Side = Literal["kpop", "classic"]
SIDES: tuple[Side, ...] = ("kpop", "classic")
SIDE_NAMES: dict[Side, str] = {"kpop": N_("K-pop"), "classic": N_("Classic")}

BAR_WIDTH = 20
BAR_FULL = "█"
BAR_EMPTY = "░"

# Invisible characters that would let a "name" look empty or impersonate another.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202f\u205f-\u206f\ufeff\u00ad\u180e]")
_SPACES = re.compile(r"\s+")


def parse_side(text: str) -> Side | None:
    """The side a custom_id names, or None for anything else."""
    if text == "kpop":
        return "kpop"
    if text == "classic":
        return "classic"
    return None


@dataclass(frozen=True, slots=True)
class Tally:
    kpop: int
    classic: int

    @property
    def total(self) -> int:
        return self.kpop + self.classic

    def votes(self, side: Side) -> int:
        return self.kpop if side == "kpop" else self.classic

    def percentages(self) -> tuple[int, int]:
        """Whole percentages for (kpop, classic) that always add up to 100 (0, 0 without votes)."""
        if self.total == 0:
            return 0, 0
        kpop = round(100 * self.kpop / self.total)
        return kpop, 100 - kpop

    @property
    def winner(self) -> Side | None:
        """The side with more votes; None for a tie (including no votes at all)."""
        if self.kpop > self.classic:
            return "kpop"
        if self.classic > self.kpop:
            return "classic"
        return None

    @property
    def margin(self) -> int:
        return abs(self.kpop - self.classic)


def bar(votes: int, total: int, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` blocks, filled in proportion to votes/total."""
    if total <= 0:
        filled = 0
    else:
        filled = round(width * votes / total)
        # Any vote shows at least one block, and anything short of all votes leaves one empty.
        if votes > 0:
            filled = max(filled, 1)
        if votes < total:
            filled = min(filled, width - 1)
    return BAR_FULL * filled + BAR_EMPTY * (width - filled)


def side_name(language: Language, side: Side) -> str:
    """ "K-pop" or "Classic" in ``language``."""
    name = SIDE_NAMES[side]  # an N_ constant: extracted above
    return t(language, name)


def result_bars(tally: Tally, language: Language = ENGLISH) -> str:
    """Two aligned lines of bars with percentages and counts, in a code block for alignment."""
    kpop_pct, classic_pct = tally.percentages()
    names = [side_name(language, side) for side in SIDES]
    # Pad by display width: a Hangul syllable takes two columns in Discord's monospace font.
    width = max(_columns(name) for name in names)
    pads = [name + " " * (width - _columns(name)) for name in names]
    lines = [
        f"{pads[0]} {bar(tally.kpop, tally.total)} {kpop_pct:>3}% ({tally.kpop})",
        f"{pads[1]} {bar(tally.classic, tally.total)} {classic_pct:>3}% ({tally.classic})",
    ]
    return "```\n" + "\n".join(lines) + "\n```"


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def votes_phrase(count: int, language: Language = ENGLISH) -> str:
    return tn(language, "{n} vote", "{n} votes", count)


def verdict(tally: Tally, kpop_label: str, classic_label: str, language: Language = ENGLISH) -> str:
    """One line naming the winner, a tie, or a round nobody voted in."""
    if tally.total == 0:
        return t(language, "No votes were cast in this round.")
    winner = tally.winner
    if winner is None:
        return t(language, "It's a tie at {votes} each.", votes=votes_phrase(tally.kpop, language))
    label = kpop_label if winner == "kpop" else classic_label
    return t(
        language,
        "{side} wins: {label}, by {votes}.",
        side=side_name(language, winner),
        label=label,
        votes=votes_phrase(tally.margin, language),
    )


def clean_pick(text: str, limit: int) -> str:
    """A moderator's free-text track name: invisible characters removed, spaces collapsed,
    cut to ``limit`` characters with an ellipsis. Markdown and mentions are escaped by the caller
    where the text is shown; here the words are kept as given."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    text = _SPACES.sub(" ", text).strip()
    return clip(text, limit)


def next_matchup(ids: Sequence[str], last_used: Mapping[str, datetime]) -> tuple[str, bool] | None:
    """The next pairing for a server: the first one (in file order) it has not used yet.

    When every pairing has been used, the round starts again with the least recently used one;
    the flag is True in that case. None when there are no pairings at all.
    """
    if not ids:
        return None
    for matchup_id in ids:
        if matchup_id not in last_used:
            return matchup_id, False
    oldest = min(ids, key=lambda mid: (last_used[mid], ids.index(mid)))
    return oldest, True


def humanize_delta(delta: timedelta, language: Language = ENGLISH) -> str:
    """'2 d 3 h', '5 h 12 min', '4 min', 'less than a minute' (Korean: '2일 3시간', '4분')."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return t(language, "less than a minute")
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        if hours:
            return t(language, "{days} d {hours} h", days=days, hours=hours)
        return t(language, "{days} d", days=days)
    if hours:
        if minutes:
            return t(language, "{hours} h {minutes} min", hours=hours, minutes=minutes)
        return t(language, "{hours} h", hours=hours)
    return t(language, "{minutes} min", minutes=minutes)


@dataclass(frozen=True, slots=True)
class Round:
    """One closed round as the standings see it."""

    poll_id: int
    label: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class Standings:
    rounds: int
    kpop_wins: int
    classic_wins: int
    ties: int
    no_votes: int
    total_votes: int
    closest: Round | None
    most_voted: Round | None

    @property
    def average_turnout(self) -> float:
        return self.total_votes / self.rounds if self.rounds else 0.0


def standings(rounds: Iterable[Round]) -> Standings:
    """A server's record over its closed rounds.

    A tie needs votes; a round nobody voted in counts apart. The closest round is the smallest
    margin among rounds with votes (more votes breaks the tie: a 50-49 beats a 1-0); the most
    voted is the highest turnout (the earlier round wins a tie).
    """
    items = list(rounds)
    voted = [r for r in items if r.tally.total > 0]
    closest = min(voted, key=lambda r: (r.tally.margin, -r.tally.total, r.poll_id), default=None)
    most = min(voted, key=lambda r: (-r.tally.total, r.poll_id), default=None)
    return Standings(
        rounds=len(items),
        kpop_wins=sum(1 for r in voted if r.tally.winner == "kpop"),
        classic_wins=sum(1 for r in voted if r.tally.winner == "classic"),
        ties=sum(1 for r in voted if r.tally.winner is None),
        no_votes=len(items) - len(voted),
        total_votes=sum(r.tally.total for r in items),
        closest=closest,
        most_voted=most,
    )
