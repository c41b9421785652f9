"""Hostile input at scale: every option of every command and every button, through the emulator.

Commands and their options are discovered from what the bot registered, buttons from the
custom_ids on the messages it sent (tests/command_surface.py), so a new command or button is
covered as soon as it exists. Inputs are generated with hypothesis: empty-ish text, 6,000
characters (or an option's declared max_length), mentions of every kind, markdown, zero-width and
right-to-left characters, Hangul, emoji, SQL fragments; forged, cross-server, garbled, over-long
and wrong-arity custom_ids. They come from a fan, a moderator, a moderator-role holder and members
of another server.

Every request must be answered in time, the emulator must record no violation, no message may ping
anyone, nothing of Python's or a library's internals (nor the apology for an unexpected exception)
may reach a user, nothing may be logged as an error, and a refused request must leave every table
but ``meta`` exactly as it was.

Hypothesis runs in a worker thread and hands each example to the bot's event loop.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import limits
from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.sandbox import Channel, Driver, InteractionError, InteractionResult, Member, Message
from bot.sandbox.driver import BOOLEAN, CHANNEL, INTEGER, ROLE, STRING, USER
from bot.sandbox.harness import running_bot
from tests.command_surface import (
    EXAMPLES,
    ErrorLog,
    ErrorReplies,
    Leaf,
    ModeratorCommands,
    Servers,
    all_pings,
    command_leaves,
    custom_ids,
    diff,
    discover_moderator_commands,
    error_log,
    guild_of,
    int_bounds,
    is_moderator,
    is_permission_refusal,
    is_quiet_refusal,
    leak_in,
    plausible_options,
    quiet_refusals,
    settle,
    shown_messages,
    snapshot,
    string_max,
    write_behind_now,
)
from tests.conftest import World

EXAMPLES_PER_COMMAND = 30
EXAMPLES_PER_AUTOCOMPLETE = 20
EXAMPLES_OF_CLICKS = 600
EXAMPLE_TIMEOUT = 30.0

# ---------------------------------------------------------------------------------------------
# Hostile text
# ---------------------------------------------------------------------------------------------
# fmt: off
EMPTY_ISH = (" ", "  ", "\t", "\n", "\u200b", "\u200b\u200d\u2060\ufeff", "\u3000", "\u3164", "\u00ad",
             "ㅤ ㅤ")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e")
RIGHT_TO_LEFT = ("\u200e", "\u200f", "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069",
                 "\u061c", "مرحبا", "שלום")
HANGUL = ("케이팝", "방탄소년단", "블랙핑크", "음악", "안녕하세요", "\u1100\u1161\u11a8", "ㅋㅋㅋ",
          "뉴진스 Super Shy", "서울")
EMOJI = ("🎤", "🎶", "👩\u200d👩\u200d👧\u200d👦", "🇰🇷", "🏳️\u200d🌈", "<:kpop:123456789012345678>",
         "<a:dance:1>", "✨✨✨", "🫶🏾")
MARKDOWN = ("**bold**", "__under__", "*it*", "~~strike~~", "`code`", "```py\nprint(1)\n```", "||spoiler||",
            "> quote", "# Heading", "-# small", "[click](https://evil.example/x)", "<https://evil.example>",
            "\\", "*", "_", "`", "|", ">", "```", "[", "](", ")")
SQL = ("'; DROP TABLE server_quotes; --", '" OR "1"="1', "1; DELETE FROM polls", "%", "_%", "' OR 1=1 --",
       "NULL", "\x00", "'); UPDATE guild_settings SET mod_role_id = 1; --", "?", ":name")
ODD = ("@", "@@", "<", ">", "<@", "<@&", "<#", ":", "::", "/", "\\n", "\r\n", "\u0301", "e\u0301", "ß", "İ",
       "ﬃ")
# fmt: on
JOINERS = ("", " ", "\n", ":", " · ")


def mentions(servers: Servers) -> tuple[str, ...]:
    """Mentions of every kind, naming real members, roles and channels of both servers."""
    a, b = servers.a, servers.b
    return (
        "@everyone", "@here", "@\u200beveryone",
        f"<@{a.fan.id}>", f"<@!{a.owner.id}>", f"<@{b.moderator.id}>", f"<@!{servers.helper.id}>",
        f"<@&{a.mod_role.id}>", f"<@&{a.guild.id}>", f"<@&{servers.admin_role.id}>",
        f"<@&{b.mod_role.id}>", f"<#{a.general.id}>", f"<#{b.general.id}>",
        "</help:1>", "<t:0:R>",
    )  # fmt: skip


def atoms(servers: Servers, plausible: tuple[str, ...]) -> st.SearchStrategy[str]:
    groups = [ZERO_WIDTH, RIGHT_TO_LEFT, HANGUL, EMOJI, MARKDOWN, SQL, ODD, mentions(servers)]
    if plausible:
        groups.append(plausible)
    return st.one_of(
        *(st.sampled_from(g) for g in groups),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    )


def fill(text: str, length: int) -> str:
    text = text or "x"
    return (text * (length // len(text) + 1))[:length]


def hostile_text(
    servers: Servers, plausible: tuple[str, ...], *, longest: int, shortest: int = 0
) -> st.SearchStrategy[str]:
    """Text a hostile or careless member could type into a field of at most ``longest``."""
    pieces = st.lists(atoms(servers, plausible), min_size=1, max_size=6)
    mixed = st.tuples(pieces, st.sampled_from(JOINERS)).map(lambda pj: pj[1].join(pj[0]))
    flood = pieces.map(lambda parts: fill("".join(parts), longest))
    options = [st.sampled_from(EMPTY_ISH), mixed, flood]
    if plausible:
        options.append(st.sampled_from(plausible))
    return st.one_of(*options).map(
        lambda s: fill(s, shortest) if len(s) < shortest else s[:longest]
    )


# ---------------------------------------------------------------------------------------------
# Who asks, and from where
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Persona:
    name: str
    member: Member
    channels: tuple[Channel, ...]
    locale: str = "en-US"

    def __repr__(self) -> str:  # hypothesis prints this in a falsifying example
        return self.name


def personas(servers: Servers) -> list[Persona]:
    a, b = servers.a, servers.b
    here, there = (a.general, a.daily), (b.general, b.daily)
    return [
        Persona("fan", a.fan, here),
        Persona("moderator (Manage Server)", a.moderator, here),
        Persona("moderator-role holder", servers.helper, here),
        Persona("fan of another server", b.fan, there, "ko"),
        Persona("moderator of another server", b.moderator, there, "ko"),
    ]


@dataclass
class Harness:
    """What every example needs: the running bot and its emulator, and what was learnt so far."""

    bot: KpopsBot
    driver: Driver
    servers: Servers
    replies: ErrorReplies
    errors: ErrorLog
    loop: asyncio.AbstractEventLoop
    moderators: ModeratorCommands | None = None
    quiet: frozenset[str] = field(default_factory=quiet_refusals)
    requests: int = 0
    refused: int = 0

    def run(self, coro: Awaitable[None]) -> None:
        """From the hypothesis thread: run one example on the bot's loop."""
        future = asyncio.run_coroutine_threadsafe(_as_coroutine(coro), self.loop)
        future.result(timeout=EXAMPLE_TIMEOUT)

    async def check(
        self, what: str, send: Callable[[], Awaitable[InteractionResult]], *, forged: bool = False
    ) -> InteractionResult:
        """Send one request and check everything a request must satisfy.

        ``forged``: the request could not come from a real button (refused whatever happens)."""
        await settle()
        await write_behind_now(self.bot)  # only this request's own writes are compared
        before = await snapshot(self.bot.db)
        violations, logged = len(self.driver.violations), len(self.errors.records)
        try:
            result = await send()
        except InteractionError as exc:
            raise AssertionError(f"{what}: not answered in time ({exc})") from None
        await settle()
        self.requests += 1
        # Only this request's own problems count here (hypothesis shrinks on them); the driver
        # fixture fails the test at its end on any violation all the same.
        shown = shown_messages(result)
        assert any(not m.loading for m in shown), f"{what}: no visible reply"
        new = self.driver.violations[violations:]
        assert not new, f"{what}: the emulator rejected {new[:3]}"
        assert all_pings(self.driver) == [], f"{what}: a message pings {all_pings(self.driver)}"
        for message in shown:
            leaked = leak_in(message)
            assert leaked is None, f"{what}: the user saw {leaked!r}: {message.text()[:500]!r}"
        errors = self.errors.summary()[logged:]
        assert not errors, f"{what}: errors were logged: {errors[:3]}"
        refused = forged or result.id in self.replies.ids or is_quiet_refusal(result, self.quiet)
        if refused:
            self.refused += 1
            assert result.ephemeral, f"{what}: refused in public: {result.text[:300]!r}"
            after = await snapshot(self.bot.db)
            assert after == before, (
                f"{what}: refused, yet the database changed:\n{diff(before, after)}"
            )
        return result


