"""/help: every command, its options and what it does, generated from the command tree."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.checks import requires_moderator
from bot.client import KpopsBot
from bot.i18n import N_, Language, reply_locale, t, tn
from bot.i18n.catalog import DESCRIPTION_CONTEXT, NAME_CONTEXT
from bot.i18n.translator import localized
from bot.ui.style import BRAND
from bot.ui.text import clip

INTRO = N_(
    "Facts, quotes, an influence graph and listening polls for *K-Pops!* fans. "
    "After each command, its options: [in brackets] if you may leave them out. "
    "Commands marked 🛡️ are for moderators.\n"
    "Privacy: `/privacy show` lists what kpops-bot keeps about you, `/privacy delete` "
    "erases it; the full policy is PRIVACY.md in kpops-bot's source."
)
# Room kept below Discord's 6,000 characters per message for the embed's own overhead.
BUDGET = limits.EMBED_TOTAL_MAX - 100
GENERAL = N_("General")
DESCRIPTION_STEPS = (100, 80, 60, 40, 0)  # how much of each description is kept, until it fits
Command = app_commands.Command[Any, ..., Any]


def name_in(language: Language, name: str) -> str:
    """A command, group or option name as the member's Discord shows it (the Translator's)."""
    return localized(NAME_CONTEXT, name, language) or name


def qualified_name_in(language: Language, command: Command) -> str:
    parts: list[str] = []
    node: Command | app_commands.Group | None = command
    while node is not None:
        parts.append(name_in(language, node.name))
        node = node.parent
    return " ".join(reversed(parts))


def options_of(command: Command, language: Language = "en") -> str:
    """The command's options in order: ``text speaker [source]`` (brackets: optional)."""
    names = [(name_in(language, p.display_name), p.required) for p in command.parameters]
    return " ".join(name if required else f"[{name}]" for name, required in names)


def command_line(command: Command, description_max: int, language: Language = "en") -> str:
    options = options_of(command, language)
    line = f"`/{qualified_name_in(language, command)}`" + (f" {options}" if options else "")
    if requires_moderator(command):
        line += " 🛡️"
    if description_max:
        description = localized(DESCRIPTION_CONTEXT, command.description, language)
        line += f" — {clip(description or command.description, description_max)}"
    return line


def help_embed(tree: app_commands.CommandTree[KpopsBot], language: Language) -> discord.Embed:
    """Every command with its options, by feature; descriptions shortened only if they must be."""
    # A group of commands is a feature; commands of their own (like /help) share one field, so
    # the fields stay few (Discord allows 25) however many such commands there are.
    general = t(language, GENERAL)
    by_feature: dict[str, list[Command]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Command):
            root = command.root_parent
            feature = name_in(language, root.name).capitalize() if root else general
            by_feature.setdefault(feature, []).append(command)
    names = sorted(by_feature, key=lambda n: (n == general, n))
    title, intro = t(language, "kpops-bot commands"), t(language, INTRO)
    for description_max in DESCRIPTION_STEPS:
        embed = discord.Embed(title=title, description=intro, colour=BRAND)
        left = 0
        for name in names:
            lines = [command_line(c, description_max, language) for c in by_feature[name]]
            left += _add_lines(embed, name, lines)
        if left:
            footer = tn(
                language,
                "{n} more command did not fit here.",
                "{n} more commands did not fit here.",
                left,
            )
            embed.set_footer(text=footer)
        if len(embed) <= BUDGET:
            break
    return embed


def _add_lines(embed: discord.Embed, name: str, lines: list[str]) -> int:
    """Whole lines per field: a feature with many commands continues in another field.
    Returns how many lines found no field left (Discord allows 25)."""
    chunks: list[list[str]] = [[]]
    for line in lines:
        if chunks[-1] and len("\n".join([*chunks[-1], line])) > limits.EMBED_FIELD_VALUE_MAX:
            chunks.append([])
        chunks[-1].append(clip(line, limits.EMBED_FIELD_VALUE_MAX))
    for index, chunk in enumerate(chunks):
        if len(embed.fields) >= limits.EMBED_FIELDS_MAX:
            return sum(len(c) for c in chunks[index:])
        embed.add_field(name=name, value="\n".join(chunk), inline=False)
    return 0


class Help(commands.Cog):
    def __init__(self, bot: KpopsBot) -> None:
        self.bot = bot
        # The tree only changes when cogs load or unload: rebuild the embeds only then.
        self._tree_key: tuple[int, ...] = ()
        self._cached: dict[Language, discord.Embed] = {}

    def embed(self, language: Language = "en") -> discord.Embed:
        key = tuple(id(command) for command in self.bot.tree.get_commands())
        if self._tree_key != key:
            self._tree_key, self._cached = key, {}
        if language not in self._cached:
            self._cached[language] = help_embed(self.bot.tree, language)
        return self._cached[language]

    @app_commands.command(name="help", description="List every kpops-bot command and what it does.")
    async def help(self, interaction: discord.Interaction[KpopsBot]) -> None:
        embed = self.embed(reply_locale(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)
