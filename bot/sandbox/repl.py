"""``python -m bot sandbox``: try the bot in a terminal, with no token and no Discord account.

The bot and the emulator run in one process. Type slash commands as in Discord
(``/influence artist name:BTS``), click buttons by number (``click 2``), and read the replies as text.
``--script FILE`` replays a file of such lines non-interactively.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import limits
from bot.sandbox.driver import (
    BOOLEAN,
    CHANNEL,
    INTEGER,
    NUMBER,
    ROLE,
    SUB_COMMAND,
    SUB_GROUP,
    USER,
    CommandUsageError,
    Driver,
)
from bot.sandbox.harness import running_bot
from bot.sandbox.interactions import InteractionError, InteractionResult
from bot.sandbox.readable import Readable
from bot.sandbox.state import Channel, Guild, Member, Message

HELP = """\
Type a slash command as in Discord, for example:
  /help
  /influence artist name:The Jackson 5
  /config schedule feature:quote time:09:00 timezone:Asia/Seoul
Other lines:
  click N                    click button N of the last message shown
  complete /cmd opt:text     show the autocomplete choices for what you typed
  ?/cmd                      show a command's sub-commands or options (e.g. ?/influence artist)
  as owner|moderator|fan     act as another member (moderator holds the Mods role)
  in CHANNEL                 move to another channel (general, daily)
  messages                   show the public messages of this channel
  help                       this text
  quit                       leave
"""


@dataclass
class Session:
    driver: Driver
    guild: Guild
    members: dict[str, Member]
    member: Member
    channel: Channel
    last_with_buttons: Message | None = None
    seen: set[int] = field(default_factory=set)


def render(msg: Message, readable: Readable | None = None, *, ephemeral_note: bool = True) -> str:
    """A message as readable text: content, embeds, numbered buttons.

    With ``readable``, mentions and ``<t:…>`` times are shown as a member's client shows them.
    """
    text = render_raw(msg, ephemeral_note=ephemeral_note)
    return readable.text(text) if readable is not None else text


def render_raw(msg: Message, *, ephemeral_note: bool = True) -> str:
    lines: list[str] = []
    if msg.ephemeral and ephemeral_note:
        lines.append("(only you can see this)")
    if msg.content:
        lines.append(msg.content)
    for embed in msg.embeds:
        if embed.get("title"):
            lines.append(f"== {embed['title']} ==")
        if embed.get("description"):
            lines.append(str(embed["description"]))
        for fld in embed.get("fields", []):
            lines.append(f"-- {fld.get('name')}")
            lines.append(str(fld.get("value")))
        if (embed.get("footer") or {}).get("text"):
            lines.append(f"({embed['footer']['text']})")
    for i, button in enumerate(msg.buttons(), start=1):
        state = " (disabled)" if button.get("disabled") else ""
        target = f" -> {button['url']}" if button.get("url") else ""
        lines.append(
            f"[{i}] {button.get('label') or button.get('emoji', {}).get('name', '?')}{state}{target}"
        )
    return "\n".join(lines)


def _leaf(driver: Driver, guild: Guild, words: list[str]) -> tuple[str, dict[str, Any], int]:
    """Find the longest command path among ``words``; returns (path, leaf spec, words used)."""
    for cmd in driver.registered(guild.id):
        if cmd["name"] != words[0]:
            continue
        node, used = cmd, 1
        while used < len(words):
            subs = [o for o in node.get("options") or [] if o["type"] in (SUB_COMMAND, SUB_GROUP)]
            nxt = next((s for s in subs if s["name"] == words[used]), None)
            if nxt is None:
                break
            node, used = nxt, used + 1
        return " ".join(words[:used]), node, used
    raise CommandUsageError(f"/{words[0]} is not a command here; try /help")


def parse_command(session: Session, line: str) -> tuple[str, dict[str, Any]]:
    """``/a b opt:value other:two words`` -> ("a b", {"opt": ..., "other": ...}) typed per option."""
    body = line.strip().lstrip("/")
    words = body.split()
    if not words:
        raise CommandUsageError("type a command after /")
    path, leaf, used = _leaf(session.driver, session.guild, words)
    rest = body.split(None, used)[used] if len(body.split(None, used)) > used else ""
    declared = {o["name"]: o for o in leaf.get("options") or []}
    if any(o["type"] in (SUB_COMMAND, SUB_GROUP) for o in declared.values()):
        raise CommandUsageError(f"/{path} needs one of:\n{describe(leaf, path)}")
    unknown = [w for w in _OPTION_WORD.findall(_QUOTED.sub("", rest)) if w not in declared]
    if unknown:
        raise CommandUsageError(
            f"/{path} has no option {unknown[0]!r}. {options_line(leaf)}"
            " (A colon inside a value? Put the value in quotes.)"
        )
    if not declared:
        if rest.strip():
            raise CommandUsageError(f"/{path} takes no options.")
        return path, {}
    names = "|".join(re.escape(n) for n in sorted(declared, key=len, reverse=True))
    parts = re.split(rf"(?:^|\s)({names}):", rest)
    if parts[0].strip():
        raise CommandUsageError(
            f"write options as name:value (got {parts[0].strip()!r}). {options_line(leaf)}"
        )
    options: dict[str, Any] = {}
    for name, raw in zip(parts[1::2], parts[2::2], strict=False):
        options[name] = convert(session, declared[name], raw.strip())
    return path, options


_OPTION_WORD = re.compile(r"(?:^|\s)([a-z][a-z0-9_-]*):")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_TYPE_NAMES = {
    3: "text",
    INTEGER: "whole number",
    BOOLEAN: "true/false",
    USER: "member",
    CHANNEL: "channel",
    ROLE: "role",
    9: "member or role",
    NUMBER: "number",
    11: "attachment",
}


def options_line(leaf: dict[str, Any]) -> str:
    """``Its options: name (required), limit`` or ``It takes no options.``"""
    options = leaf.get("options") or []
    if not options:
        return "It takes no options."
    shown = [f"{o['name']}{' (required)' if o.get('required') else ''}" for o in options]
    return "Its options: " + ", ".join(shown) + "."


def describe(node: dict[str, Any], path: str) -> str:
    """A command's sub-commands, or its options with type, choices and description."""
    lines: list[str] = []
    options = node.get("options") or []
    subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_GROUP)]
    if subs:
        for sub in subs:
            lines.append(f"  /{path} {sub['name']}: {sub.get('description', '')}")
        return "\n".join(lines)
    if not options:
        return f"  /{path} takes no options."
    for opt in options:
        traits = [_TYPE_NAMES.get(opt["type"], "value")]
        if opt.get("required"):
            traits.append("required")
        if opt.get("autocomplete"):
            traits.append(f"suggestions: complete /{path} {opt['name']}:...")
        line = f"  {opt['name']}: {opt.get('description', '')} ({', '.join(traits)})"
        choices = [str(c["name"]) for c in opt.get("choices") or []]
        if choices:
            line += "\n      one of: " + ", ".join(choices)
        lines.append(line)
    return "\n".join(lines)


