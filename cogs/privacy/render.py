"""What /privacy shows: the member's data per feature, the confirmation, and what was deleted.

Every user-facing string of the privacy feature lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot import limits
from bot.privacy import FeatureData, Holding
from bot.ui import text
from bot.ui.style import BRAND

LINE_CHARS = 120

SHOW_TITLE = "What kpops-bot keeps about you in this server"
SHOW_TITLE_OTHER = "What kpops-bot keeps about this member in this server"
NOTHING_KEPT = (
    "Nothing: kpops-bot keeps no votes, answers, quotes or settings changes of yours here."
)
NOTHING_KEPT_OTHER = "Nothing: kpops-bot keeps no data about this member in this server."
HOW_TO_DELETE = "`/privacy delete` erases it (you confirm first)."
POLICY_LINK = "What is kept, why and for how long: [privacy policy]({url})."
POLICY_MISSING = (
    "What is kept, why and for how long: PRIVACY.md in kpops-bot's source (whoever runs this bot "
    "can publish it and add its link in the Discord Developer Portal)."
)
CONFIRM_TEXT = (
    "This deletes {whose} data in this server at once, for every feature listed, and cannot be "
    "undone. Quotes, polls and settings changes stay for the server with the member's id removed; "
    "closed poll results and everyone else's scores are not changed. Confirm {expiry}."
)
CONFIRM_LABEL = "Delete it"
NOTHING_TO_DELETE = (
    "kpops-bot keeps nothing about {whom} in this server: there is nothing to delete."
)
DELETED_TITLE = "Deleted"
DELETED_NOTHING = "Nothing was left to delete."
NOT_YOURS = "Only the member who asked for this deletion can confirm it. Nothing was deleted."
EXPIRED = "This confirmation has expired: run `/privacy delete` again for a fresh one. Nothing was deleted."
UNKNOWN_BUTTON = (
    "That button doesn't work any more: run `/privacy delete` again. Nothing was deleted."
)
SERVERS_ONLY = "kpops-bot keeps data per server: run this in the server it is about."
NOT_LOADED = "Privacy tools are restarting; try again in a moment. Nothing was deleted."


def _holding_lines(holding: Holding, *, with_latest: bool) -> list[str]:
    lines = [f"**{holding.count}** {holding.kind}"]
    if with_latest:
        for line in holding.latest:
            shown = (
                text.shown(line, LINE_CHARS, empty="(empty)")
                if holding.member_text
                else line[:LINE_CHARS]
            )
            lines.append(f"• {shown}")
    return lines


def _field_value(data: FeatureData, *, with_latest: bool) -> str:
    lines = [line for h in data.holdings for line in _holding_lines(h, with_latest=with_latest)]
    return "\n".join(lines)[: limits.EMBED_FIELD_VALUE_MAX]


def show_embed(data: Sequence[FeatureData], policy_url: str | None, *, own: bool) -> discord.Embed:
    embed = discord.Embed(title=SHOW_TITLE if own else SHOW_TITLE_OTHER, colour=BRAND)
    kept = [d for d in data if not d.empty]
    for feature in kept:
        embed.add_field(
            name=feature.feature, value=_field_value(feature, with_latest=True), inline=False
        )
    policy = POLICY_LINK.format(url=policy_url) if policy_url else POLICY_MISSING
    if kept:
        embed.description = f"{HOW_TO_DELETE}\n{policy}" if own else policy
    else:
        embed.description = f"{NOTHING_KEPT if own else NOTHING_KEPT_OTHER}\n{policy}"
    return embed


def confirm_embed(data: Sequence[FeatureData], *, own: bool, expires: datetime) -> discord.Embed:
    embed = show_embed(data, None, own=own)
    expiry = (
        f"before {discord.utils.format_dt(expires, 'T')} ({discord.utils.format_dt(expires, 'R')})"
    )
    embed.description = CONFIRM_TEXT.format(whose="your" if own else "this member's", expiry=expiry)
    return embed


def deleted_embed(removed: Sequence[FeatureData]) -> discord.Embed:
    embed = discord.Embed(title=DELETED_TITLE, colour=BRAND)
    done = [d for d in removed if not d.empty]
    for feature in done:
        embed.add_field(
            name=feature.feature, value=_field_value(feature, with_latest=False), inline=False
        )
    if not done:
        embed.description = DELETED_NOTHING
    return embed


def nothing_to_delete(*, own: bool) -> str:
    return NOTHING_TO_DELETE.format(whom="you" if own else "this member")
