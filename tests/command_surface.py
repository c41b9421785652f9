"""The bot's surface as a Discord client sees it, and the checks every request must pass.

Commands are discovered from what the bot registered, buttons from the custom_ids on the messages
it sent: nothing here is a hand-kept list of commands, so the hostile-input and permission tests
cover a new command or button as soon as it exists. Used by tests/test_hostile_input.py and
tests/test_permissions.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot import errors, limits
from bot.checks import not_a_moderator
from bot.client import KpopsBot
from bot.i18n import ENGLISH, KOREAN
from bot.sandbox import Channel, Driver, Guild, InteractionResult, Member, Message, Role
from bot.sandbox.driver import BOOLEAN, CHANNEL, INTEGER, ROLE, STRING, SUB_COMMAND, SUB_GROUP
from bot.storage import Database
from bot.storage.config import ConfigStore
from cogs.film.store import AnswerOutcome
from tests.conftest import World, build_world

# Tables the bot itself writes in the background whatever users do (the gateway heartbeat).
UNWATCHED_TABLES = frozenset({"meta", "schema_migrations"})

# What must never reach a user: Python or library internals, or the catch-all apology for an
# unexpected exception (hostile input is expected input: it must get a real answer).
LEAK = re.compile(
    r"Traceback \(most recent call last\)"
    r"|File \"[^\"]*\", line \d+"
    r"|\b[A-Z][A-Za-z]*(?:Error|Exception)\b"
    r"|\bsqlite3?\.|aiosqlite|discord\.(?:errors|app_commands|ui)\b"
    r"|<coroutine |object at 0x[0-9a-f]+"
    r"|something went wrong on our side",
)

# Discord's range for integer options (a client cannot send more).
INT_OPTION_MIN, INT_OPTION_MAX = -(2**53), 2**53

# Names of the asyncio tasks discord.py starts per event / interaction (see discord.client,
# discord.app_commands.tree and discord.ui.view): the bot is idle when none is running.
TRANSIENT_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-")


# ---------------------------------------------------------------------------------------------
# Commands, as registered
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    """One runnable command (`/quote add`) and its declared options."""

    path: str
    options: tuple[dict[str, Any], ...]
    #: The top-level command's default_member_permissions. Discord has this field on top-level
    #: commands only, so a subcommand shares its group's.
    default_member_permissions: int | None

    @property
    def hidden_by_default(self) -> bool:
        """Discord hides it from members without the permissions (until an admin overrides)."""
        return self.default_member_permissions is not None

    def option(self, name: str) -> dict[str, Any]:
        return next(o for o in self.options if o["name"] == name)


def command_leaves(driver: Driver, guild_id: int) -> list[Leaf]:
    """Every chat-input command a member of ``guild_id`` can run, from the registered payloads."""
    found: list[Leaf] = []
    for cmd in driver.registered(guild_id):
        if cmd.get("type", 1) != 1:
            continue
        perms = cmd.get("default_member_permissions")
        found.extend(_walk(cmd, cmd["name"], None if perms is None else int(perms)))
    return sorted(found, key=lambda leaf: leaf.path)


def _walk(node: dict[str, Any], path: str, perms: int | None) -> list[Leaf]:
    options = node.get("options") or []
    subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_GROUP)]
    if not subs:
        return [Leaf(path, tuple(options), perms)]
    return [leaf for sub in subs for leaf in _walk(sub, f"{path} {sub['name']}", perms)]


def string_max(spec: dict[str, Any]) -> int:
    """The longest value a client can type into a string option."""
    return min(int(spec.get("max_length", limits.STRING_OPTION_MAX)), limits.STRING_OPTION_MAX)


def int_bounds(spec: dict[str, Any]) -> tuple[int, int]:
    return (
        int(spec.get("min_value", INT_OPTION_MIN)),
        int(spec.get("max_value", INT_OPTION_MAX)),
    )


# ---------------------------------------------------------------------------------------------
# The people and places requests come from
# ---------------------------------------------------------------------------------------------
@dataclass
class Servers:
    """Server A (the fixture world, plus an administrator and a moderator-role holder) and
    server B, whose members must never reach A's data."""

    a: World
    b: World
    admin: Member
    admin_role: Role
    helper: Member  # holds helper_role, which has no permissions; /config modrole grants it
    helper_role: Role
    secret: Channel  # a channel of A the bot cannot see


