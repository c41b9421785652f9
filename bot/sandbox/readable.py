"""Discord's markup as a member's client shows it: mentions as names, timestamps as times.

The sandbox prints messages as text; ``<@123>``, ``<#456>``, ``<@&789>`` and ``<t:1700000000:R>``
would otherwise reach the terminal as raw ids and numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.sandbox.state import Guild

_MARKUP = re.compile(r"<(@!?|#|@&)(\d+)>|<t:(-?\d+)(?::([tTdDfFR]))?>")


@dataclass
class Readable:
    """Turns markup into names and times for one server, at the emulator's ``now``."""

    guild: Guild
    now: float

    def text(self, text: str) -> str:
        return _MARKUP.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        kind, ident, stamp, style = match.groups()
        if stamp is not None:
            return timestamp(int(stamp), style or "f", self.now)
        target = int(ident)
        if kind == "#":
            channel = self.guild.channels.get(target)
            return f"#{channel.name}" if channel else "#unknown-channel"
        if kind == "@&":
            role = self.guild.roles.get(target)
            return f"@{role.name}" if role else "@unknown-role"
        member = self.guild.members.get(target)
        return f"@{member.user.username}" if member else "@unknown-user"


def timestamp(seconds: int, style: str, now: float) -> str:
    """A ``<t:…>`` timestamp as Discord's styles show it, in UTC (the sandbox has no locale)."""
    when = datetime.fromtimestamp(seconds, UTC)
    if style == "R":
        return relative(seconds - now)
    day = f"{when.day} {when:%B %Y}"
    shown = {
        "t": f"{when:%H:%M}",
        "T": f"{when:%H:%M:%S}",
        "d": f"{when:%Y-%m-%d}",
        "D": day,
        "f": f"{day} {when:%H:%M}",
        "F": f"{when:%A} {day} {when:%H:%M}",
    }
    return f"{shown[style]} UTC"


def relative(delta: float) -> str:
    """``in 3 hours`` / ``5 minutes ago``, rounded as Discord rounds (to the largest unit)."""
    seconds = abs(delta)
    units = (
        ("year", 31_536_000),
        ("month", 2_592_000),
        ("day", 86_400),
        ("hour", 3600),
        ("minute", 60),
        ("second", 1),
    )
    unit, size = next(((u, n) for u, n in units if seconds >= n), ("second", 1))
    count = max(1, round(seconds / size))
    amount = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {amount}" if delta >= 0 else f"{amount} ago"
