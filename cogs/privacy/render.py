"""What /privacy shows: the member's data per feature, the confirmation, and what was deleted.

Every user-facing string of the privacy feature lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot import limits
from bot.i18n import N_, Language, t
from bot.privacy import FeatureData, Holding
from bot.ui import text
from bot.ui.style import BRAND

LINE_CHARS = 120

SHOW_TITLE = N_("What kpops-bot keeps about you in this server")
SHOW_TITLE_OTHER = N_("What kpops-bot keeps about this member in this server")
NOTHING_KEPT = N_(
    "Nothing: kpops-bot keeps no votes, answers, quotes or settings changes of yours here."
)
NOTHING_KEPT_OTHER = N_("Nothing: kpops-bot keeps no data about this member in this server.")
HOW_TO_DELETE = N_("`/privacy delete` erases it (you confirm first).")
POLICY_LINK = N_("What is kept, why and for how long: [privacy policy]({url}).")
POLICY_MISSING = N_(
    "What is kept, why and for how long: PRIVACY.md in kpops-bot's source (whoever runs this bot "
    "can publish it and add its link in the Discord Developer Portal)."
)
CONFIRM_TEXT = N_(
    "This deletes your data in this server at once, for every feature listed, and cannot be "
    "undone. Quotes, polls and settings changes stay for the server with the member's id removed; "
    "closed poll results and everyone else's scores are not changed. Confirm {expiry}."
)
CONFIRM_TEXT_OTHER = N_(
    "This deletes this member's data in this server at once, for every feature listed, and cannot "
    "be undone. Quotes, polls and settings changes stay for the server with the member's id "
    "removed; closed poll results and everyone else's scores are not changed. Confirm {expiry}."
)
CONFIRM_BEFORE = N_("before {time} ({relative})")
CONFIRM_LABEL = N_("Delete it")
NOTHING_TO_DELETE = N_(
    "kpops-bot keeps nothing about you in this server: there is nothing to delete."
)
NOTHING_TO_DELETE_OTHER = N_(
    "kpops-bot keeps nothing about this member in this server: there is nothing to delete."
)
DELETED_TITLE = N_("Deleted")
DELETED_NOTHING = N_("Nothing was left to delete.")
NOT_YOURS = N_("Only the member who asked for this deletion can confirm it. Nothing was deleted.")
EXPIRED = N_(
    "This confirmation has expired: run `/privacy delete` again for a fresh one. Nothing was "
    "deleted."
)
UNKNOWN_BUTTON = N_(
    "That button doesn't work any more: run `/privacy delete` again. Nothing was deleted."
)
SERVERS_ONLY = N_("kpops-bot keeps data per server: run this in the server it is about.")
NOT_LOADED = N_("Privacy tools are restarting; try again in a moment. Nothing was deleted.")
# What each feature's store calls itself and what it keeps (bot.privacy.Holding.kind): defined in
# the stores, translated here where they are shown. A test checks every label the loaded features
# give has its Korean, so a new or renamed label cannot slip through in English.
FEATURE_LABELS = (
    N_("Film trivia"),
    N_("trivia answers"),
    N_("trivia score (leaderboard)"),
    N_("trivia questions you asked for (the question stays, your id goes)"),
    N_("Listening polls"),
    N_("poll votes (closed polls keep their final count)"),
    N_("polls you started (the poll stays, your id goes)"),
    N_("Quotes"),
    N_("quotes you added (the quote stays in the server's collection, your id goes)"),
    N_("Server settings"),
    N_("settings changes you made (the change stays in the log, your id goes)"),
)


def _holding_lines(holding: Holding, language: Language, *, with_latest: bool) -> list[str]:
    lines = [f"**{holding.count}** {t(language, holding.kind)}"]
    if with_latest:
        for line in holding.latest:
            shown = (
                text.shown(line, LINE_CHARS, empty=t(language, "(empty)"))
                if holding.member_text
                else line[:LINE_CHARS]
            )
            lines.append(f"• {shown}")
    return lines


def _field_value(data: FeatureData, language: Language, *, with_latest: bool) -> str:
    lines = [
        line for h in data.holdings for line in _holding_lines(h, language, with_latest=with_latest)
    ]
    return "\n".join(lines)[: limits.EMBED_FIELD_VALUE_MAX]


def show_embed(
    data: Sequence[FeatureData], policy_url: str | None, language: Language, *, own: bool
) -> discord.Embed:
    title = SHOW_TITLE if own else SHOW_TITLE_OTHER
    embed = discord.Embed(title=t(language, title), colour=BRAND)
    kept = [d for d in data if not d.empty]
    for feature in kept:
        embed.add_field(
            name=t(language, feature.feature),
            value=_field_value(feature, language, with_latest=True),
            inline=False,
        )
    if policy_url:
        policy = t(language, POLICY_LINK, url=policy_url)
    else:
        policy = t(language, POLICY_MISSING)
    if kept:
        embed.description = f"{t(language, HOW_TO_DELETE)}\n{policy}" if own else policy
    else:
        nothing = NOTHING_KEPT if own else NOTHING_KEPT_OTHER
        embed.description = f"{t(language, nothing)}\n{policy}"
    return embed


def confirm_embed(
    data: Sequence[FeatureData], language: Language, *, own: bool, expires: datetime
) -> discord.Embed:
    embed = show_embed(data, None, language, own=own)
    expiry = t(
        language,
        CONFIRM_BEFORE,
        time=discord.utils.format_dt(expires, "T"),
        relative=discord.utils.format_dt(expires, "R"),
    )
    warning = CONFIRM_TEXT if own else CONFIRM_TEXT_OTHER
    embed.description = t(language, warning, expiry=expiry)
    return embed


def deleted_embed(removed: Sequence[FeatureData], language: Language) -> discord.Embed:
    embed = discord.Embed(title=t(language, DELETED_TITLE), colour=BRAND)
    done = [d for d in removed if not d.empty]
    for feature in done:
        embed.add_field(
            name=t(language, feature.feature),
            value=_field_value(feature, language, with_latest=False),
            inline=False,
        )
    if not done:
        embed.description = t(language, DELETED_NOTHING)
    return embed


def nothing_to_delete(language: Language, *, own: bool) -> str:
    message = NOTHING_TO_DELETE if own else NOTHING_TO_DELETE_OTHER
    return t(language, message)