def convert(session: Session, spec: dict[str, Any], raw: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    otype = spec["type"]
    if otype == INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise CommandUsageError(f"{spec['name']} takes a whole number") from None
    if otype == NUMBER:
        return float(raw)
    if otype == BOOLEAN:
        return raw.lower() in ("true", "yes", "on", "1")
    if otype == CHANNEL:
        name = raw.lstrip("#")
        for channel in session.guild.channels.values():
            if channel.name == name:
                return channel
        raise CommandUsageError(f"no channel #{name}")
    if otype == ROLE:
        name = raw.lstrip("@")
        for role in session.guild.roles.values():
            if role.name == name:
                return role
        raise CommandUsageError(f"no role @{name}")
    if otype == USER:
        name = raw.lstrip("@")
        if name in session.members:
            return session.members[name]
        raise CommandUsageError(f"no member @{name}")
    return raw


class Console:
    def __init__(self, session: Session, out: Any = None, *, echo: bool = True) -> None:
        self.s = session
        self.out = out or sys.stdout
        #: Repeat each line before its answer: a script's lines are not on screen, typed ones are.
        self.echo = echo
        self._violations_shown = 0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def readable(self) -> Readable:
        return Readable(self.s.guild, self.s.driver.clock())

    def show(self, msg: Message) -> str:
        return render(msg, self.readable())

    def show_result(self, result: InteractionResult) -> None:
        for msg in result.messages or ([result.original] if result.original else []):
            self.say(self.show(msg))
            self.s.seen.add(msg.id)
            if msg.buttons():
                self.s.last_with_buttons = msg
        if result.choices is not None:
            for choice in result.choices:
                self.say(f"  {choice['name']}")

    def show_new_posts(self) -> None:
        """Messages the bot posted on its own (scheduled posts, poll results) since the last line."""
        for msg in list(self.s.driver.messages.values()):
            if msg.id in self.s.seen or msg.ephemeral or msg.interaction_id is not None:
                continue
            self.s.seen.add(msg.id)
            channel = self.s.driver.channel(msg.channel_id)
            self.say(f"[#{channel.name if channel else msg.channel_id}] {self.show(msg)}")
            if msg.buttons():
                self.s.last_with_buttons = msg

    async def handle(self, line: str) -> bool:
        """Run one line; returns False when the user wants to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if self.echo:
            self.say(f"> {line}")
        word, _, arg = line.partition(" ")
        s = self.s
        try:
            if word in ("quit", "exit"):
                return False
            if word == "help":
                self.say(HELP)
            elif word == "as":
                if arg not in s.members:
                    raise CommandUsageError(f"members here: {', '.join(s.members)}")
                s.member = s.members[arg]
                self.say(f"(you are now {arg})")
            elif word == "in":
                channel = next(
                    (c for c in s.guild.channels.values() if c.name == arg.lstrip("#")), None
                )
                if channel is None:
                    raise CommandUsageError("no such channel")
                s.channel = channel
                self.say(f"(you are now in #{channel.name})")
            elif word == "messages":
                for msg in s.driver.channel_messages(s.channel):
                    self.say(self.show(msg))
            elif word == "click":
                message, index = self.button(arg)
                result = await s.driver.click(message, member=s.member, index=index)
                self.show_result(result)
            elif line.startswith("?"):
                self.say(self.command_help(line[1:]))
            elif word == "complete":
                path, options = parse_command(s, arg)
                focused = list(options)[-1] if options else None
                if focused is None:
                    raise CommandUsageError(
                        "write the option to complete, e.g. complete /influence artist name:jack"
                    )
                value = options.pop(focused)
                choices = await s.driver.autocomplete(
                    path,
                    focused,
                    str(value),
                    {k: v for k, v in options.items()},
                    member=s.member,
                    channel=s.channel,
                )
                for choice in choices:
                    self.say(f"  {choice['name']}")
            elif line.startswith("/"):
                path, options = parse_command(s, line)
                result = await s.driver.invoke(path, options, member=s.member, channel=s.channel)
                self.show_result(result)
            else:
                self.say("Unknown line; type help.")
        except (CommandUsageError, InteractionError, ValueError) as exc:
            self.say(f"! {exc}")
        await asyncio.sleep(0.05)
        self.show_new_posts()
        self.show_new_violations()
        return True

    def button(self, arg: str) -> tuple[Message, int]:
        """The message and index for ``click N``, or a friendly refusal."""
        msg = self.s.last_with_buttons
        if msg is None:
            raise CommandUsageError("no message with buttons yet; run a command first")
        count = len(msg.buttons())
        if not arg.strip().isdigit() or not 1 <= int(arg) <= count:
            raise CommandUsageError(
                f"click takes a button number from 1 to {count} "
                f"(the last message with buttons has {count}), e.g. click 1"
            )
        return msg, int(arg) - 1

    def command_help(self, text: str) -> str:
        words = text.strip().lstrip("/").split()
        if not words:
            names = sorted(c["name"] for c in self.s.driver.registered(self.s.guild.id))
            return "Commands: " + ", ".join(f"/{n}" for n in names) + ". Try ?/" + names[0]
        path, node, _ = _leaf(self.s.driver, self.s.guild, words)
        return f"/{path}: {node.get('description', '')}\n{describe(node, path)}"

    def show_new_violations(self) -> None:
        """What Discord would have refused, once each, right after the line that caused it."""
        violations = self.s.driver.violations
        for v in violations[self._violations_shown :]:
            self.say(f"! Discord would refuse {v.method} {v.path}: {v.status} {v.detail}")
        self._violations_shown = len(violations)


async def run_sandbox(lines: list[str] | None, database: Path, out: Any = None) -> int:
    driver = Driver()
    await driver.start()
    guild = driver.add_guild("K-Pops! Fans (sandbox)", channels=("general", "daily"))
    mods = driver.add_role(guild, "Mods", limits.MANAGE_GUILD)
    members = {
        "owner": driver.owner(guild),
        "moderator": driver.add_member(guild, "moderator", roles=(mods,)),
        "fan": driver.add_member(guild, "fan"),
    }
    general = next(iter(guild.channels.values()))
    try:
        async with running_bot(driver, database):
            session = Session(driver, guild, members, members["moderator"], general)
            console = Console(session, out, echo=lines is not None)
            console.say("kpops-bot sandbox: you are 'moderator' in #general. Type help for help.")
            if lines is not None:
                for line in lines:
                    if not await console.handle(line):
                        break
            else:
                while True:
                    try:
                        line = await asyncio.to_thread(input, "kpops> ")
                    except EOFError:
                        break
                    if not await console.handle(line):
                        break
        if driver.violations:
            # Each was shown after its line; the exit status tells a script's caller.
            print(
                f"Discord would have refused {len(driver.violations)} request(s) (shown above).",
                file=out or sys.stdout,
            )
            return 1
        return 0
    finally:
        await driver.stop()


def main(script: Path | None = None, database: Path | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The console shows each refused request after the line that caused it; the log would repeat it.
    logging.getLogger("bot.sandbox.server").setLevel(logging.ERROR)
    lines = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(
                f"kpops-bot: cannot read the sandbox script {str(script)!r}: {exc.strerror}",
                file=sys.stderr,
            )
            return 2
    with tempfile.TemporaryDirectory(prefix="kpops-sandbox-") as tmp:
        return asyncio.run(run_sandbox(lines, database or Path(tmp) / "sandbox.sqlite3"))