async def _as_coroutine(awaitable: Awaitable[None]) -> None:
    await awaitable


@pytest.fixture
async def harness(
    driver: Driver,
    servers: Servers,
    db_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Harness]:
    replies = ErrorReplies().install(monkeypatch)
    with error_log() as errors:
        async with running_bot(driver, db_path, clock=clock) as bot:
            await settle()
            yield Harness(bot, driver, servers, replies, errors, asyncio.get_running_loop())
    assert errors.records == [], f"errors were logged: {errors.summary()[:5]}"


def hypothesis_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        print_blob=False,
    )


async def explore(
    h: Harness,
    strategy: st.SearchStrategy[Any],
    examples: int,
    attempt: Callable[[Any], Awaitable[None]],
) -> None:
    """Run ``attempt`` on generated examples: hypothesis in a worker thread, each example on the
    bot's loop (which keeps serving the emulator meanwhile)."""

    @hypothesis_settings(examples)
    @given(strategy)
    def property(example: Any) -> None:
        h.run(attempt(example))

    await asyncio.to_thread(property)


def short(options: dict[str, Any]) -> str:
    shown = {
        k: (v if not isinstance(v, str) else f"{v[:60]!r}…{len(v)}") for k, v in options.items()
    }
    return repr(shown)


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
async def suggestions(
    driver: Driver, leaf: Leaf, member: Member, channel: Channel
) -> dict[str, tuple[str, ...]]:
    """What autocomplete offers for each option when nothing is typed: ordinary values to mix in."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in leaf.options:
        if spec.get("autocomplete"):
            offered = await driver.autocomplete(
                leaf.path, spec["name"], "", member=member, channel=channel
            )
            out[spec["name"]] = tuple(str(c["value"]) for c in offered)
    return out


def option_strategy(
    servers: Servers,
    driver: Driver,
    spec: dict[str, Any],
    channel: Channel,
    plausible: tuple[str, ...],
) -> st.SearchStrategy[Any]:
    kind = spec["type"]
    if spec.get("choices"):
        return st.sampled_from([c["value"] for c in spec["choices"]])
    if kind == STRING:
        return hostile_text(
            servers, plausible, longest=string_max(spec), shortest=int(spec.get("min_length", 0))
        )
    if kind == INTEGER:
        low, high = int_bounds(spec)
        return st.one_of(
            st.integers(max(low, -3), min(high, 30)),
            st.integers(low, high),
            st.sampled_from([low, high]),
        )
    if kind == BOOLEAN:
        return st.booleans()
    guild = guild_of(driver, channel)
    if kind == CHANNEL:
        return st.sampled_from(sorted(guild.channels.values(), key=lambda c: c.id))
    if kind == ROLE:
        return st.sampled_from(sorted(guild.roles.values(), key=lambda r: r.id))
    if kind == USER:
        # This server's members (the bot too), and members of the other server.
        members = [*guild.members.values(), *servers.b.guild.members.values()]
        return st.sampled_from(sorted(members, key=lambda m: m.id))
    raise AssertionError(f"option type {kind} has no strategy yet: add one")


def options_strategy(
    servers: Servers,
    driver: Driver,
    leaf: Leaf,
    channel: Channel,
    plausible: dict[str, tuple[str, ...]],
) -> st.SearchStrategy[dict[str, Any]]:
    def strategy(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
        name = spec["name"]
        ordinary = plausible.get(name, ())
        if name in EXAMPLES:
            ordinary = (*ordinary, EXAMPLES[name]())
        return option_strategy(servers, driver, spec, channel, ordinary)

    required = {s["name"]: strategy(s) for s in leaf.options if s.get("required")}
    optional = {s["name"]: strategy(s) for s in leaf.options if not s.get("required")}
    return st.fixed_dictionaries(required, optional=optional)


async def test_every_command_option_survives_hostile_input(harness: Harness) -> None:
    h, driver, servers = harness, harness.driver, harness.servers
    leaves = command_leaves(driver, servers.a.guild.id)
    assert leaves and command_leaves(driver, servers.b.guild.id) == leaves
    h.moderators = await discover_moderator_commands(
        driver, leaves, servers.a.fan, servers.a.general
    )
    # The helper starts as a moderator-role holder (hostile /config modrole may change that).
    await h.check(
        "/config modrole as the owner",
        lambda: driver.invoke(
            "config modrole",
            {"role": servers.helper_role},
            member=servers.a.owner,
            channel=servers.a.general,
        ),
    )
    people = personas(servers)
    plausible = {
        leaf.path: await suggestions(driver, leaf, servers.a.fan, servers.a.general)
        for leaf in leaves
    }
    exercised: dict[str, set[str]] = {leaf.path: set() for leaf in leaves}
    asked_by: dict[str, set[str]] = {leaf.path: set() for leaf in leaves}

    async def attempt(
        leaf: Leaf, persona: Persona, channel: Channel, options: dict[str, Any]
    ) -> None:
        moderator = await is_moderator(h.bot, driver, persona.member, channel)
        what = f"/{leaf.path} as {persona.name} in #{channel.name} with {short(options)}"
        result = await h.check(
            what,
            lambda: driver.invoke(
                leaf.path, options, member=persona.member, channel=channel, locale=persona.locale
            ),
        )
        exercised[leaf.path].update(options)
        asked_by[leaf.path].add(persona.name)
        assert h.moderators is not None
        if leaf.path in h.moderators.paths and not moderator:
            assert is_permission_refusal(result), (
                f"{what}: a non-moderator got {result.text[:300]!r}"
            )
        if is_permission_refusal(result):
            assert not moderator, f"{what}: a moderator was refused"

    # Commands that change the server's setup run last, so the others first meet a normal setup.
    order = sorted(leaves, key=lambda leaf: (leaf.hidden_by_default, leaf.path))
    for leaf in order:
        case = st.sampled_from(people).flatmap(
            lambda p, leaf=leaf: st.sampled_from(p.channels).flatmap(
                lambda c, p=p: st.tuples(
                    st.just(p),
                    st.just(c),
                    options_strategy(servers, driver, leaf, c, plausible[leaf.path]),
                )
            )
        )
        await explore(h, case, EXAMPLES_PER_COMMAND, lambda ex, leaf=leaf: attempt(leaf, *ex))

    for leaf in leaves:
        declared = {o["name"] for o in leaf.options}
        assert exercised[leaf.path] == declared, (
            f"/{leaf.path}: options never sent: {declared - exercised[leaf.path]}"
        )
        assert len(asked_by[leaf.path]) >= 3, f"/{leaf.path} asked only by {asked_by[leaf.path]}"
    assert h.refused > 0 and h.requests > len(leaves) * 5


async def test_every_autocomplete_survives_hostile_typing(harness: Harness) -> None:
    h, driver, servers = harness, harness.driver, harness.servers
    people = personas(servers)
    fields = [
        (leaf, spec)
        for leaf in command_leaves(driver, servers.a.guild.id)
        for spec in leaf.options
        if spec.get("autocomplete")
    ]
    assert fields, "no command offers autocomplete"
    typed_in: list[str] = []

    async def attempt(leaf: Leaf, spec: dict[str, Any], persona: Persona, typed: str) -> None:
        channel = persona.channels[0]
        what = f"autocomplete /{leaf.path} {spec['name']} as {persona.name} typing {typed[:60]!r}…{len(typed)}"
        await settle()
        violations, logged = len(driver.violations), len(h.errors.records)
        try:
            offered = await driver.autocomplete(
                leaf.path, spec["name"], typed, member=persona.member, channel=channel
            )
        except InteractionError as exc:
            raise AssertionError(f"{what}: not answered in time ({exc})") from None
        new = driver.violations[violations:]
        assert not new, f"{what}: the emulator rejected {new[:3]}"
        errors = h.errors.summary()[logged:]
        assert not errors, f"{what}: errors were logged: {errors[:3]}"
        for choice in offered:
            assert not re.search(r"Error|Exception|Traceback", str(choice["name"])), what
        typed_in.append(typed)

    for leaf, spec in fields:
        typed = hostile_text(servers, (), longest=string_max(spec))
        await explore(
            h,
            st.tuples(st.sampled_from(people), typed),
            EXAMPLES_PER_AUTOCOMPLETE,
            lambda ex, leaf=leaf, spec=spec: attempt(leaf, spec, *ex),
        )
    assert len(typed_in) >= len(fields) * EXAMPLES_PER_AUTOCOMPLETE // 2
    assert max(map(len, typed_in)) == limits.STRING_OPTION_MAX  # a full 6,000 characters


# ---------------------------------------------------------------------------------------------
# Buttons
# ---------------------------------------------------------------------------------------------
async def post_everything(h: Harness, world: World) -> None:
    """Run every command once with ordinary input (as the owner, then a fan), then click every
    button once: the bot's messages then carry every kind of button it makes."""
    driver = h.driver

    async def every_command(when: str = "") -> None:
        for member in (world.owner, world.fan):
            for leaf in command_leaves(driver, world.guild.id):
                options = await plausible_options(driver, leaf, member, world.general)
                await h.check(
                    f"/{leaf.path} as {member.user.username}{when}",
                    lambda leaf=leaf, options=options, member=member: driver.invoke(
                        leaf.path, options, member=member, channel=world.general
                    ),
                )

    await every_command()
    clicked: set[str] = set()
    for message in list(driver.messages.values()):
        if message.guild_id != world.guild.id or message.deleted:
            continue
        viewer = world.owner if message.visible_to in (None, world.owner.id) else world.fan
        if message.visible_to not in (None, viewer.id):
            continue
        for custom_id in custom_ids(message):
            if kind_of(custom_id) in clicked:
                continue
            clicked.add(kind_of(custom_id))
            await h.check(
                f"click {custom_id!r}",
                lambda message=message, custom_id=custom_id, viewer=viewer: driver.click(
                    message, custom_id=custom_id, member=viewer, allow_disabled=True
                ),
            )
    # Once more now that the clicks left data behind: some replies carry buttons only then (the
    # /privacy delete confirmation, for a member with votes and answers). Not clicked.
    await every_command(", again")


