"""A local Discord: the gateway (websocket, zlib-stream) and the REST routes the bot uses.

The real, unmodified discord.py client connects to it through ``DISCORD_API_BASE`` and
``DISCORD_GATEWAY_URL``. It answers as Discord does, rejects what Discord rejects (recording every
violation in :attr:`Emulator.violations`), and gives tests a driver API (see ``bot.sandbox.driver``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot import limits
from bot.sandbox import uploads, validation
from bot.sandbox.api_spec import discord_api_spec
from bot.sandbox.interactions import AUTOCOMPLETE, COMMAND, COMPONENT, InteractionResult
from bot.sandbox.state import (
    Channel,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    Snowflakes,
    User,
)

log = logging.getLogger(__name__)


def openapi_check_enabled() -> bool:
    """SANDBOX_OPENAPI_CHECK=0 (or off, false, no) turns the OpenAPI check off; it is on by default."""
    value = os.environ.get("SANDBOX_OPENAPI_CHECK", "").strip().lower()
    return value not in ("0", "off", "false", "no")


Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.Response]]

DEFAULT_EVERYONE = (
    limits.VIEW_CHANNEL
    | limits.SEND_MESSAGES
    | limits.EMBED_LINKS
    | limits.READ_MESSAGE_HISTORY
    | limits.USE_APPLICATION_COMMANDS
)
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)
#: Discord recommends one shard per 1,000 servers and refuses a session holding more than 2,500.
GUILDS_PER_RECOMMENDED_SHARD = 1000
MAX_GUILDS_PER_SHARD = 2500

#: (shard id, shard count) as IDENTIFY sends it; None for an unsharded session.
ShardKey = tuple[int, int] | None


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's formula (the bot has its own copy in bot.shards: the emulator does not trust it)."""
    return (guild_id >> 22) % shard_count


def holds(shard: ShardKey, guild_id: int) -> bool:
    return shard is None or shard_of(guild_id, shard[1]) == shard[0]


@dataclass
class Violation:
    """Something the bot sent that Discord would have rejected (or a deadline it missed)."""

    method: str
    path: str
    status: int
    code: int
    detail: str
    #: Which check found it: "limits" (the emulator's own rules) or "openapi" (Discord's
    #: published description of its API, ``api_spec.py``).
    rule: str = "limits"


@dataclass
class Fault:
    """An injected failure: matching requests get ``status`` until it runs out."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int | None
    until: float | None
    retry_after: float
    hits: int = 0

    def active(self) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.until is None or time.monotonic() < self.until


@dataclass
class RequestRecord:
    method: str
    path: str
    status: int
    at: float


@dataclass
class GatewaySession:
    id: str
    seq: int = 0
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=10_000))
    ws: web.WebSocketResponse | None = None
    compressor: Any = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    shard: ShardKey = None


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with Discord's exact content type (discord.py parses only ``application/json``)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, body: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.body = body or {"code": code, "message": message}


def reject_invalid(errors: validation.Errors) -> None:
    """Raise Discord's 400 Invalid Form Body (50035) naming each problem, if there are any."""
    if errors:
        raise ApiError(
            400, 50035, "; ".join(f"{p}: {e}" for p, e in errors), validation.error_body(errors)
        )


