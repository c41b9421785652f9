"""The invite link and the one line the bot logs when it is ready."""

from __future__ import annotations

import discord

from bot import limits
from bot.shards import format_shard_ids

#: The OAuth2 scopes the bot is invited with: a bot user, and its slash commands.
INVITE_SCOPES = ("bot", "applications.commands")


def invite_permissions() -> discord.Permissions:
    """What the bot needs in the channels it posts to; limits.POSTING_PERMISSIONS is the one
    place that names them (a feature that needs another permission adds its flag there)."""
    return discord.Permissions(limits.POSTING_PERMISSIONS)


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id, permissions=invite_permissions(), scopes=INVITE_SCOPES
    )


def shard_label(client: discord.Client) -> str:
    """'shard 0 of 1', or the shards this process holds: 'shards 0-3 of 8'."""
    if isinstance(client, discord.AutoShardedClient):
        ids = sorted(client.shards)
        if len(ids) == 1:
            return f"shard {ids[0]} of {client.shard_count}"
        return f"shards {format_shard_ids(ids)} of {client.shard_count}"
    if client.shard_id is None:
        return "shard 0 of 1"
    return f"shard {client.shard_id} of {client.shard_count}"


def ready_line(client: discord.Client) -> str:
    """Who the bot is, where it is connected, and how to invite it: all a self-hoster needs."""
    user = client.user
    name = "?" if user is None else str(user)
    user_id = "?" if user is None else str(user.id)
    servers = len(client.guilds)
    app_id = client.application_id or (user.id if user else None)
    invite = invite_url(app_id) if app_id else "(unknown application id)"
    return (
        f"ready as {name} (id {user_id}), {shard_label(client)}, "
        f"{servers} server{'' if servers == 1 else 's'}; invite: {invite}"
    )
