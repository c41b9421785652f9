"""The one place that decides how text reaches Discord.

Text a member typed (a search, a name, a track title) and curated text are shown *literally*:
markdown and mention syntax are escaped, never rendered, so nothing a member types can format a
reply, ping anyone or forge a link. Member text is also cleaned (invisible and control
characters dropped, spaces collapsed) and clipped, with an ellipsis as the mark of the cut.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import discord

from bot.content.common import Source
from bot.i18n import ENGLISH, Language, t

ELLIPSIS = "…"
# Characters that take no room yet change what is read: zero-width spaces and joiners, marks
# that flip the direction of text, soft hyphens and byte-order marks (all Unicode category Cf),
# and control characters (Cc).
_HIDDEN_CATEGORIES = frozenset({"Cf", "Cc"})
_SPACES = re.compile(r"\s+")


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


@functools.lru_cache(maxsize=4096)  # the same labels, names and notes are escaped again and again
def escape(text: str) -> str:
    """Text shown as typed: markdown, mentions and ``<...>`` syntax escaped, not rendered."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text)).replace("<", "\\<")


def visible(text: str, limit: int) -> str:
    """What a member typed, on one line: hidden characters dropped, spaces collapsed, clipped."""
    # Look at a bounded prefix only: a 10,000-character input costs no more than a short one.
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text[: limit * 4 + 16]
        if ch.isspace() or unicodedata.category(ch) not in _HIDDEN_CATEGORIES
    )
    return clip(_SPACES.sub(" ", kept).strip(), limit)


def shown(text: str, limit: int, *, empty: str = "(nothing)") -> str:
    """Member-typed text made safe to show in a reply: at most ``limit`` characters, escaped.

    Escaping can lengthen the text, so fewer characters are kept until the escaped text fits;
    a cut never leaves half an escape behind.
    """
    keep = limit
    while True:
        out = escape(visible(text, keep))
        if len(out) <= limit or keep <= 1:
            return (out if len(out) <= limit else "") or empty
        keep -= max(1, len(out) - limit)


def literal(text: str, limit: int) -> str:
    """Curated or stored text (a note, a quote, a server's name) shown as written: line breaks
    kept, escaped, and at most ``limit`` characters."""
    keep = limit
    while True:
        out = escape(clip(text, keep))
        if len(out) <= limit or keep <= 1:
            return out if len(out) <= limit else ""
        keep -= max(1, len(out) - limit)


def in_code(text: str, limit: int, *, empty: str = "(empty)") -> str:
    """Member-typed text for a code span (`like this`): Discord shows a code span literally,
    so markdown needs no escaping; the backticks that would end it are replaced, and mention
    syntax is still broken up so no client highlights it."""
    quoted = discord.utils.escape_mentions(visible(text, limit).replace("`", "'"))
    return clip(quoted, limit) or empty


def masked_link(label: str, url: str) -> str:
    """A ``[label](url)`` link whose label and URL cannot break out of the markdown."""
    safe_url = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{escape(label).replace('[', '(').replace(']', ')')}]({safe_url})"


def translation_mark(language: Language, translated: bool) -> str:
    """A short note after a source line when the text shown is our translation of it."""
    return " " + t(language, "(translated)") if translated else ""


def source_line(source: Source, language: Language = ENGLISH) -> str:
    """Where a piece of content comes from: [Publication, date](url), and the reprint read."""
    line = masked_link(f"{source.publication}, {source.date}", source.url)
    if not source.via:
        return line
    return t(language, "{source} (reprinted by {reprint})", source=line, reprint=escape(source.via))
