"""The emulator's world: guilds, channels, roles, members and messages, as Discord models them."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot import limits

GUILD_TEXT = 0
GUILD_CATEGORY = 4
GUILD_VOICE = 2


class Snowflakes:
    """Monotonic snowflake ids, so creation order and creation time read back as Discord's do."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last_guild_ms = 0

    def next(self, now: float | None = None) -> int:
        ms = int((time.time() if now is None else now) * 1000) - limits.DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)

    def next_guild(self, shard: tuple[int, int] | None = None) -> int:
        """A server id. A server's shard comes from its id's timestamp ((id >> 22) % count), so
        each new server gets a later millisecond than the last: servers made in a loop spread over
        the shards as real ones do, instead of all landing on one. ``shard`` = (id, count) picks
        the shard (the timestamp moves a few milliseconds at most)."""
        ms = max(int(time.time() * 1000) - limits.DISCORD_EPOCH_MS, self._last_guild_ms + 1)
        if shard is not None:
            shard_id, count = shard
            if not 0 <= shard_id < count:
                raise ValueError(f"no shard {shard_id} among {count}")
            ms += (shard_id - ms % count) % count
        self._last_guild_ms = ms
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.username,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int = GUILD_TEXT
    position: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": self.type,
            "position": self.position,
            "permission_overwrites": [o.to_dict() for o in self.overwrites],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    joined_at: float = field(default_factory=time.time)

    @property
    def id(self) -> int:
        return self.user.id

    def to_dict(self, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.to_dict(),
            "roles": [str(r) for r in self.role_ids],
            "joined_at": iso(self.joined_at),
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def base_permissions(self, member: Member) -> int:
        if member.id == self.owner_id:
            return limits.ALL_PERMISSIONS
        perms = self.everyone.permissions
        for role_id in member.role_ids:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        if perms & limits.ADMINISTRATOR:
            return limits.ALL_PERMISSIONS
        return perms

    def permissions_in(self, member: Member, channel: Channel) -> int:
        """Discord's algorithm: base role permissions, then @everyone, role and member overwrites."""
        perms = self.base_permissions(member)
        if perms & limits.ADMINISTRATOR or perms == limits.ALL_PERMISSIONS:
            return limits.ALL_PERMISSIONS
        by_id = {o.id: o for o in channel.overwrites}
        everyone = by_id.get(self.id)
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            ow = by_id.get(role_id)
            if ow is not None and ow.type == 0:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        own = by_id.get(member.id)
        if own is not None and own.type == 1:
            perms = (perms & ~own.deny) | own.allow
        if not perms & limits.VIEW_CHANNEL:
            return 0
        return perms

    def to_dict(self, bot_member: Member, now: float) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_dict() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": iso(now),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [bot_member.to_dict()],
            "channels": [c.to_dict() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class Message:
    """A message as the emulator stores it: Discord's JSON plus what the emulator observed."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    created: float
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    pings: list[str] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)
    interaction_id: int | None = None
    #: Who ran the interaction this message answers, and its type (Discord's interaction_metadata).
    interaction_user: User | None = None
    interaction_type: int = 0
    #: The member an ephemeral message is visible to.
    visible_to: int | None = None
    deleted: bool = False
    loading: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & limits.EPHEMERAL_FLAG)

    def buttons(self) -> list[dict[str, Any]]:
        """Every button on the message, in reading order."""
        return [
            c for row in self.components for c in row.get("components", []) if c.get("type") == 2
        ]

    def embed_text(self) -> str:
        """All text of all embeds, for assertions."""
        parts: list[str] = []
        for embed in self.embeds:
            for key in ("title", "description"):
                if embed.get(key):
                    parts.append(str(embed[key]))
            for fld in embed.get("fields", []):
                parts.append(f"{fld.get('name', '')}\n{fld.get('value', '')}")
            if embed.get("footer", {}).get("text"):
                parts.append(embed["footer"]["text"])
            if embed.get("author", {}).get("name"):
                parts.append(embed["author"]["name"])
        return "\n".join(parts)

    def text(self) -> str:
        """Content and embed text together."""
        return "\n".join(p for p in (self.content, self.embed_text()) if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            **({"guild_id": str(self.guild_id)} if self.guild_id else {}),
            "author": self.author.to_dict(),
            "content": self.content,
            "timestamp": iso(self.created),
            "edited_timestamp": iso(self.edits[-1]) if self.edits else None,
            "tts": False,
            "mention_everyone": "everyone" in self.pings,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": 20 if self.interaction_id else 0,
            "flags": self.flags,
            **({"application_id": str(self.author.id)} if self.interaction_id else {}),
            **(
                {
                    "interaction_metadata": {
                        "id": str(self.interaction_id),
                        "type": self.interaction_type,
                        "user": self.interaction_user.to_dict(),
                        "authorizing_integration_owners": (
                            {"0": str(self.guild_id) if self.guild_id else "0"}
                        ),
                    }
                }
                if self.interaction_id and self.interaction_user is not None
                else {}
            ),
        }
