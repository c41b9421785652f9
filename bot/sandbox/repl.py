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

import discord

from bot import limits
from bot.i18n import ENGLISH, N_, Language, language_of, t, tn
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

HELP = N_(
    "Type a slash command as in Discord, for example:\n"
    "  /help\n"
    "  /influence artist name:The Jackson 5\n"
    "  /config schedule feature:quote time:09:00 timezone:Asia/Seoul\n"
    "Other lines:\n"
    "  click N                    click button N of the last message shown\n"
    "  complete /cmd opt:text     show the autocomplete choices for what you typed\n"
    "  ?/cmd                      show a command's sub-commands or options "
    "(e.g. ?/influence artist)\n"
    "  as owner|moderator|fan     act as another member (moderator holds the Mods role)\n"
    "  in CHANNEL                 move to another channel (general, daily)\n"
    "  locale ko|en-US            your Discord language (the bot answers in it)\n"
    "  messages                   show the public messages of this channel\n"
    "  help                       this text\n"
    "  quit                       leave\n"
)
WELCOME = N_("kpops-bot sandbox: you are 'moderator' in #general. Type help for help.")
ONLY_YOU = N_("(only you can see this)")
DISABLED = N_("(disabled)")
NOT_A_COMMAND = N_("/{command} is not a command here; try /help")
TYPE_A_COMMAND = N_("type a command after /")
NEEDS_ONE_OF = N_("/{path} needs one of:\n{choices}")
NO_SUCH_OPTION = N_(
    "/{path} has no option {option}. {options} (A colon inside a value? Put the value in quotes.)"
)
TAKES_NO_OPTIONS = N_("/{path} takes no options.")
NAME_VALUE = N_("write options as name:value (got {got}). {options}")
NO_OPTIONS = N_("It takes no options.")
ITS_OPTIONS = N_("Its options: {options}.")
REQUIRED_OPTION = N_("{name} (required)")
REQUIRED = N_("required")
SUGGESTIONS = N_("suggestions: complete /{path} {option}:...")
ONE_OF = N_("one of: {choices}")
WHOLE_NUMBER_ONLY = N_("{option} takes a whole number")
NO_CHANNEL = N_("no channel #{name}")
NO_ROLE = N_("no role @{name}")
NO_MEMBER = N_("no member @{name}")
MEMBERS_HERE = N_("members here: {members}")
NOW_MEMBER = N_("(you are now {member})")
NO_SUCH_CHANNEL = N_("no such channel")
NOW_IN = N_("(you are now in #{channel})")
NOW_LOCALE = N_("(your Discord language is now {locale})")
LOCALES = N_("locale takes a Discord locale, e.g. locale ko or locale en-US")
WHICH_OPTION = N_("write the option to complete, e.g. complete /influence artist name:jack")
UNKNOWN_LINE = N_("Unknown line; type help.")
NO_BUTTONS_YET = N_("no message with buttons yet; run a command first")
CLICK_NUMBER = N_(
    "click takes a button number from 1 to {count} (the last message with buttons has {count}), "
    "e.g. click 1"
)
COMMANDS = N_("Commands: {commands}. Try ?/{first}")
WOULD_REFUSE = N_("Discord would refuse {method} {path}: {status} {detail}")
UNREADABLE_SCRIPT = N_("kpops-bot: cannot read the sandbox script {path}: {reason}")


@dataclass
class Session:
    driver: Driver
    guild: Guild
    members: dict[str, Member]
    member: Member
    channel: Channel
    last_with_buttons: Message | None = None
    seen: set[int] = field(default_factory=set)
    #: The member's Discord locale, sent with every interaction; the prompt's own words follow it.
    locale: str = "en-US"

    @property
    def language(self) -> Language:
        return language_of(self.locale)


def render(
    msg: Message,
    readable: Readable | None = None,
    *,
    ephemeral_note: bool = True,
    language: Language = ENGLISH,
) -> str:
    """A message as readable text: content, embeds, numbered buttons.

    With ``readable``, mentions and ``<t:…>`` times are shown as a member's client shows them.
    """
    text = render_raw(msg, ephemeral_note=ephemeral_note, language=language)
    return readable.text(text) if readable is not None else text


def render_raw(msg: Message, *, ephemeral_note: bool = True, language: Language = ENGLISH) -> str:
    lines: list[str] = []
    if msg.ephemeral and ephemeral_note:
        lines.append(t(language, ONLY_YOU))
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
        state = " " + t(language, DISABLED) if button.get("disabled") else ""
        target = f" -> {button['url']}" if button.get("url") else ""
        lines.append(
            f"[{i}] {button.get('label') or button.get('emoji', {}).get('name', '?')}{state}{target}"
        )
    return "\n".join(lines)


def _leaf(
    driver: Driver, guild: Guild, words: list[str], language: Language = ENGLISH
) -> tuple[str, dict[str, Any], int]:
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
    raise CommandUsageError(t(language, NOT_A_COMMAND, command=words[0]))