class Emulator:
    """A local Discord API for one bot application."""

    def __init__(
        self,
        *,
        token: str = "sandbox-token",
        bot_name: str = "kpops-bot",
        clock: Callable[[], float] = time.time,
        old_message_edit_cap: int = 5,
        heartbeat_interval: float = 41.25,
        heartbeat_ack_delay: float = 0.05,
        openapi_check: bool | None = None,
    ) -> None:
        self.token = token
        self.ids = Snowflakes()
        #: Wall-clock seconds: message ages (the 1-hour edit cap) follow it, so tests can move it.
        self.clock = clock
        self.app_id = self.ids.next()
        self.bot_user = User(self.app_id, bot_name, bot=True)
        self.guilds: dict[int, Guild] = {}
        self.messages: dict[int, Message] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs: list[str] = []
        self.violations: list[Violation] = []
        #: Uploaded files' bytes by attachment id.
        self.uploaded: dict[int, bytes] = {}
        self.requests: list[RequestRecord] = []
        self.interactions: dict[int, InteractionResult] = {}
        self._by_token: dict[str, InteractionResult] = {}
        self.faults: list[Fault] = []
        self.identifies = 0
        #: What /gateway/bot recommends; None: one shard per 1,000 servers, as Discord does.
        self.recommended_shards: int | None = None
        #: More servers than this on one session: IDENTIFY is refused with 4011.
        self.max_guilds_per_shard = MAX_GUILDS_PER_SHARD
        #: Every IDENTIFY's shard, in order (None: unsharded).
        self.identified_shards: list[ShardKey] = []
        #: A routing bug on demand: server id -> the shard whose session gets its events instead.
        self.misroute: dict[int, ShardKey] = {}
        self.resumes = 0
        self.rate_limit_per_second: int | None = None
        self.rate_limited: list[float] = []
        self.old_message_edit_cap = old_message_edit_cap
        #: Seconds between the bot's heartbeats, announced in HELLO (Discord's is 41.25).
        self.heartbeat_interval = heartbeat_interval
        #: The network round trip before a heartbeat's ACK (see ``_ack_heartbeat``).
        self.heartbeat_ack_delay = heartbeat_ack_delay
        #: Heartbeats received from the bot, on any connection.
        self.heartbeats = 0
        self._heartbeat_seen = asyncio.Condition()
        self._pending_acks: set[asyncio.Task[None]] = set()
        #: Check every request against Discord's OpenAPI description (``api_spec.py``); on unless
        #: turned off here or with SANDBOX_OPENAPI_CHECK=0 in the environment.
        self.openapi_check = openapi_check_enabled() if openapi_check is None else openapi_check
        self._window: deque[float] = deque()
        self._sessions: dict[str, GatewaySession] = {}
        self._active: GatewaySession | None = None
        #: The session holding each shard (the latest IDENTIFY for it), in identify order.
        self._holders: dict[ShardKey, GatewaySession] = {}
        self.ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        self._register_routes()
        self._message_waiters = asyncio.Condition()

    # ------------------------------------------------------------------ lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.host = host

    async def stop(self) -> None:
        for task in list(self._pending_acks):
            task.cancel()
        for session in self._sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    def env(self) -> dict[str, str]:
        """The settings a bot process needs to talk to this emulator."""
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    # ------------------------------------------------------------------ world building
    def add_guild(
        self,
        name: str = "K-Pops! Fans",
        *,
        channels: tuple[str, ...] = ("general",),
        locale: str = "en-US",
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        gid = self.ids.next_guild(shard)
        owner = User(self.ids.next(), f"{name.split()[0].lower()}-owner")
        guild = Guild(gid, name, owner.id, locale=locale)
        guild.roles[gid] = Role(gid, "@everyone", DEFAULT_EVERYONE)
        bot_role = Role(
            self.ids.next(), self.bot_user.username, limits.POSTING_PERMISSIONS, position=1
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner, gid)
        guild.members[self.bot_user.id] = Member(self.bot_user, gid, [bot_role.id])
        for i, cname in enumerate(channels):
            cid = self.ids.next()
            guild.channels[cid] = Channel(cid, gid, cname, position=i)
        self.guilds[gid] = guild
        if self._active is not None and self.ready.is_set():
            self._dispatch_soon(
                "GUILD_CREATE", guild.to_dict(self.bot_member(guild), self.clock()), guild_id=gid
            )
        return guild

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot_user.id]

    def owner(self, guild: Guild) -> Member:
        return guild.members[guild.owner_id]

    def add_member(self, guild: Guild, name: str, *, roles: tuple[Role, ...] = ()) -> Member:
        user = User(self.ids.next(), name)
        member = Member(user, guild.id, [r.id for r in roles])
        guild.members[user.id] = member
        return member

    def add_role(self, guild: Guild, name: str, permissions: int = 0) -> Role:
        role = Role(self.ids.next(), name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        if self.ready.is_set():
            self._dispatch_soon(
                "GUILD_ROLE_CREATE",
                {"guild_id": str(guild.id), "role": role.to_dict()},
                guild_id=guild.id,
            )
        return role

    def add_channel(
        self, guild: Guild, name: str, *, overwrites: list[Overwrite] | None = None
    ) -> Channel:
        cid = self.ids.next()
        channel = Channel(
            cid, guild.id, name, position=len(guild.channels), overwrites=overwrites or []
        )
        guild.channels[cid] = channel
        if self.ready.is_set():
            self._dispatch_soon("CHANNEL_CREATE", channel.to_dict(), guild_id=guild.id)
        return channel

    def set_overwrite(
        self,
        channel: Channel,
        target_id: int,
        *,
        allow: int = 0,
        deny: int = 0,
        member: bool = False,
    ) -> None:
        """Change a channel's permissions for a role (or member), telling the bot as Discord does."""
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        channel.overwrites.append(Overwrite(target_id, 1 if member else 0, allow, deny))
        self._dispatch_soon("CHANNEL_UPDATE", channel.to_dict(), guild_id=channel.guild_id)

    def delete_channel(self, channel: Channel) -> None:
        guild = self.guilds[channel.guild_id]
        guild.channels.pop(channel.id, None)
        self._dispatch_soon("CHANNEL_DELETE", channel.to_dict(), guild_id=guild.id)

    def remove_guild(self, guild: Guild) -> None:
        """The bot is kicked from (or leaves) a guild."""
        self.guilds.pop(guild.id, None)
        self._dispatch_soon("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id)

    def guild_outage(self, guild: Guild) -> None:
        """Discord loses a guild for a while (GUILD_DELETE with unavailable): the bot is still in it."""
        self._dispatch_soon(
            "GUILD_DELETE", {"id": str(guild.id), "unavailable": True}, guild_id=guild.id
        )

    def channel(self, channel_id: int) -> Channel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return None

    # ------------------------------------------------------------------ reading what the bot sent
    def channel_messages(self, channel: Channel) -> list[Message]:
        """Public messages in a channel, oldest first."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel.id and not m.deleted and not m.ephemeral
        ]

    async def wait_for_message(
        self, predicate: Callable[[Message], bool], timeout: float = 5.0
    ) -> Message:
        """Wait for a message (new or edited) that matches, and return it."""

        def find() -> Message | None:
            for m in reversed(list(self.messages.values())):
                if not m.deleted and predicate(m):
                    return m
            return None

        async with self._message_waiters:
            await asyncio.wait_for(
                self._message_waiters.wait_for(lambda: find() is not None), timeout
            )
        found = find()
        assert found is not None
        return found

    async def _messages_changed(self) -> None:
        async with self._message_waiters:
            self._message_waiters.notify_all()

    # ------------------------------------------------------------------ faults
    def fail(
        self,
        method: str,
        pattern: str,
        *,
        status: int = 429,
        times: int | None = None,
        seconds: float | None = None,
        retry_after: float = 0.2,
    ) -> Fault:
        """Answer matching requests (path after /api/v10) with ``status`` for a while."""
        fault = Fault(
            method.upper(),
            re.compile(pattern),
            status,
            times,
            None if seconds is None else time.monotonic() + seconds,
            retry_after,
        )
        self.faults.append(fault)
        return fault

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's websocket as a network blip would; the session stays resumable."""
        session = self._active
        if session is not None and session.ws is not None and not session.ws.closed:
            ws, session.ws = session.ws, None
            await ws.close(code=code)

    @property
    def connected(self) -> bool:
        return (
            self._active is not None and self._active.ws is not None and not self._active.ws.closed
        )

    # ------------------------------------------------------------------ gateway
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"Unsupported compression")
            return ws
        compressor = zlib.compressobj() if compress == "zlib-stream" else None
        session: GatewaySession | None = None

        async def send_raw(payload: dict[str, Any]) -> None:
            await self._write(ws, compressor, json.dumps(payload))

        hello = {"heartbeat_interval": round(self.heartbeat_interval * 1000)}
        await send_raw({"op": 10, "d": hello, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                op = data.get("op")
                if op == 1:
                    await self._heartbeat_received(ws, compressor)
                elif op == 2:
                    session = await self._identify(ws, compressor, data.get("d") or {})
                    if session is None:
                        break
                elif op == 6:
                    session = await self._resume(ws, compressor, data.get("d") or {})
                    if session is None:
                        continue
                elif op in (3, 4, 8):
                    continue
                else:
                    await ws.close(code=4001, message=b"Unknown opcode")
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _heartbeat_received(self, ws: web.WebSocketResponse, compressor: Any) -> None:
        self.heartbeats += 1
        async with self._heartbeat_seen:
            self._heartbeat_seen.notify_all()
        task = asyncio.get_running_loop().create_task(self._ack_heartbeat(ws, compressor))
        self._pending_acks.add(task)
        task.add_done_callback(self._pending_acks.discard)

    async def _ack_heartbeat(self, ws: web.WebSocketResponse, compressor: Any) -> None:
        """Acknowledge a heartbeat after a network round trip, as Discord's ACK arrives.

        discord.py's keep-alive thread asks the event loop to send the heartbeat and records the
        send time only when the loop reports it sent, from its own thread. An ACK written at once
        (no network in between) can be read by the loop before that thread runs again, most often
        on a busy machine; discord.py then measures the latency from the previous heartbeat, a
        whole interval earlier, and warns "Can't keep up ... 41.2s behind". A real round trip
        leaves that thread the time it needs; the delay is a task, so other opcodes are not held.
        """
        await asyncio.sleep(self.heartbeat_ack_delay)
        try:
            await self._write(
                ws, compressor, json.dumps({"op": 11, "d": None, "s": None, "t": None})
            )
        except (ConnectionError, RuntimeError):
            pass  # the bot hung up meanwhile; it will heartbeat again on its new connection

    async def wait_for_heartbeats(self, count: int, timeout: float = 60.0) -> None:
        """Wait until the bot has sent ``count`` heartbeats in all."""
        async with self._heartbeat_seen:
            await asyncio.wait_for(
                self._heartbeat_seen.wait_for(lambda: self.heartbeats >= count), timeout
            )

    @staticmethod
    async def _write(ws: web.WebSocketResponse, compressor: Any, text: str) -> None:
        if ws.closed:
            return
        if compressor is None:
            await ws.send_str(text)
        else:
            data = compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
            await ws.send_bytes(data)

    async def _identify(
        self, ws: web.WebSocketResponse, compressor: Any, data: dict[str, Any]
    ) -> GatewaySession | None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        if int(data.get("intents") or 0) & PRIVILEGED_INTENTS:
            self._violation("GATEWAY", "identify", 4014, 4014, "privileged intents requested")
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        valid, shard = await self._identify_shard(ws, data.get("shard"))
        if not valid:
            return None
        guilds = [g for g in list(self.guilds.values()) if holds(shard, g.id)]
        if len(guilds) > self.max_guilds_per_shard:
            await ws.close(code=4011, message=b"Sharding required.")
            return None
        self.identifies += 1
        self.identified_shards.append(shard)
        session = GatewaySession(secrets.token_hex(16), ws=ws, compressor=compressor, shard=shard)
        self._sessions[session.id] = session
        self._active = session
        self._holders.pop(shard, None)  # the latest IDENTIFY for a shard holds it
        self._holders[shard] = session
        ready = {
            "v": 10,
            "user": {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "_trace": ["kpops-sandbox"],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._dispatch(session, "READY", ready)
        for guild in guilds:
            await self._dispatch(
                session, "GUILD_CREATE", guild.to_dict(self.bot_member(guild), self.clock())
            )
        self.ready.set()
        return session

    async def _identify_shard(self, ws: web.WebSocketResponse, raw: Any) -> tuple[bool, ShardKey]:
        """IDENTIFY's ``shard`` as (id, count), None when absent; (False, None) after closing the
        connection with 4010 for an invalid one."""
        if raw is None:
            return True, None
        valid = (
            isinstance(raw, list)
            and len(raw) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in raw)
            and raw[1] >= 1
            and 0 <= raw[0] < raw[1]
        )
        if not valid:
            await ws.close(code=4010, message=b"Invalid shard.")
            return False, None
        return True, (raw[0], raw[1])

    def session_for(self, guild_id: int) -> GatewaySession | None:
        """The session that holds a server: the latest IDENTIFY whose shard covers it."""
        if guild_id in self.misroute:
            return self._holders.get(self.misroute[guild_id])
        active = self._active
        if active is not None and holds(active.shard, guild_id):
            # The latest session to identify or resume, when it holds the server (several
            # unsharded sessions: the one made active, as benchmarks/vote_storm.py switches them).
            return active
        for shard, session in reversed(list(self._holders.items())):
            if holds(shard, guild_id):
                return session
        return None

    def shard_sessions(self) -> dict[ShardKey, bool]:
        """Each shard identified so far, and whether its connection is up now."""
        return {
            shard: session.ws is not None and not session.ws.closed
            for shard, session in self._holders.items()
        }

    async def _resume(
        self, ws: web.WebSocketResponse, compressor: Any, data: dict[str, Any]
    ) -> GatewaySession | None:
        session = self._sessions.get(str(data.get("session_id")))
        if data.get("token") != self.token or session is None:
            await self._write(
                ws, compressor, json.dumps({"op": 9, "d": False, "s": None, "t": None})
            )
            return None
        self.resumes += 1
        async with session.lock:
            session.ws, session.compressor = ws, compressor
            self._active = session
            since = int(data.get("seq") or 0)
            for seq, text in list(session.buffer):
                if seq > since:
                    await self._write(ws, compressor, text)
        await self._dispatch(session, "RESUMED", {"_trace": ["kpops-sandbox"]})
        return session

    async def _dispatch(self, session: GatewaySession, event: str, data: dict[str, Any]) -> None:
        async with session.lock:
            session.seq += 1
            text = json.dumps({"op": 0, "t": event, "s": session.seq, "d": data})
            session.buffer.append((session.seq, text))
            if session.ws is not None:
                try:
                    await self._write(session.ws, session.compressor, text)
                except (ConnectionError, RuntimeError):
                    session.ws = None

    def _session_of(self, guild_id: int | None) -> GatewaySession | None:
        if guild_id is None:
            return self._active
        return self.session_for(guild_id)

    def _dispatch_soon(self, event: str, data: dict[str, Any], *, guild_id: int | None) -> None:
        session = self._session_of(guild_id)
        if session is not None:
            asyncio.get_running_loop().create_task(self._dispatch(session, event, data))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the bot (buffered for resume while it is disconnected): a
        server's event (``guild_id`` in it) to the session holding that server's shard."""
        raw = data.get("guild_id")
        session = self._session_of(int(raw) if raw is not None else None)
        if session is None:
            raise RuntimeError(f"no bot session holds {'the bot' if raw is None else raw}")
        await self._dispatch(session, event, data)

    async def dispatch_to_shard(self, shard: ShardKey, event: str, data: dict[str, Any]) -> None:
        """Send an event down one shard's session whatever it holds (tests of misrouting)."""
        session = self._holders.get(shard)
        if session is None:
            raise RuntimeError(f"no session for shard {shard}")
        await self._dispatch(session, event, data)

    # ------------------------------------------------------------------ REST plumbing
    def _route(self, method: str, pattern: str, handler: Handler, *, auth: bool = True) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler, auth))

    def _register_routes(self) -> None:
        snow = r"(\d+)"
        self._route("GET", "/users/@me", self._get_me)
        self._route("GET", "/oauth2/applications/@me", self._get_app)
        self._route("GET", "/applications/@me", self._get_app)
        self._route("GET", "/gateway", self._get_gateway, auth=False)
        self._route("GET", "/gateway/bot", self._get_gateway)
        self._route("PUT", rf"/applications/{snow}/commands", self._put_commands)
        self._route("GET", rf"/applications/{snow}/commands", self._get_commands)
        self._route("PUT", rf"/applications/{snow}/guilds/{snow}/commands", self._put_commands)
        self._route("GET", rf"/applications/{snow}/guilds/{snow}/commands", self._get_commands)
        self._route("POST", rf"/interactions/{snow}/([^/]+)/callback", self._callback, auth=False)
        self._route("POST", rf"/webhooks/{snow}/([^/]+)", self._followup, auth=False)
        self._route(
            "GET",
            rf"/webhooks/{snow}/([^/]+)/messages/(@original|\d+)",
            self._webhook_get,
            auth=False,
        )
        self._route(
            "PATCH",
            rf"/webhooks/{snow}/([^/]+)/messages/(@original|\d+)",
            self._webhook_edit,
            auth=False,
        )
        self._route(
            "DELETE",
            rf"/webhooks/{snow}/([^/]+)/messages/(@original|\d+)",
            self._webhook_delete,
            auth=False,
        )
        self._route("GET", rf"/channels/{snow}", self._get_channel)
        self._route("POST", rf"/channels/{snow}/messages", self._post_message)
        self._route("GET", rf"/channels/{snow}/messages/{snow}", self._get_message)
        self._route("PATCH", rf"/channels/{snow}/messages/{snow}", self._edit_message)
        self._route("DELETE", rf"/channels/{snow}/messages/{snow}", self._delete_message)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        status = 500
        try:
            response = await self._handle(request, method, path)
            status = response.status
            return response
        except ApiError as exc:
            status = exc.status
            if exc.status in (400, 401, 403, 404) and exc.code not in (10062, 40060):
                self._violation(method, path, exc.status, exc.code, exc.message)
            return json_response(exc.body, status=exc.status)
        finally:
            self.requests.append(RequestRecord(method, path, status, time.monotonic()))

    async def _handle(self, request: web.Request, method: str, path: str) -> web.StreamResponse:
        for route_method, pattern, handler, auth in self._routes:
            match = pattern.match(path)
            if match is None or route_method != method:
                continue
            if auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise ApiError(401, 0, "401: Unauthorized")
            await self._check_against_spec(request, method, path)
            limited = self._fault_or_limit(method, path, exempt=not auth)
            if limited is not None:
                return limited
            return await handler(request, match)
        await self._check_against_spec(request, method, path)
        raise ApiError(404, 0, f"404: Not Found ({method} {path} is not emulated)")

    async def _check_against_spec(self, request: web.Request, method: str, path: str) -> None:
        """Record what Discord's API description refuses; the emulator's own rules still answer."""
        if not self.openapi_check:
            return
        try:
            body = await self._body(request)
        except ValueError as exc:
            self._violation(
                method, path, 400, 50109, f"the body is not JSON ({exc})", rule="openapi"
            )
            return
        for problem in discord_api_spec().check(method, path, body):
            self._violation(method, path, 400, 50035, problem, rule="openapi")

    def _fault_or_limit(self, method: str, path: str, *, exempt: bool) -> web.Response | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.pattern.search(path) and fault.active():
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                return self._error_response(fault.status, fault.retry_after, scope="user")
        if self.rate_limit_per_second is None or exempt:
            return None
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate_limit_per_second:
            self.rate_limited.append(now)
            retry = max(0.01, 1.0 - (now - self._window[0]))
            return self._error_response(429, retry, scope="global")
        self._window.append(now)
        return None

    @staticmethod
    def _error_response(status: int, retry_after: float, *, scope: str) -> web.Response:
        if status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(retry_after, 3),
                "global": scope == "global",
                "code": 0,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": scope,
            }
            if scope == "global":
                headers["X-RateLimit-Global"] = "true"
            return json_response(body, status=429, headers=headers)
        return json_response({"message": f"{status}: injected fault", "code": 0}, status=status)

    def _violation(
        self, method: str, path: str, status: int, code: int, detail: str, *, rule: str = "limits"
    ) -> None:
        log.warning("emulator rejected %s %s: %s %s", method, path, status, detail)
        self.violations.append(Violation(method, path, status, code, detail, rule))

    @staticmethod
    async def _body(request: web.Request) -> Any | None:
        """The request's JSON (a multipart request's ``payload_json``), or None without a body.

        aiohttp keeps the bytes it read, so the spec check and the handler can both call this.
        """
        body: Any = None
        if request.content_type.startswith("multipart/"):
            raw = (await request.post()).get("payload_json")
            if isinstance(raw, web.FileField):  # sent as a file part
                raw.file.seek(0)
                raw = raw.file.read()
            if isinstance(raw, bytes | bytearray):  # sent with a non-text content type
                raw = raw.decode()
            body = json.loads(str(raw)) if raw is not None else None
        elif request.body_exists:
            text = await request.text()
            body = json.loads(text) if text else None
        return body

    async def _json(
        self, request: web.Request, *, existing: Message | None = None
    ) -> dict[str, Any]:
        """The request's JSON; for a multipart upload, ``payload_json`` with its ``attachments``
        resolved to attachment objects (see ``bot.sandbox.uploads``)."""
        files: dict[int, uploads.Upload] = {}
        if request.content_type.startswith("multipart/"):
            files = uploads.read_files(iter((await request.post()).items()))
        body = await self._body(request)
        data: dict[str, Any] = body if isinstance(body, dict) else {}
        # An interaction callback carries the message one level down: {"type": 4, "data": {...}}.
        message = data["data"] if "type" in data and isinstance(data.get("data"), dict) else data
        if files or "attachments" in message:
            try:
                message["attachments"] = uploads.attachments(
                    message,
                    files,
                    new_id=self.ids.next,
                    base_url=f"http://{self.host}:{self.port}",
                    stored=self.uploaded,
                    existing=existing.attachments if existing else None,
                )
            except uploads.UploadError as error:
                raise ApiError(error.status, error.code, error.message) from None
        return data

    def attachment_data(self, attachment: dict[str, Any]) -> bytes:
        """The bytes uploaded for one of a message's attachments."""
        return self.uploaded[int(attachment["id"])]

    def _check_references(self, msg: Message) -> None:
        # Discord accepts an embed whose attachment:// names no file, and shows it without it.
        for name in uploads.missing_references(msg.embeds, msg.attachments):
            self._violation(
                "POST", "message", 200, 0, f"embed shows attachment://{name}: no such attachment"
            )

    # ------------------------------------------------------------------ REST: identity and commands
    async def _get_me(self, request: web.Request, m: re.Match[str]) -> web.Response:
        return json_response(
            {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "flags": 0}
        )

    async def _get_app(self, request: web.Request, m: re.Match[str]) -> web.Response:
        return json_response(
            {
                "id": str(self.app_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "kpops-bot (sandbox)",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {
                    "id": "1",
                    "username": "sandbox-owner",
                    "discriminator": "0",
                    "avatar": None,
                },
                "summary": "",
                "verify_key": "0" * 64,
                "team": None,
                "flags": 0,
                "bot": self.bot_user.to_dict(),
            }
        )

    async def _get_gateway(self, request: web.Request, m: re.Match[str]) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url,
                "shards": self.recommended_shard_count(),
                "session_start_limit": {
                    "total": 1000,
                    "remaining": max(0, 1000 - self.identifies),
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    def recommended_shard_count(self) -> int:
        if self.recommended_shards is not None:
            return self.recommended_shards
        return max(1, -(-len(self.guilds) // GUILDS_PER_RECOMMENDED_SHARD))

    async def _put_commands(self, request: web.Request, m: re.Match[str]) -> web.Response:
        if int(m.group(1)) != self.app_id:
            raise ApiError(403, 50001, "Missing Access")
        guild_id = int(m.group(2)) if m.lastindex and m.lastindex >= 2 else None
        body = await self._body(request)
        if not isinstance(body, list):
            raise ApiError(400, 50035, "Invalid Form Body")
        reject_invalid(validation.check_commands(body, global_=guild_id is None))
        stored = [self._store_command(cmd, guild_id) for cmd in body]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.command_syncs.append("global" if guild_id is None else str(guild_id))
        return json_response(stored)

    def _store_command(self, cmd: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        stored = {
            "id": str(self.ids.next()),
            "application_id": str(self.app_id),
            "version": str(self.ids.next()),
            "type": cmd.get("type", 1),
            "name": cmd["name"],
            "description": cmd.get("description", ""),
            "options": cmd.get("options", []),
            "default_member_permissions": cmd.get("default_member_permissions"),
            "dm_permission": cmd.get("dm_permission", True),
            "contexts": cmd.get("contexts"),
            "integration_types": cmd.get("integration_types", [0]),
            "nsfw": cmd.get("nsfw", False),
            "name_localizations": cmd.get("name_localizations"),
            "description_localizations": cmd.get("description_localizations"),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    async def _get_commands(self, request: web.Request, m: re.Match[str]) -> web.Response:
        guild_id = int(m.group(2)) if m.lastindex and m.lastindex >= 2 else None
        cmds = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])
        return json_response(cmds)

    def registered(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands a member of ``guild_id`` can see: that guild's, then the global ones."""
        guild_cmds = self.guild_commands.get(guild_id, []) if guild_id is not None else []
        names = {c["name"] for c in guild_cmds}
        return guild_cmds + [c for c in self.global_commands if c["name"] not in names]

    # ------------------------------------------------------------------ REST: interactions
    def _interaction(self, interaction_id: int | None, token: str) -> InteractionResult:
        result = self._by_token.get(token)
        if result is None or (interaction_id is not None and result.id != interaction_id):
            raise ApiError(404, 10062, "Unknown interaction")
        return result

    async def _callback(self, request: web.Request, m: re.Match[str]) -> web.Response:
        result = self._interaction(int(m.group(1)), m.group(2))
        body = await self._json(request)
        rtype = body.get("type")
        elapsed = time.monotonic() - result.created
        if result.response_type is not None:
            self._violation("POST", "callback", 400, 40060, "interaction acknowledged twice")
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > limits.INTERACTION_DEADLINE_SECONDS:
            self._violation(
                "POST", "callback", 404, 10062, f"initial response after {elapsed:.2f}s (limit 3s)"
            )
            raise ApiError(404, 10062, "Unknown interaction")
        allowed = {COMMAND: {4, 5, 9}, COMPONENT: {4, 5, 6, 7, 9}, AUTOCOMPLETE: {8}}.get(
            result.type, {4, 5}
        )
        if rtype not in allowed:
            errors = [
                (
                    "type",
                    f"Interaction response type {rtype} is not valid for interaction type {result.type}",
                )
            ]
            raise ApiError(400, 50035, errors[0][1], validation.error_body(errors))
        data = body.get("data") or {}
        resource: dict[str, Any] = {"type": rtype}
        if rtype == 8:
            errors = validation.check_choices(data.get("choices") or [])
            if errors:
                raise ApiError(
                    400, 50035, "; ".join(e for _, e in errors), validation.error_body(errors)
                )
            result.choices = data.get("choices") or []
        elif rtype in (4, 5):
            if rtype == 4:
                reject_invalid(validation.check_message(data))
            msg = self._new_message(result.channel, data, interaction=result, loading=rtype == 5)
            result.original = msg
            resource["message"] = msg.to_dict()
        elif rtype == 7:
            target = result.source_message
            assert target is not None
            reject_invalid(validation.check_message(data, edit=True))
            self._apply_edit(target, data, by_interaction=True)
            result.original = target
            resource["message"] = target.to_dict()
        elif rtype == 6:
            result.original = result.source_message
        result.response_type = rtype
        result.acked_at = time.monotonic()
        await result.notify()
        await self._messages_changed()
        original = result.original
        return json_response(
            {
                "interaction": {
                    "id": str(result.id),
                    "type": result.type,
                    **(
                        {"response_message_id": str(original.id)}
                        if original and rtype in (4, 5, 7)
                        else {}
                    ),
                    "response_message_loading": rtype == 5,
                    "response_message_ephemeral": bool(
                        original and original.ephemeral and rtype in (4, 5)
                    ),
                },
                "resource": resource,
            }
        )

    def _token_result(self, app_id: str, token: str) -> InteractionResult:
        if int(app_id) != self.app_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        result = self._interaction(None, token)
        if result.response_type is None:
            raise ApiError(400, 40060 + 0, "Interaction has not been acknowledged.")
        if result.expired:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return result

    async def _followup(self, request: web.Request, m: re.Match[str]) -> web.Response:
        result = self._token_result(m.group(1), m.group(2))
        data = await self._json(request)
        reject_invalid(validation.check_message(data))
        original = result.original
        if result.response_type == 5 and original is not None and original.loading:
            # The first follow-up after a deferred response fills in the "thinking" message.
            self._apply_edit(original, data, by_interaction=True)
            original.loading = False
            msg = original
        else:
            msg = self._new_message(result.channel, data, interaction=result)
            result.followups.append(msg)
        await result.notify()
        await self._messages_changed()
        return json_response(msg.to_dict())

    def _webhook_target(self, result: InteractionResult, which: str) -> Message:
        if which == "@original":
            if result.original is None:
                raise ApiError(404, 10008, "Unknown Message")
            return result.original
        mid = int(which)
        allowed = [*result.followups, *(x for x in (result.original, result.source_message) if x)]
        for msg in allowed:
            if msg.id == mid and not msg.deleted:
                return msg
        raise ApiError(404, 10008, "Unknown Message")

    async def _webhook_get(self, request: web.Request, m: re.Match[str]) -> web.Response:
        result = self._token_result(m.group(1), m.group(2))
        return json_response(self._webhook_target(result, m.group(3)).to_dict())

    async def _webhook_edit(self, request: web.Request, m: re.Match[str]) -> web.Response:
        result = self._token_result(m.group(1), m.group(2))
        target = self._webhook_target(result, m.group(3))
        data = await self._json(request, existing=target)
        reject_invalid(validation.check_message(data, edit=True))
        self._apply_edit(target, data, by_interaction=True)
        target.loading = False
        await result.notify()
        await self._messages_changed()
        return json_response(target.to_dict())

    async def _webhook_delete(self, request: web.Request, m: re.Match[str]) -> web.Response:
        result = self._token_result(m.group(1), m.group(2))
        target = self._webhook_target(result, m.group(3))
        target.deleted = True
        await result.notify()
        return web.Response(status=204)

    # ------------------------------------------------------------------ REST: channels and messages
    def _writable_channel(self, channel_id: int, *, embeds: bool = False) -> Channel:
        channel = self.channel(channel_id)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        guild = self.guilds[channel.guild_id]
        perms = guild.permissions_in(self.bot_member(guild), channel)
        if not perms & limits.VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if not perms & limits.SEND_MESSAGES:
            raise ApiError(403, 50013, "Missing Permissions")
        if embeds and not perms & limits.EMBED_LINKS:
            # Discord accepts the message but drops the embeds: the post is broken all the same.
            self._violation(
                "POST", f"/channels/{channel_id}/messages", 200, 0, "embeds without Embed Links"
            )
        return channel

    async def _get_channel(self, request: web.Request, m: re.Match[str]) -> web.Response:
        channel = self.channel(int(m.group(1)))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return json_response(channel.to_dict())

    async def _post_message(self, request: web.Request, m: re.Match[str]) -> web.Response:
        data = await self._json(request)
        channel = self._writable_channel(int(m.group(1)), embeds=bool(data.get("embeds")))
        guild = self.guilds[channel.guild_id]
        perms = guild.permissions_in(self.bot_member(guild), channel)
        if data.get("attachments") and not perms & limits.ATTACH_FILES:
            raise ApiError(403, 50013, "Missing Permissions")
        reject_invalid(validation.check_message(data))
        msg = self._new_message(channel, data)
        await self._messages_changed()
        return json_response(msg.to_dict())

    def _channel_message(self, m: re.Match[str]) -> Message:
        msg = self.messages.get(int(m.group(2)))
        if msg is None or msg.deleted or msg.channel_id != int(m.group(1)) or msg.ephemeral:
            if self.channel(int(m.group(1))) is None:
                raise ApiError(404, 10003, "Unknown Channel")
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def _get_message(self, request: web.Request, m: re.Match[str]) -> web.Response:
        return json_response(self._channel_message(m).to_dict())

    async def _edit_message(self, request: web.Request, m: re.Match[str]) -> web.Response:
        msg = self._channel_message(m)
        if msg.author.id != self.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        now = self.clock()
        if now - msg.created > limits.OLD_MESSAGE_SECONDS:
            recent = [t for t in msg.edits if now - t < 3600]
            if len(recent) >= self.old_message_edit_cap:
                raise ApiError(
                    400,
                    30046,
                    "Maximum number of edits to messages older than 1 hour reached. Try again later.",
                )
        data = await self._json(request, existing=msg)
        reject_invalid(validation.check_message(data, edit=True))
        self._apply_edit(msg, data, by_interaction=False)
        await self._messages_changed()
        return json_response(msg.to_dict())

    async def _delete_message(self, request: web.Request, m: re.Match[str]) -> web.Response:
        msg = self._channel_message(m)
        msg.deleted = True
        return web.Response(status=204)

    def _new_message(
        self,
        channel: Channel,
        data: dict[str, Any],
        *,
        interaction: InteractionResult | None = None,
        loading: bool = False,
    ) -> Message:
        now = self.clock()
        flags = int(data.get("flags") or 0)
        allowed = data.get("allowed_mentions")
        msg = Message(
            id=self.ids.next(now),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=self.bot_user,
            created=now,
            content=data.get("content") or "",
            embeds=data.get("embeds") or [],
            components=self._with_ids(data.get("components") or []),
            flags=flags & limits.EPHEMERAL_FLAG,
            allowed_mentions=allowed,
            pings=validation.pings(data.get("content") or "", allowed),
            interaction_id=interaction.id if interaction else None,
            interaction_user=interaction.member.user if interaction else None,
            interaction_type=interaction.type if interaction else 0,
            visible_to=interaction.member.id
            if interaction and flags & limits.EPHEMERAL_FLAG
            else None,
            loading=loading,
            attachments=data.get("attachments") or [],
        )
        self.messages[msg.id] = msg
        self._check_references(msg)
        return msg

    @staticmethod
    def _with_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Discord numbers every component of a message; discord.py reads those ids back."""
        counter = 1
        out = []
        for row in rows:
            row = dict(row)
            row.setdefault("id", counter)
            counter += 1
            children = []
            for child in row.get("components") or []:
                child = dict(child)
                child.setdefault("id", counter)
                counter += 1
                children.append(child)
            row["components"] = children
            out.append(row)
        return out

    def _apply_edit(self, msg: Message, data: dict[str, Any], *, by_interaction: bool) -> None:
        if "content" in data:
            msg.content = data["content"] or ""
            allowed = data.get("allowed_mentions", msg.allowed_mentions)
            msg.pings = validation.pings(msg.content, allowed)
        if "embeds" in data:
            msg.embeds = data["embeds"] or []
        if "components" in data:
            msg.components = self._with_ids(data["components"] or [])
        if "attachments" in data:
            msg.attachments = data["attachments"]
        self._check_references(msg)
        if not by_interaction or not msg.loading:
            msg.edits.append(self.clock())
        msg.loading = False
