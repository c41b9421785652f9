"""Looking up and filling the bot's words: ``t``, ``tn`` and ``N_``, plus numbers and dates.

Messages are ``str.format`` templates with named fields. Fields are filled after the lookup, so a
value (a member's input, say) is never read as a template. A message without fields is returned
as it is: its braces need no doubling.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import babel
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.i18n.catalog import Language, translations

DATE_FORMAT = "long"  # one format per language: "December 2, 2026" / "2026년 12월 2일"


def N_(msgid: str) -> str:
    """Mark a module-level constant for extraction; translate it where it is shown, with ``t``."""
    return msgid


def t(language: Language, msgid: str, /, **fields: Any) -> str:
    """``msgid`` in ``language`` (English: the msgid itself), with its ``{fields}`` filled in."""
    text = translations(language).gettext(msgid)
    return text.format(**fields) if fields else text


def tn(language: Language, singular: str, plural: str, n: int, /, **fields: Any) -> str:
    """A message that depends on a count: the language's plural rule picks the form.

    ``{n}`` is the count written the language's way (``1,234``) unless ``n=`` is given.
    """
    text = translations(language).ngettext(singular, plural, n)
    fields.setdefault("n", format_number(language, n))
    return text.format(**fields)


@functools.cache
def _babel_locale(language: Language) -> babel.Locale:
    return babel.Locale.parse(language)


@functools.lru_cache(maxsize=4096)  # counts repeat; Babel's formatting costs ~10 µs a call
def format_number(language: Language, number: float) -> str:
    """A number with the language's grouping and decimal signs."""
    return format_decimal(number, locale=_babel_locale(language))


@functools.lru_cache(maxsize=1024)  # the same few days all day long; Babel's formatting is slow
def format_day(language: Language, day: dt.date) -> str:
    """A calendar day (no time of day: for a moment use ``discord.utils.format_dt``, which each
    reader's Discord shows in their own language and time zone)."""
    return format_date(day, DATE_FORMAT, locale=_babel_locale(language))