def kind_of(custom_id: str) -> str:
    """A button's kind: its custom_id's first two fields, numbers blanked."""
    return re.sub(r"\d+", "#", ":".join(custom_id.split(":")[:2]))


def button_kinds(message: Message) -> set[str]:
    return {kind_of(c) for c in custom_ids(message)}


def visible_to(message: Message, member: Member) -> bool:
    return not message.deleted and message.visible_to in (None, member.id)


def mutations(servers: Servers, sources: list[str]) -> st.SearchStrategy[str]:
    """custom_ids a modified client could send: real ones (of this server or another), with
    other numbers, garbled fields, wrong arity, cut short, over-long; and garbage."""
    kinds: dict[str, list[str]] = {}
    for custom_id in sources:
        kinds.setdefault(kind_of(custom_id), []).append(custom_id)
    real = st.sampled_from(sorted(kinds)).flatmap(lambda kind: st.sampled_from(kinds[kind]))
    number = st.one_of(
        st.integers(0, 40).map(str),
        st.sampled_from(["-1", "0", "00", "999999999999999999", str(2**63), "1e3", "٣", "１"]),
        st.integers(0, 10**20).map(str),
    )
    text = hostile_text(servers, (), longest=120)

    def renumber(custom_id: str, numbers: list[str]) -> str:
        it = iter(numbers)
        return re.sub(r"\d+", lambda m: next(it, m.group(0)), custom_id)

    def replace_field(custom_id: str, index: int, value: str) -> str:
        fields = custom_id.split(":")
        fields[index % len(fields)] = value
        return ":".join(fields)

    renumbered = st.tuples(real, st.lists(number, min_size=1, max_size=4)).map(
        lambda t: renumber(*t)
    )
    garbled = st.tuples(real, st.integers(0, 5), st.one_of(text, number)).map(
        lambda t: replace_field(*t)
    )
    fewer = real.map(lambda c: ":".join(c.split(":")[:-1]))
    more = st.tuples(real, st.one_of(number, text)).map(lambda t: f"{t[0]}:{t[1]}")
    cut = st.tuples(real, st.integers(1, 100)).map(lambda t: t[0][: t[1]])
    longer = st.tuples(real, st.integers(1, 300)).map(lambda t: fill(t[0], len(t[0]) + t[1]))
    garbage = st.one_of(
        text.map(lambda s: s[:100] or "x"),
        st.integers(101, 400).map(lambda n: fill("poll:vote:1:kpop", n)),
    )
    return st.one_of(real, renumbered, garbled, fewer, more, cut, longer, garbage).filter(bool)