def parse_command(session: Session, line: str) -> tuple[str, dict[str, Any]]:
    """``/a b opt:value other:two words`` -> ("a b", {"opt": ..., "other": ...}) typed per option."""
    language = session.language
    body = line.strip().lstrip("/")
    words = body.split()
    if not words:
        raise CommandUsageError(t(language, TYPE_A_COMMAND))
    path, leaf, used = _leaf(session.driver, session.guild, words, language)
    rest = body.split(None, used)[used] if len(body.split(None, used)) > used else ""
    declared = {o["name"]: o for o in leaf.get("options") or []}
    if any(o["type"] in (SUB_COMMAND, SUB_GROUP) for o in declared.values()):
        choices = describe(leaf, path, language)
        raise CommandUsageError(t(language, NEEDS_ONE_OF, path=path, choices=choices))
    unknown = [w for w in _OPTION_WORD.findall(_QUOTED.sub("", rest)) if w not in declared]
    if unknown:
        raise CommandUsageError(
            t(
                language,
                NO_SUCH_OPTION,
                path=path,
                option=repr(unknown[0]),
                options=options_line(leaf, language),
            )
        )
    if not declared:
        if rest.strip():
            raise CommandUsageError(t(language, TAKES_NO_OPTIONS, path=path))
        return path, {}
    names = "|".join(re.escape(n) for n in sorted(declared, key=len, reverse=True))
    parts = re.split(rf"(?:^|\s)({names}):", rest)
    if parts[0].strip():
        got, options_text = repr(parts[0].strip()), options_line(leaf, language)
        raise CommandUsageError(t(language, NAME_VALUE, got=got, options=options_text))
    options: dict[str, Any] = {}
    for name, raw in zip(parts[1::2], parts[2::2], strict=False):
        options[name] = convert(session, declared[name], raw.strip())
    return path, options


_OPTION_WORD = re.compile(r"(?:^|\s)([a-z][a-z0-9_-]*):")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_TYPE_NAMES = {
    3: N_("text"),
    INTEGER: N_("whole number"),
    BOOLEAN: N_("true/false"),
    USER: N_("member"),
    CHANNEL: N_("channel"),
    ROLE: N_("role"),
    9: N_("member or role"),
    NUMBER: N_("number"),
    11: N_("attachment"),
}
ANY_VALUE = N_("value")


def options_line(leaf: dict[str, Any], language: Language = ENGLISH) -> str:
    """``Its options: name (required), limit`` or ``It takes no options.``"""
    options = leaf.get("options") or []
    if not options:
        return t(language, NO_OPTIONS)
    shown = [
        t(language, REQUIRED_OPTION, name=o["name"]) if o.get("required") else str(o["name"])
        for o in options
    ]
    return t(language, ITS_OPTIONS, options=", ".join(shown))


def describe(node: dict[str, Any], path: str, language: Language = ENGLISH) -> str:
    """A command's sub-commands, or its options with type, choices and description."""
    lines: list[str] = []
    options = node.get("options") or []
    subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_GROUP)]
    if subs:
        for sub in subs:
            lines.append(f"  /{path} {sub['name']}: {sub.get('description', '')}")
        return "\n".join(lines)
    if not options:
        return "  " + t(language, TAKES_NO_OPTIONS, path=path)
    for opt in options:
        type_name = _TYPE_NAMES.get(opt["type"], ANY_VALUE)  # an N_ constant
        traits = [t(language, type_name)]
        if opt.get("required"):
            traits.append(t(language, REQUIRED))
        if opt.get("autocomplete"):
            traits.append(t(language, SUGGESTIONS, path=path, option=opt["name"]))
        line = f"  {opt['name']}: {opt.get('description', '')} ({', '.join(traits)})"
        choices = [str(c["name"]) for c in opt.get("choices") or []]
        if choices:
            line += "\n      " + t(language, ONE_OF, choices=", ".join(choices))
        lines.append(line)
    return "\n".join(lines)