def build_servers(driver: Driver, world: World) -> Servers:
    guild = world.guild
    admin_role = driver.add_role(guild, "Admins", limits.ADMINISTRATOR)
    helper_role = driver.add_role(guild, "Helpers", 0)
    secret = driver.add_channel(guild, "secret")
    driver.set_overwrite(secret, driver.bot_member(guild).id, deny=limits.VIEW_CHANNEL, member=True)
    return Servers(
        a=world,
        b=build_world(driver, "Other Server"),
        admin=driver.add_member(guild, "admin", roles=(admin_role,)),
        admin_role=admin_role,
        helper=driver.add_member(guild, "helper", roles=(helper_role,)),
        helper_role=helper_role,
        secret=secret,
    )


def guild_of(driver: Driver, channel: Channel) -> Guild:
    return driver.guilds[channel.guild_id]


# ---------------------------------------------------------------------------------------------
# The database, before and after
# ---------------------------------------------------------------------------------------------
Snapshot = dict[str, list[tuple[Any, ...]]]


async def snapshot(db: Database, guild_id: int | None = None) -> Snapshot:
    """Every row of every table but ``meta``; with ``guild_id``, only that server's rows in the
    tables that name a server (rows of the others, such as votes, are all kept)."""
    out: Snapshot = {}
    for name in await db.tables():
        if name in UNWATCHED_TABLES:
            continue
        columns = set(await db.columns(name))
        if guild_id is not None and "guild_id" in columns:
            rows = await db.fetchall(f"SELECT * FROM {name} WHERE guild_id = ?", (guild_id,))  # noqa: S608 - a table name from the schema
        else:
            rows = await db.fetchall(f"SELECT * FROM {name}")  # noqa: S608 - a table name from the schema
        out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def diff(before: Snapshot, after: Snapshot) -> str:
    """A short description of what changed, for assertion messages."""
    lines: list[str] = []
    for table in sorted(set(before) | set(after)):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        for row in sorted(old - new, key=repr)[:3]:
            lines.append(f"{table}: - {row!r:.300}")
        for row in sorted(new - old, key=repr)[:3]:
            lines.append(f"{table}: + {row!r:.300}")
    return "\n".join(lines) or "(no difference)"


async def write_behind_now(bot: KpopsBot) -> None:
    """Write now what the bot writes behind (the fact rotation, grouped a second later), so a
    snapshot taken next holds what earlier requests did, and a later one only what came after."""
    film: Any = bot.get_cog("Film")
    if film is not None:
        await film.store.rotation.flush()


async def settle(timeout: float = 5.0) -> None:
    """Wait until the bot has finished handling every event it was given (its per-event tasks
    are done), so that a snapshot taken now includes everything earlier requests wrote."""
    current = asyncio.current_task()
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        busy = [
            t
            for t in asyncio.all_tasks()
            if t is not current and not t.done() and t.get_name().startswith(TRANSIENT_TASKS)
        ]
        if not busy:
            return
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"the bot is still busy: {[t.get_name() for t in busy]}")
        await asyncio.wait(busy, timeout=left)


# ---------------------------------------------------------------------------------------------
# What users saw
# ---------------------------------------------------------------------------------------------
def visible_text(message: Message) -> str:
    """Everything a user can read on a message: content, embeds and button labels."""
    labels = [str(b.get("label") or "") for b in message.buttons()]
    return "\n".join([message.text(), *labels])


def leak_in(message: Message) -> str | None:
    found = LEAK.search(visible_text(message))
    return None if found is None else found.group(0)


def shown_messages(result: InteractionResult) -> list[Message]:
    """The messages an interaction produced or changed."""
    out = list(result.messages)
    if result.response_type == 7 and result.original is not None:
        out.append(result.original)
    return out


def is_permission_refusal(result: InteractionResult) -> bool:
    return result.ephemeral and result.text in {
        not_a_moderator(ENGLISH).text(ENGLISH),
        not_a_moderator(KOREAN).text(KOREAN),
    }


# A reply that promises nothing happened.
NOTHING_CHANGED = re.compile(
    r"\bnothing (?:was )?(?:changed|added)\b|바뀐 것은 없어요", re.IGNORECASE
)


def quiet_refusals() -> frozenset[str]:
    """Refusals the cogs answer directly rather than through the error reporter: a vote on an
    unknown or closed poll, an answer to a closed, unknown or already answered question."""
    from cogs.film import cog as film  # the texts only
    from cogs.poll import cog as poll

    outcomes = (AnswerOutcome.CLOSED, AnswerOutcome.UNKNOWN, AnswerOutcome.ALREADY_ANSWERED)
    return frozenset(
        {poll.UNKNOWN_POLL, poll.CLOSED_POLL, poll.POLLS_OFF}
        | {film.ANSWER_REPLIES[o] for o in outcomes}
    )


def is_quiet_refusal(result: InteractionResult, known: frozenset[str]) -> bool:
    text = result.text
    return result.ephemeral and (text in known or NOTHING_CHANGED.search(text) is not None)