@dataclass(frozen=True)
class Click:
    """A click as a modified client may send it: on a message ``persona`` can see, either one of
    that message's own buttons (``custom_id`` None) or any custom_id at all."""

    persona: Persona
    pick: int  # which message (and which of its buttons), modulo what there is
    custom_id: str | None

    def __repr__(self) -> str:
        return f"Click({self.persona!r}, {self.pick}, {self.custom_id!r})"


async def test_every_button_survives_forged_custom_ids(
    harness: Harness, clock: ManualClock
) -> None:
    h, driver, servers = harness, harness.driver, harness.servers
    for world in (servers.a, servers.b):
        await post_everything(h, world)
    sources = sorted({cid for m in driver.messages.values() for cid in custom_ids(m)})
    kinds = {kind_of(c) for c in sources}
    assert len(kinds) >= 5, f"too few kinds of buttons to forge: {kinds}"
    assert "privacy:delete" in kinds, "the delete confirmation (ephemeral) was never shown"
    people = personas(servers)

    async def attempt(click: Click) -> None:
        persona = click.persona
        visible = [
            m
            for m in driver.messages.values()
            if m.guild_id == persona.member.guild_id and visible_to(m, persona.member)
        ]
        if click.custom_id is None:
            # Each kind of button equally often, whatever the number of messages carrying it.
            by_kind: dict[str, list[tuple[Message, str]]] = {}
            for m in visible:
                for c in custom_ids(m):
                    by_kind.setdefault(kind_of(c), []).append((m, c))
            kinds = sorted(by_kind)
            buttons = by_kind[kinds[click.pick % len(kinds)]]
            message, custom_id = buttons[(click.pick // len(kinds)) % len(buttons)]
        else:
            message, custom_id = visible[click.pick % len(visible)], click.custom_id
        kinds_before = button_kinds(message)
        forged = custom_id not in custom_ids(message)
        what = f"click {custom_id[:120]!r}…{len(custom_id)} as {persona.name} on {'another' if forged else 'its'} message"
        result = await h.check(
            what,
            lambda: driver.click(
                message, custom_id=custom_id, member=persona.member, allow_disabled=True
            ),
            forged=forged,
        )
        if forged and result.response_type == 7:
            # Only a message's own kind of button may act on it (a forged page number turns a
            # search page): a forged click must never turn a poll or a question into something else.
            assert kinds_before and button_kinds(message) <= kinds_before, (
                f"{what}: a forged click replaced a message's {kinds_before} with {button_kinds(message)}"
            )

    forgeries = mutations(servers, sources)
    clicks = st.builds(
        Click,
        st.sampled_from(people),
        st.sampled_from(range(5040)),  # uniform, unlike st.integers (which favours small values)
        # One click in three on one of the message's own buttons, the rest forged.
        st.sampled_from([True, False, False]).flatmap(lambda own: st.none() if own else forgeries),
    )
    await explore(h, clicks, EXAMPLES_OF_CLICKS, attempt)

    # Again once every question and poll has closed: closed buttons are refused, and change nothing.
    clock.advance(hours=24 * 8)
    for name in ("Film", "Poll"):
        cog: Any = h.bot.get_cog(name)
        await cog.close_due()
    await settle()
    await explore(h, clicks, EXAMPLES_OF_CLICKS // 4, attempt)
    assert h.refused > EXAMPLES_OF_CLICKS // 2


async def test_garbled_custom_ids_in_every_namespace_are_answered(harness: Harness) -> None:
    """Each kind of button's custom_id cut at every field, and ids no feature owns: all answered
    privately (discord.py drops custom_ids no item matches, which would fail the interaction)."""
    h, driver, world = harness, harness.driver, harness.servers.a
    await post_everything(h, world)
    target = next(m for m in driver.channel_messages(world.general) if not m.buttons())
    garbled = {"", " ", "hello", "x" * 100, "x" * 101, ":", "::"}
    for custom_id in {c for m in driver.messages.values() for c in custom_ids(m)}:
        fields = custom_id.split(":")
        garbled.update(":".join(fields[:n]) for n in range(1, len(fields)))
        garbled.update(":".join(fields[:n]) + ":" for n in range(1, len(fields)))
        garbled.add(f"{custom_id}:1")
    for custom_id in sorted(garbled):
        result = await h.check(
            f"click {custom_id!r} on a message without buttons",
            lambda custom_id=custom_id: driver.click(target, custom_id=custom_id, member=world.fan),
            forged=True,
        )
        assert result.response_type == 4


async def test_no_button_acts_on_another_kind_of_message(harness: Harness) -> None:
    """Every real custom_id clicked on every other kind of message (a poll, a question, a fact,
    a profile, a search page): refused privately, the message left as it was."""
    h, driver, world = harness, harness.driver, harness.servers.a
    await post_everything(h, world)
    by_kind: dict[str, tuple[Message, str]] = {}
    for message in driver.channel_messages(world.general):
        for custom_id in custom_ids(message):
            by_kind.setdefault(kind_of(custom_id), (message, custom_id))
    assert len(by_kind) >= 5, sorted(by_kind)
    for kind, (target, _) in by_kind.items():
        for other, (_, custom_id) in by_kind.items():
            if other == kind or custom_id in custom_ids(target):
                continue
            before = (target.content, repr(target.embeds), repr(target.components))
            result = await h.check(
                f"click {custom_id!r} on a {kind} message",
                lambda target=target, custom_id=custom_id: driver.click(
                    target, custom_id=custom_id, member=world.fan
                ),
                forged=True,
            )
            assert result.response_type == 4 and result.ephemeral, f"{custom_id} on {kind}"
            assert (target.content, repr(target.embeds), repr(target.components)) == before