def convert(session: Session, spec: dict[str, Any], raw: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    otype, language = spec["type"], session.language
    if otype == INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise CommandUsageError(t(language, WHOLE_NUMBER_ONLY, option=spec["name"])) from None
    if otype == NUMBER:
        return float(raw)
    if otype == BOOLEAN:
        return raw.lower() in ("true", "yes", "on", "1")
    if otype == CHANNEL:
        name = raw.lstrip("#")
        for channel in session.guild.channels.values():
            if channel.name == name:
                return channel
        raise CommandUsageError(t(language, NO_CHANNEL, name=name))
    if otype == ROLE:
        name = raw.lstrip("@")
        for role in session.guild.roles.values():
            if role.name == name:
                return role
        raise CommandUsageError(t(language, NO_ROLE, name=name))
    if otype == USER:
        name = raw.lstrip("@")
        if name in session.members:
            return session.members[name]
        raise CommandUsageError(t(language, NO_MEMBER, name=name))
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
        return render(msg, self.readable(), language=self.s.language)

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
        language = s.language
        try:
            if word in ("quit", "exit"):
                return False
            if word == "help":
                self.say(t(language, HELP))
            elif word == "as":
                if arg not in s.members:
                    raise CommandUsageError(t(language, MEMBERS_HERE, members=", ".join(s.members)))
                s.member = s.members[arg]
                self.say(t(language, NOW_MEMBER, member=arg))
            elif word == "in":
                channel = next(
                    (c for c in s.guild.channels.values() if c.name == arg.lstrip("#")), None
                )
                if channel is None:
                    raise CommandUsageError(t(language, NO_SUCH_CHANNEL))
                s.channel = channel
                self.say(t(language, NOW_IN, channel=channel.name))
            elif word == "locale":
                s.locale = self.locale(arg)
                self.say(t(s.language, NOW_LOCALE, locale=s.locale))
            elif word == "messages":
                for msg in s.driver.channel_messages(s.channel):
                    self.say(self.show(msg))
            elif word == "click":
                message, index = self.button(arg)
                result = await s.driver.click(
                    message, member=s.member, index=index, locale=s.locale
                )
                self.show_result(result)
            elif line.startswith("?"):
                self.say(self.command_help(line[1:]))
            elif word == "complete":
                path, options = parse_command(s, arg)
                focused = list(options)[-1] if options else None
                if focused is None:
                    raise CommandUsageError(t(language, WHICH_OPTION))
                value = options.pop(focused)
                choices = await s.driver.autocomplete(
                    path,
                    focused,
                    str(value),
                    {k: v for k, v in options.items()},
                    member=s.member,
                    channel=s.channel,
                    locale=s.locale,
                )
                for choice in choices:
                    self.say(f"  {choice['name']}")
            elif line.startswith("/"):
                path, options = parse_command(s, line)
                result = await s.driver.invoke(
                    path, options, member=s.member, channel=s.channel, locale=s.locale
                )
                self.show_result(result)
            else:
                self.say(t(language, UNKNOWN_LINE))
        except (CommandUsageError, InteractionError, ValueError) as exc:
            self.say(f"! {exc}")
        await asyncio.sleep(0.05)
        self.show_new_posts()
        self.show_new_violations()
        return True

    def locale(self, arg: str) -> str:
        """The Discord locale named by ``locale X``, or a friendly refusal."""
        wanted = arg.strip()
        if wanted not in {locale.value for locale in discord.Locale}:
            raise CommandUsageError(t(self.s.language, LOCALES))
        return wanted

    def button(self, arg: str) -> tuple[Message, int]:
        """The message and index for ``click N``, or a friendly refusal."""
        msg = self.s.last_with_buttons
        if msg is None:
            raise CommandUsageError(t(self.s.language, NO_BUTTONS_YET))
        count = len(msg.buttons())
        if not arg.strip().isdigit() or not 1 <= int(arg) <= count:
            raise CommandUsageError(t(self.s.language, CLICK_NUMBER, count=count))
        return msg, int(arg) - 1

    def command_help(self, text: str) -> str:
        words, language = text.strip().lstrip("/").split(), self.s.language
        if not words:
            names = sorted(c["name"] for c in self.s.driver.registered(self.s.guild.id))
            listed = ", ".join(f"/{n}" for n in names)
            return t(language, COMMANDS, commands=listed, first=names[0])
        path, node, _ = _leaf(self.s.driver, self.s.guild, words, language)
        return f"/{path}: {node.get('description', '')}\n{describe(node, path, language)}"

    def show_new_violations(self) -> None:
        """What Discord would have refused, once each, right after the line that caused it."""
        violations = self.s.driver.violations
        for v in violations[self._violations_shown :]:
            refusal = t(
                self.s.language,
                WOULD_REFUSE,
                method=v.method,
                path=v.path,
                status=v.status,
                detail=v.detail,
            )
            self.say(f"! {refusal}")
        self._violations_shown = len(violations)


async def run_sandbox(
    lines: list[str] | None, database: Path, out: Any = None, *, locale: str = "en-US"
) -> int:
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
            session = Session(driver, guild, members, members["moderator"], general, locale=locale)
            console = Console(session, out, echo=lines is not None)
            console.say(t(session.language, WELCOME))
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
            refused = len(driver.violations)
            language = language_of(locale)
            text = tn(
                language,
                "Discord would have refused {n} request (shown above).",
                "Discord would have refused {n} requests (shown above).",
                refused,
            )
            print(text, file=out or sys.stdout)
            return 1
        return 0
    finally:
        await driver.stop()


def main(script: Path | None = None, database: Path | None = None, locale: str = "en-US") -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The console shows each refused request after the line that caused it; the log would repeat it.
    logging.getLogger("bot.sandbox.server").setLevel(logging.ERROR)
    lines = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            text = t(language_of(locale), UNREADABLE_SCRIPT, path=repr(str(script)), reason=reason)
            print(text, file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="kpops-sandbox-") as tmp:
        database = database or Path(tmp) / "sandbox.sqlite3"
        return asyncio.run(run_sandbox(lines, database, locale=locale))