def custom_ids(message: Message) -> list[str]:
    return [str(b["custom_id"]) for b in message.buttons() if b.get("custom_id")]


def all_pings(driver: Driver) -> list[tuple[int, list[str]]]:
    return [(m.id, m.pings) for m in driver.messages.values() if m.pings]


@dataclass
class ErrorReplies:
    """Interactions the bot refused through its error reporter (``bot.errors.report_error``):
    every UserFacingError and failed check ends in ``send_ephemeral``."""

    ids: set[int] = field(default_factory=set)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> ErrorReplies:
        original = errors.send_ephemeral

        async def recording(interaction: Any, text: str, view: Any = None) -> None:
            self.ids.add(int(interaction.id))
            await original(interaction, text, view)

        monkeypatch.setattr(errors, "send_ephemeral", recording)
        return self


class ErrorLog(logging.Handler):
    """Collects ERROR records (an exception the bot did not handle, anywhere)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summary(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:300]}" for r in self.records]


@contextmanager
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


# ---------------------------------------------------------------------------------------------
# Ordinary (non-hostile) input, to reach the success paths
# ---------------------------------------------------------------------------------------------
_unique = itertools.count(1)

# Example values for free-text options, by option name. A name not listed gets "music".
EXAMPLES: dict[str, Callable[[], str]] = {
    "text": lambda: f"Music carries what a family remembers, take {next(_unique)}.",
    "speaker": lambda: "A fan of the film",
    "source": lambda: "https://example.com/kpops",
    "time": lambda: "09:00",
}


async def plausible_options(
    driver: Driver, leaf: Leaf, member: Member, channel: Channel
) -> dict[str, Any]:
    """Required options filled as a fan would: the first choice, the n-th autocomplete
    suggestion, an example value. Optional options are left out."""
    guild = guild_of(driver, channel)
    options: dict[str, Any] = {}
    nth_autocomplete = 0
    for spec in leaf.options:
        if not spec.get("required"):
            continue
        name, kind = spec["name"], spec["type"]
        if spec.get("choices"):
            options[name] = spec["choices"][0]["value"]
        elif spec.get("autocomplete"):
            offered = await driver.autocomplete(
                leaf.path, name, "", options, member=member, channel=channel
            )
            assert offered, f"/{leaf.path} {name}: autocomplete offered nothing"
            options[name] = offered[min(nth_autocomplete, len(offered) - 1)]["value"]
            nth_autocomplete += 1
        elif kind == STRING:
            options[name] = EXAMPLES.get(name, lambda: "music")()
        elif kind == INTEGER:
            low, high = int_bounds(spec)
            options[name] = min(max(1, low), high)
        elif kind == BOOLEAN:
            options[name] = True
        elif kind == CHANNEL:
            options[name] = channel
        elif kind == ROLE:
            options[name] = next(r for r in guild.roles.values() if r.id != guild.id)
        else:
            raise AssertionError(f"/{leaf.path}: no example for option type {kind}")
    return options


@dataclass(frozen=True)
class ModeratorCommands:
    """Which commands are for moderators, found two ways."""

    #: Commands Discord hides from members without Manage Server (default_member_permissions).
    #: Discord has the field on top-level commands only: a group mixing member and moderator
    #: subcommands (/quote, /poll) cannot be marked this way.
    by_payload: frozenset[str]
    #: Commands that refused a plain member with the moderator message at run time.
    by_refusal: frozenset[str]

    @property
    def paths(self) -> frozenset[str]:
        return self.by_payload | self.by_refusal


async def discover_moderator_commands(
    driver: Driver, leaves: list[Leaf], member: Member, channel: Channel
) -> ModeratorCommands:
    """Run every command once as ``member`` (a plain member) with ordinary input."""
    refused: set[str] = set()
    for leaf in leaves:
        options = await plausible_options(driver, leaf, member, channel)
        result = await driver.invoke(leaf.path, options, member=member, channel=channel)
        if is_permission_refusal(result):
            refused.add(leaf.path)
    by_payload = {
        leaf.path
        for leaf in leaves
        if leaf.default_member_permissions is not None
        and leaf.default_member_permissions & (limits.MANAGE_GUILD | limits.ADMINISTRATOR)
    }
    return ModeratorCommands(frozenset(by_payload), frozenset(refused))


async def is_moderator(bot: KpopsBot, driver: Driver, member: Member, channel: Channel) -> bool:
    """Who the bot should treat as a moderator here (the rule of /config modrole's help)."""
    guild = guild_of(driver, channel)
    perms = guild.permissions_in(member, channel)
    if perms & (limits.MANAGE_GUILD | limits.ADMINISTRATOR):
        return True
    role_id = await ConfigStore(bot.db).mod_role(guild.id)
    return role_id is not None and role_id in member.role_ids
