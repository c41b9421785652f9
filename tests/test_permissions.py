"""Who may do what: every moderator command and every moderator-only button, tried by every kind
of member, through the emulator.

The moderator commands are discovered, not listed: from the registered payloads
(default_member_permissions) and from what the bot refuses a plain member at run time. Discord has
default_member_permissions on top-level commands only, so /config (all moderator) carries it while
/quote and /poll, which mix member and moderator subcommands, cannot: their moderator subcommands
are found by the run-time refusal, which every moderator command must give anyway.

Each try is prepared so that it would succeed (a quote to remove, a poll to end, none open to
start); allowed members must succeed, everyone else gets the moderator refusal and the database is
left exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Driver, InteractionResult, Member, Message, Role
from bot.sandbox.harness import running_bot
from bot.storage.config import ConfigStore
from cogs.poll.store import PollStore
from cogs.quotes.store import QuoteStore
from tests.command_surface import (
    ErrorReplies,
    Leaf,
    ModeratorCommands,
    Servers,
    all_pings,
    command_leaves,
    custom_ids,
    diff,
    discover_moderator_commands,
    is_permission_refusal,
    leak_in,
    plausible_options,
    settle,
    shown_messages,
    snapshot,
    write_behind_now,
)
from tests.conftest import World

#: Commands the command surface marks "moderators": discovery must find at least these.
MUST_BE_MODERATOR = {
    "config show",
    "config channel",
    "config schedule",
    "config toggle",
    "config modrole",
    "quote add",
    "quote remove",
    "poll start",
    "poll end",
}
#: Commands for everyone (the command surface's "everyone" rows that act on members' own data).
MUST_BE_FOR_EVERYONE = {"privacy show", "privacy delete"}
#: Options of member commands that only moderators may use, checked at run time:
#: (command, option, a value that is not the caller).
MODERATOR_OPTIONS = {("privacy delete", "member")}


@dataclass
class Setup:
    bot: KpopsBot
    driver: Driver
    servers: Servers
    replies: ErrorReplies

    @property
    def a(self) -> World:
        return self.servers.a

    async def as_owner(self, path: str, options: dict[str, Any] | None = None) -> InteractionResult:
        result = await self.driver.invoke(
            path, options or {}, member=self.a.owner, channel=self.a.general
        )
        await settle()
        assert result.id not in self.replies.ids, f"/{path} failed for the owner: {result.text}"
        return result

    async def set_mod_role(self, role: Role | None) -> None:
        if await ConfigStore(self.bot.db).mod_role(self.a.guild.id) != (role and role.id):
            await self.as_owner("config modrole", {"role": role} if role else {})


@pytest.fixture
async def setup(
    driver: Driver,
    servers: Servers,
    db_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Setup]:
    replies = ErrorReplies().install(monkeypatch)
    async with running_bot(driver, db_path, clock=clock) as bot:
        await settle()
        yield Setup(bot, driver, servers, replies)


async def moderator_commands(s: Setup) -> tuple[list[Leaf], ModeratorCommands]:
    leaves = command_leaves(s.driver, s.a.guild.id)
    found = await discover_moderator_commands(s.driver, leaves, s.a.fan, s.a.general)
    await settle()
    return [leaf for leaf in leaves if leaf.path in found.paths], found


# ---------------------------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------------------------
async def test_moderator_commands_are_discovered(setup: Setup) -> None:
    s = setup
    leaves = command_leaves(s.driver, s.a.guild.id)
    _, found = await moderator_commands(s)
    assert found.by_payload, "no command carries default_member_permissions"
    assert {p for p in MUST_BE_MODERATOR if p.startswith("config ")} <= found.by_payload
    assert MUST_BE_MODERATOR <= found.paths, sorted(MUST_BE_MODERATOR - found.paths)
    assert not MUST_BE_FOR_EVERYONE & found.paths, sorted(MUST_BE_FOR_EVERYONE & found.paths)
    assert MUST_BE_FOR_EVERYONE <= {leaf.path for leaf in leaves}
    # Hidden by Discord is not enough (server admins can override it): each is refused at run time.
    assert found.by_payload <= found.by_refusal, sorted(found.by_payload - found.by_refusal)
    for leaf in leaves:
        if leaf.path in found.by_payload:
            assert leaf.default_member_permissions == limits.MANAGE_GUILD, leaf
        elif leaf.path not in found.paths:
            # A member command must stay visible to members.
            assert not leaf.hidden_by_default, f"/{leaf.path} is hidden from members"
    # /help marks exactly the moderator commands.
    shown = (await s.driver.invoke("help", member=s.a.fan, channel=s.a.general)).text
    marked = {
        line.split("`")[1].lstrip("/"): "🛡️" in line
        for line in shown.splitlines()
        if line.startswith("`/")
    }
    assert marked == {leaf.path: leaf.path in found.paths for leaf in leaves}
    # A top-level command whose every subcommand is for moderators is hidden from members.
    for root in {leaf.path.split()[0] for leaf in leaves}:
        subs = [leaf for leaf in leaves if leaf.path.split()[0] == root]
        if all(leaf.path in found.paths for leaf in subs):
            assert all(leaf.hidden_by_default for leaf in subs), f"/{root} is visible to members"


# ---------------------------------------------------------------------------------------------
# The matrix for commands
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Who:
    name: str
    member: Callable[[Servers], Member]
    #: Whether the bot must let this member run moderator commands (in its own server).
    allowed: bool
    #: The moderator role in server A while this member tries (None: no moderator role).
    mod_role: Callable[[Servers], Role | None]
    #: A member of server B, trying in B: server A's rows must not change whatever happens.
    elsewhere: bool = False


MATRIX = [
    Who("plain member", lambda s: s.a.fan, False, lambda s: s.helper_role),
    Who("moderator-role holder", lambda s: s.helper, True, lambda s: s.helper_role),
    Who("former moderator-role holder", lambda s: s.helper, False, lambda s: None),
    Who("Manage Server", lambda s: s.a.moderator, True, lambda s: s.helper_role),
    Who("Administrator", lambda s: s.admin, True, lambda s: None),
    Who("plain member of another server", lambda s: s.b.fan, False, lambda s: None, True),
    Who("moderator of another server", lambda s: s.b.moderator, True, lambda s: None, True),
]


async def prepared_options(s: Setup, leaf: Leaf) -> dict[str, Any]:
    """Options under which ``leaf`` succeeds for a moderator of server A, with server A's state
    made ready for it (so that a refused try has something real to leave alone)."""
    options = await plausible_options(s.driver, leaf, s.a.owner, s.a.general)
    polls, quotes = PollStore(s.bot.db), QuoteStore(s.bot.db)
    if leaf.path == "quote remove":
        own = await quotes.server_quotes(s.a.guild.id)
        if not own:
            await s.as_owner(
                "quote add",
                await plausible_options(s.driver, _leaf(s, "quote add"), s.a.owner, s.a.general),
            )
            own = await quotes.server_quotes(s.a.guild.id)
        options["id"] = own[-1].number
    elif leaf.path == "poll end":
        if await polls.open_in_channel(s.a.general.id) is None:
            await s.as_owner("poll start")
    elif leaf.path == "poll start":
        if await polls.open_in_channel(s.a.general.id) is not None:
            await s.as_owner("poll end")
    return options


def _leaf(s: Setup, path: str) -> Leaf:
    return next(leaf for leaf in command_leaves(s.driver, s.a.guild.id) if leaf.path == path)


async def try_command(
    s: Setup, leaf: Leaf, who: Who, options: dict[str, Any]
) -> tuple[InteractionResult, str]:
    member = who.member(s.servers)
    channel = s.servers.b.general if who.elsewhere else s.a.general
    what = f"/{leaf.path} as {who.name}"
    await settle()
    await write_behind_now(s.bot)
    everything, server_a = await snapshot(s.bot.db), await snapshot(s.bot.db, s.a.guild.id)
    result = await s.driver.invoke(leaf.path, options, member=member, channel=channel)
    await settle()
    assert s.driver.violations == [], f"{what}: {s.driver.violations}"
    assert all_pings(s.driver) == [], what
    for message in shown_messages(result):
        assert leak_in(message) is None, f"{what}: {message.text()[:300]}"
    if who.elsewhere:
        after = await snapshot(s.bot.db, s.a.guild.id)
        assert after == server_a, f"{what} changed server A:\n{diff(server_a, after)}"
    if not who.allowed:
        assert is_permission_refusal(result), f"{what} was not refused: {result.text[:300]!r}"
        after = await snapshot(s.bot.db)
        assert after == everything, f"{what}: refused, yet:\n{diff(everything, after)}"
    else:
        assert not is_permission_refusal(result), f"{what} was refused"
    return result, what


async def test_every_moderator_command_against_every_kind_of_member(setup: Setup) -> None:
    s = setup
    moderator_leaves, _ = await moderator_commands(s)
    outcomes: dict[tuple[str, str], bool] = {}
    for leaf in moderator_leaves:
        for who in MATRIX:
            await s.set_mod_role(who.mod_role(s.servers))
            options = await prepared_options(s, leaf)
            result, what = await try_command(s, leaf, who, options)
            if who.allowed and not who.elsewhere:
                # Prepared to succeed: an allowed member gets no refusal of any kind.
                assert result.id not in s.replies.ids, f"{what} failed: {result.text[:300]!r}"
            outcomes[(leaf.path, who.name)] = not is_permission_refusal(result)
    allowed = {who.name for who in MATRIX if who.allowed}
    for (path, name), succeeded in outcomes.items():
        assert succeeded == (name in allowed), (path, name)
    assert len(outcomes) == len(moderator_leaves) * len(MATRIX)


async def test_moderator_commands_by_another_server_never_reach_this_one(setup: Setup) -> None:
    """Server B's moderator, given server A's ids: A's quote and A's poll stay as they are."""
    s = setup
    await s.as_owner(
        "quote add",
        await plausible_options(s.driver, _leaf(s, "quote add"), s.a.owner, s.a.general),
    )
    await s.as_owner("poll start")
    number = (await QuoteStore(s.bot.db).server_quotes(s.a.guild.id))[-1].number
    b = s.servers.b
    for path, options in (("quote remove", {"id": number}), ("poll end", {})):
        await write_behind_now(s.bot)
        before = await snapshot(s.bot.db)
        result = await s.driver.invoke(path, options, member=b.moderator, channel=b.general)
        await settle()
        assert result.ephemeral and result.id in s.replies.ids, result.text
        assert await snapshot(s.bot.db) == before, path
    assert await PollStore(s.bot.db).open_in_channel(s.a.general.id) is not None


# ---------------------------------------------------------------------------------------------
# Buttons
# ---------------------------------------------------------------------------------------------
def kind_of(custom_id: str) -> str:
    return re.sub(r"\d+", "#", ":".join(custom_id.split(":")[:2]))


async def post_everything(s: Setup, world: World) -> None:
    """Every command run by the server's owner with ordinary input: its messages then carry every
    kind of button the bot makes."""
    for leaf in command_leaves(s.driver, world.guild.id):
        options = await plausible_options(s.driver, leaf, world.owner, world.general)
        await s.driver.invoke(leaf.path, options, member=world.owner, channel=world.general)
    await settle()


def buttons_by_kind(driver: Driver, world: World, member: Member) -> dict[str, tuple[Message, str]]:
    """One button of each kind that ``member`` can see in ``world``."""
    found: dict[str, tuple[Message, str]] = {}
    for message in driver.messages.values():
        if message.guild_id != world.guild.id or message.deleted:
            continue
        if message.visible_to not in (None, member.id):
            continue
        for custom_id in custom_ids(message):
            found.setdefault(kind_of(custom_id), (message, custom_id))
    return found


async def click(
    s: Setup, message: Message, custom_id: str, member: Member
) -> tuple[InteractionResult, bool]:
    """Click as ``member``; returns the result and whether the database stayed the same."""
    await settle()
    await write_behind_now(s.bot)
    before = await snapshot(s.bot.db)
    result = await s.driver.click(message, custom_id=custom_id, member=member, allow_disabled=True)
    await settle()
    assert s.driver.violations == [], s.driver.violations
    assert all_pings(s.driver) == []
    for shown in shown_messages(result):
        assert leak_in(shown) is None, shown.text()[:300]
    return result, await snapshot(s.bot.db) == before


async def test_moderator_only_buttons_and_replays_from_another_server(setup: Setup) -> None:
    s = setup
    a, b = s.a, s.servers.b
    await post_everything(s, a)
    await post_everything(s, b)
    kinds = buttons_by_kind(s.driver, a, a.fan)
    assert len(kinds) >= 5, sorted(kinds)

    # A button is moderator-only if the bot refuses it to a plain member with the moderator
    # message; every other button answers a plain member like anyone.
    moderator_only: dict[str, tuple[Message, str]] = {}
    for kind, (message, custom_id) in sorted(kinds.items()):
        result, unchanged = await click(s, message, custom_id, a.fan)
        if is_permission_refusal(result):
            assert unchanged, f"{custom_id}: refused to a plain member, yet the database changed"
            moderator_only[kind] = (message, custom_id)

    for kind, (message, custom_id) in sorted(moderator_only.items()):
        for who in MATRIX:
            if who.elsewhere:
                continue
            await s.set_mod_role(who.mod_role(s.servers))
            result, unchanged = await click(s, message, custom_id, who.member(s.servers))
            assert is_permission_refusal(result) != who.allowed, (kind, who.name)
            if not who.allowed:
                assert unchanged, (kind, who.name)

    # Members of another server replaying server A's custom_ids, on their own server's messages:
    # refused privately, and nothing changes anywhere.
    theirs = buttons_by_kind(s.driver, b, b.owner)
    plain = next(m for m in s.driver.channel_messages(b.general) if not m.buttons())
    replays = 0
    for kind, (_, custom_id) in sorted(kinds.items()):
        # Onto B's own message of that kind (B's poll, B's question...) and onto a plain one.
        targets = [theirs[kind][0]] if kind in theirs else []
        for member in (b.fan, b.moderator, b.owner):
            for message in [*targets, plain]:
                if custom_id in custom_ids(message):
                    continue  # the same id in both servers (film:fact:any): not a replay
                replays += 1
                kinds_before = {kind_of(c) for c in custom_ids(message)}
                result, unchanged = await click(s, message, custom_id, member)
                if result.response_type == 7:
                    # Only a stateless button acting on its own kind of message (a search page
                    # turned to the words in the custom_id, over B's own quotes).
                    assert kind in kinds_before, (kind, result.text[:200])
                else:
                    assert result.ephemeral and result.response_type == 4, (kind, result.text)
                assert unchanged, f"replaying {custom_id} in another server changed the database"
    assert replays >= len(kinds) * 3


async def test_moderator_only_options_are_refused_to_members(setup: Setup) -> None:
    """A member command whose option reaches someone else's data (``/privacy delete member:``):
    refused to a plain member with the moderator message, allowed to a moderator; the refusal
    changes nothing."""
    s = setup
    leaves = {leaf.path: leaf for leaf in command_leaves(s.driver, s.a.guild.id)}
    for path, option in MODERATOR_OPTIONS:
        assert option in {o["name"] for o in leaves[path].options}, (path, option)
        await write_behind_now(s.bot)
        before = await snapshot(s.bot.db)
        refused = await s.driver.invoke(
            path, {option: s.a.owner}, member=s.a.fan, channel=s.a.general
        )
        assert is_permission_refusal(refused), f"/{path} {option}: {refused.text[:200]!r}"
        assert await snapshot(s.bot.db) == before
        allowed = await s.driver.invoke(
            path, {option: s.a.fan}, member=s.a.moderator, channel=s.a.general
        )
        assert allowed.ephemeral and not is_permission_refusal(allowed), allowed.text
