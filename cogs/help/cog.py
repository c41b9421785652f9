"""/help: every command, its options and what it does, generated from the command tree."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.checks import requires_moderator
from bot.client import KpopsBot
from bot.ui.style import BRAND
from bot.ui.text import clip, counted

INTRO = (
    "Facts, quotes, an influence graph and listening polls for *K-Pops!* fans. "
    "After each command, its options: [in brackets] if you may leave them out. "
    "Commands marked 🛡️ are for moderators.\n"
    "Privacy: `/privacy show` lists what kpops-bot keeps about you, `/privacy delete` "
    "erases it; the full policy is PRIVACY.md in kpops-bot's source."
)
# Room kept below Discord's 6,000 characters per message for the embed's own overhead.
BUDGET = limits.EMBED_TOTAL_MAX - 100
GENERAL = "General"
DESCRIPTION_STEPS = (100, 80, 60, 40, 0)  # how much of each description is kept, until it fits


def options_of(command: app_commands.Command[Any, ..., Any]) -> str:
    """The command's options in order: ``text speaker [source]`` (brackets: optional)."""
    return " ".join(
        p.display_name if p.required else f"[{p.display_name}]" for p in command.parameters
    )


def command_line(command: app_commands.Command[Any, ..., Any], description_max: int) -> str:
    options = options_of(command)
    line = f"`/{command.qualified_name}`" + (f" {options}" if options else "")
    if requires_moderator(command):
        line += " 🛡️"
    if description_max:
        line += f" — {clip(command.description, description_max)}"
    return line


def help_embed(tree: app_commands.CommandTree[KpopsBot]) -> discord.Embed:
    """Every command with its options, by feature; descriptions shortened only if they must be."""
    # A group of commands is a feature; commands of their own (like /help) share one field, so
    # the fields stay few (Discord allows 25) however many such commands there are.
    by_feature: dict[str, list[app_commands.Command[Any, ..., Any]]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Command):
            root = command.root_parent
            by_feature.setdefault(root.name.capitalize() if root else GENERAL, []).append(command)
    names = sorted(by_feature, key=lambda n: (n == GENERAL, n))
    for description_max in DESCRIPTION_STEPS:
        embed = discord.Embed(title="kpops-bot commands", description=INTRO, colour=BRAND)
        left = 0
        for name in names:
            left += _add_lines(
                embed, name, [command_line(c, description_max) for c in by_feature[name]]
            )
        if left:
            embed.set_footer(text=f"{counted(left, 'more command')} did not fit here.")
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
        # The tree only changes when cogs load or unload: rebuild the embed only then.
        self._cached: tuple[tuple[int, ...], discord.Embed] | None = None

    def embed(self) -> discord.Embed:
        key = tuple(id(command) for command in self.bot.tree.get_commands())
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, help_embed(self.bot.tree))
        return self._cached[1]

    @app_commands.command(name="help", description="List every kpops-bot command and what it does.")
    async def help(self, interaction: discord.Interaction[KpopsBot]) -> None:
        await interaction.response.send_message(embed=self.embed(), ephemeral=True)
