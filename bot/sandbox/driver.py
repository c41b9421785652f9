"""The driver: act as Discord's client would (slash commands, autocomplete, button clicks).

Options are checked against what the bot registered, so a test that uses an unregistered command or a
mistyped option fails instead of silently testing nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from bot import limits
from bot.sandbox.interactions import (
    AUTOCOMPLETE,
    COMMAND,
    COMPONENT,
    InteractionError,
    InteractionResult,
)
from bot.sandbox.server import Emulator
from bot.sandbox.state import Channel, Guild, Member, Message, Role

# Discord option types
SUB_COMMAND, SUB_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
)


class CommandUsageError(AssertionError):
    """The test asked for something a Discord client could not send."""


class Driver(Emulator):
    """The emulator plus the calls a test makes as a Discord user."""

    def find_command(
        self, path: str, guild_id: int | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The top-level command and the chain of sub-command option dicts for ``path``."""
        parts = path.strip().lstrip("/").split()
        for cmd in self.registered(guild_id):
            if cmd["name"] == parts[0]:
                break
        else:
            names = sorted(c["name"] for c in self.registered(guild_id))
            raise CommandUsageError(f"/{parts[0]} is not registered (registered: {names})")
        chain: list[dict[str, Any]] = []
        node: dict[str, Any] = cmd
        for part in parts[1:]:
            subs = [o for o in node.get("options") or [] if o["type"] in (SUB_COMMAND, SUB_GROUP)]
            for sub in subs:
                if sub["name"] == part:
                    node = sub
                    chain.append(sub)
                    break
            else:
                raise CommandUsageError(
                    f"/{path}: no sub-command {part!r} (has {[s['name'] for s in subs]})"
                )
        if any(o["type"] in (SUB_COMMAND, SUB_GROUP) for o in node.get("options") or []):
            raise CommandUsageError(f"/{path} needs a sub-command")
        return cmd, chain

    def _build_options(
        self, leaf: dict[str, Any], given: dict[str, Any], guild: Guild, focused: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        declared = {o["name"]: o for o in leaf.get("options") or []}
        unknown = set(given) - set(declared)
        if unknown:
            raise CommandUsageError(
                f"unknown option(s) {sorted(unknown)}; declared: {sorted(declared)}"
            )
        resolved: dict[str, Any] = {}
        out: list[dict[str, Any]] = []
        for name, spec in declared.items():
            if name not in given:
                if spec.get("required") and focused is None:
                    raise CommandUsageError(f"required option {name!r} missing")
                continue
            value = given[name]
            otype = spec["type"]
            item: dict[str, Any] = {"name": name, "type": otype}
            if name == focused:
                item["focused"] = True
                item["value"] = str(value)
                out.append(item)
                continue
            if otype == STRING:
                if not isinstance(value, str):
                    raise CommandUsageError(f"{name} must be a string")
                if len(value) > min(
                    spec.get("max_length", limits.STRING_OPTION_MAX), limits.STRING_OPTION_MAX
                ):
                    raise CommandUsageError(f"{name}: a client cannot send {len(value)} characters")
                if len(value) < spec.get("min_length", 0):
                    raise CommandUsageError(f"{name}: shorter than min_length")
            elif otype == INTEGER:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise CommandUsageError(f"{name} must be an integer")
                if "min_value" in spec and value < spec["min_value"]:
                    raise CommandUsageError(
                        f"{name}: the client refuses values below {spec['min_value']}"
                    )
                if "max_value" in spec and value > spec["max_value"]:
                    raise CommandUsageError(
                        f"{name}: the client refuses values above {spec['max_value']}"
                    )
            elif otype == NUMBER:
                if not isinstance(value, (int, float)):
                    raise CommandUsageError(f"{name} must be a number")
            elif otype == BOOLEAN:
                if not isinstance(value, bool):
                    raise CommandUsageError(f"{name} must be a bool")
            elif otype == CHANNEL:
                if not isinstance(value, Channel):
                    raise CommandUsageError(f"{name} must be a Channel")
                types = spec.get("channel_types")
                if types and value.type not in types:
                    raise CommandUsageError(
                        f"{name}: channel type {value.type} not offered by the client"
                    )
                perms = guild.permissions_in(self.bot_member(guild), value)
                resolved.setdefault("channels", {})[str(value.id)] = {
                    **value.to_dict(),
                    "permissions": str(perms),
                }
                value = str(value.id)
            elif otype == ROLE:
                if not isinstance(value, Role):
                    raise CommandUsageError(f"{name} must be a Role")
                resolved.setdefault("roles", {})[str(value.id)] = value.to_dict()
                value = str(value.id)
            elif otype == USER:
                if not isinstance(value, Member):
                    raise CommandUsageError(f"{name} must be a Member")
                resolved.setdefault("users", {})[str(value.id)] = value.user.to_dict()
                resolved.setdefault("members", {})[str(value.id)] = {
                    k: v for k, v in value.to_dict().items() if k != "user"
                }
                value = str(value.id)
            choices = spec.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise CommandUsageError(f"{name}: {value!r} is not one of the choices")
            item["value"] = value
            out.append(item)
        return out, resolved

    def _base_payload(
        self, itype: int, member: Member, channel: Channel, data: dict[str, Any], locale: str
    ) -> InteractionResult:
        guild = self.guilds[channel.guild_id]
        iid = self.ids.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        perms = guild.permissions_in(member, channel)
        app_perms = guild.permissions_in(self.bot_member(guild), channel)
        payload = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "channel_id": str(channel.id),
            "channel": {**channel.to_dict(), "permissions": str(perms)},
            "member": member.to_dict(perms),
            "token": token,
            "version": 1,
            "app_permissions": str(app_perms),
            "locale": locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        result = InteractionResult(iid, token, itype, member, channel, payload)
        self.interactions[iid] = result
        self._by_token[token] = result
        return result

    async def _send(self, result: InteractionResult, wait: bool) -> InteractionResult:
        await self.dispatch("INTERACTION_CREATE", result.payload)
        if not wait:
            return result
        try:
            await result.wait_for(
                lambda r: r.acknowledged, timeout=limits.INTERACTION_DEADLINE_SECONDS + 0.5
            )
        except TimeoutError:
            self._violation(
                "GATEWAY",
                "INTERACTION_CREATE",
                404,
                10062,
                "interaction not acknowledged within 3 seconds",
            )
            raise InteractionError(
                f"the bot did not answer interaction {result.id} within 3 seconds"
            ) from None
        return result

    async def invoke(
        self,
        path: str,
        options: dict[str, Any] | None = None,
        *,
        member: Member,
        channel: Channel,
        locale: str = "en-US",
        wait: bool = True,
        settle: bool = True,
        **more: Any,
    ) -> InteractionResult:
        """Run ``/path`` as ``member`` in ``channel``; returns once the bot has answered.

        ``settle`` also waits for a deferred ("thinking") reply to be filled in.
        """
        guild = self.guilds[channel.guild_id]
        given = {**(options or {}), **more}
        cmd, chain = self.find_command(path, guild.id)
        leaf = chain[-1] if chain else cmd
        leaf_options, resolved = self._build_options(leaf, given, guild, focused=None)
        data = self._command_data(cmd, chain, leaf_options, resolved)
        result = self._base_payload(COMMAND, member, channel, data, locale)
        await self._send(result, wait)
        if wait and settle:
            await result.settled()
        return result

    @staticmethod
    def _command_data(
        cmd: dict[str, Any],
        chain: list[dict[str, Any]],
        leaf_options: list[dict[str, Any]],
        resolved: dict[str, Any],
    ) -> dict[str, Any]:
        options = leaf_options
        for sub in reversed(chain):
            options = [{"name": sub["name"], "type": sub["type"], "options": options}]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": options}
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def autocomplete(
        self,
        path: str,
        focused: str,
        value: str,
        options: dict[str, Any] | None = None,
        *,
        member: Member,
        channel: Channel,
        locale: str = "en-US",
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` of ``/path``; returns the choices the bot offered."""
        guild = self.guilds[channel.guild_id]
        cmd, chain = self.find_command(path, guild.id)
        leaf = chain[-1] if chain else cmd
        spec = next((o for o in leaf.get("options") or [] if o["name"] == focused), None)
        if spec is None or not spec.get("autocomplete"):
            raise CommandUsageError(f"option {focused!r} of /{path} has no autocomplete")
        given = {**(options or {}), focused: value}
        leaf_options, resolved = self._build_options(leaf, given, guild, focused=focused)
        data = self._command_data(cmd, chain, leaf_options, resolved)
        result = self._base_payload(AUTOCOMPLETE, member, channel, data, locale)
        await self._send(result, wait=True)
        assert result.choices is not None
        return result.choices

    async def click(
        self,
        message: Message,
        *,
        member: Member,
        label: str | None = None,
        custom_id: str | None = None,
        index: int | None = None,
        wait: bool = True,
        settle: bool = True,
        allow_disabled: bool = False,
        locale: str = "en-US",
    ) -> InteractionResult:
        """Click a button on ``message`` (by label, custom_id or position) as ``member``."""
        buttons = message.buttons()
        if custom_id is not None and label is None and index is None:
            button = next((b for b in buttons if b.get("custom_id") == custom_id), None)
            if button is None:
                # A forged or stale custom_id: a modified client can still send it.
                button = {"type": 2, "custom_id": custom_id}
        elif label is not None:
            button = next((b for b in buttons if b.get("label") == label), None)
        elif index is not None:
            button = buttons[index] if 0 <= index < len(buttons) else None
        else:
            raise CommandUsageError("click needs label, custom_id or index")
        if button is None:
            raise CommandUsageError(
                f"no such button; message has {[b.get('label') for b in buttons]}"
            )
        if button.get("disabled") and not allow_disabled:
            raise CommandUsageError(
                f"button {button.get('label')!r} is disabled: a user cannot click it"
            )
        if message.ephemeral and message.visible_to not in (None, member.id):
            raise CommandUsageError("that ephemeral message is not visible to this member")
        channel = self.channel(message.channel_id)
        if channel is None:
            raise CommandUsageError("the message's channel no longer exists")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        result = self._base_payload(COMPONENT, member, channel, data, locale)
        result.payload["message"] = message.to_dict()
        result.source_message = message
        await self._send(result, wait)
        if wait and settle:
            await result.settled()
        return result

    async def wait_idle(self, seconds: float = 0.05) -> None:
        """Let the bot's event loop catch up (both run in the same loop in in-process tests)."""
        await asyncio.sleep(seconds)
