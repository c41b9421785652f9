"""The weekly listening poll's settings: `/config schedule feature:poll` and `/config poll`.

Kept apart from ``cog.py`` so that the weekly poll's words and rules sit in one place; the cog's
commands hand over to these functions. The schedule itself lives in the poll feature's tables
(``cogs.poll.weekly_store``); the channel and the on/off switch are the poll feature's ordinary
settings (``/config channel``, ``/config toggle``).
"""

from __future__ import annotations

from datetime import date, datetime

from discord.app_commands import Choice

from bot.i18n import N_, command_name, format_day, t, tn
from bot.i18n.choice import Language
from bot.scheduler import parse_post_time
from bot.storage.config import FeatureSettings
from bot.ui.style import moment
from cogs.config import timezones
from cogs.poll.weekly import WEEKDAYS, next_weekly_at
from cogs.poll.weekly_store import WeeklySettings, WeeklyStore

LENGTH_MIN, LENGTH_MAX = 1, 168
DAY_NAMES = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}
DAY_CHOICES = [Choice(name=DAY_NAMES[day], value=day) for day in WEEKDAYS]


def day_name(language: Language, weekday: int) -> str:
    name = DAY_NAMES[WEEKDAYS[weekday]]  # an N_ constant: extracted above
    return t(language, name)


async def taken_weeks(store: WeeklyStore, guild_id: int) -> set[date]:
    return {r.week for r in await store.history(guild_id, 4)}


async def schedule_reply(
    language: Language,
    *,
    weekly: WeeklySettings,
    feature: FeatureSettings,
    now: datetime,
    store: WeeklyStore,
) -> str:
    """The confirmation of a weekly schedule just set."""
    assert weekly.weekday is not None and weekly.post_time and weekly.timezone
    lines = [
        t(
            language,
            "The listening poll will open every **{day} at {time} {zone}** ({offset} now) "
            "and stay open {length}.",
            day=day_name(language, weekly.weekday),
            time=weekly.post_time,
            zone=weekly.timezone,
            offset=timezones.utc_offset(weekly.timezone, now),
            length=hours_phrase(language, weekly.length_hours),
        )
    ]
    if feature.channel_id is None:
        lines.append(choose_channel(language))
    elif not feature.enabled:
        lines.append(
            t(
                language,
                "Polls are switched off; turn them on with `{command}`.",
                command=command_name(language, "config toggle"),
            )
        )
    elif (upcoming := await next_line(language, weekly, now, store)) is not None:
        lines.append(upcoming)
    return " ".join(lines)


def choose_channel(language: Language) -> str:
    """The schedule's hint for a feature that has no channel yet."""
    return t(
        language,
        "Choose its channel with `{command}`.",
        command=command_name(language, "config channel"),
    )


async def next_line(
    language: Language, weekly: WeeklySettings, now: datetime, store: WeeklyStore
) -> str | None:
    """When the next weekly poll opens, as a line; None without a complete schedule."""
    post_time = parse_post_time(weekly.post_time or "")
    if weekly.weekday is None or post_time is None or not weekly.timezone:
        return None
    taken = await taken_weeks(store, weekly.guild_id)
    upcoming = next_weekly_at(now, weekly.weekday, post_time, weekly.timezone, taken)
    return t(
        language,
        "Next weekly poll: {when} ({relative})",
        when=moment(upcoming),
        relative=moment(upcoming, "R"),
    )


async def summary_lines(
    language: Language,
    *,
    weekly: WeeklySettings,
    feature: FeatureSettings,
    now: datetime,
    store: WeeklyStore,
) -> list[str]:
    """The weekly poll's lines in `/config show`: schedule, length, next opening, last week."""
    lines: list[str] = []
    if weekly.weekday is None or not weekly.post_time or not weekly.timezone:
        lines.append(
            t(
                language,
                "Weekly poll: not scheduled (`{command}`)",
                command=command_name(language, "config schedule"),
            )
        )
    else:
        lines.append(
            t(
                language,
                "Weekly poll: {day} at {time} {zone}",
                day=day_name(language, weekly.weekday),
                time=weekly.post_time,
                zone=weekly.timezone,
            )
        )
        if feature.enabled and feature.channel_id is not None:
            upcoming = await next_line(language, weekly, now, store)
            if upcoming is not None:
                lines.append(upcoming)
    lines.append(
        t(
            language,
            "Weekly poll length: {length} (`{command}`)",
            length=hours_phrase(language, weekly.length_hours),
            command=command_name(language, "config poll"),
        )
    )
    history = await store.history(weekly.guild_id, 1)
    if history and history[0].detail:  # only a week that did not open has one
        lines.append(
            t(
                language,
                "Week of {day}: {detail}",
                day=format_day(language, history[0].week),
                detail=t(language, history[0].detail)[:200],  # an N_ constant of the poll's
            )
        )
    return lines


async def length_reply(language: Language, hours: int, weekly: WeeklySettings) -> str:
    text = t(language, "Weekly polls now stay open {length}.", length=hours_phrase(language, hours))
    if not weekly.scheduled:
        text = t(
            language,
            "{done} Set the day and time with `{command}`.",
            done=text,
            command=command_name(language, "config schedule"),
        )
    return text


def hours_phrase(language: Language, hours: int) -> str:
    return tn(language, "{n} hour", "{n} hours", hours)


__all__ = [
    "DAY_CHOICES",
    "LENGTH_MAX",
    "LENGTH_MIN",
    "length_reply",
    "schedule_reply",
    "summary_lines",
]
