"""/help: every command and what it does, generated from the command tree."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.checks import requires_moderator
from bot.client import KpopsBot
from bot.ui.style import BRAND


def help_embed(tree: app_commands.CommandTree[KpopsBot]) -> discord.Embed:
    embed = discord.Embed(
        title="kpops-bot commands",
        description=(
            "Facts, quotes, an influence graph and listening polls for *K-Pops!* fans. "
            "Commands marked 🛡️ are for moderators.\n"
            "Privacy: `/privacy show` lists what kpops-bot keeps about you, `/privacy delete` "
            "erases it; the full policy is PRIVACY.md in kpops-bot's source."
        ),
        colour=BRAND,
    )
    groups: dict[str, list[str]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        top = command.root_parent.name if command.root_parent else command.name
        mod = " 🛡️" if requires_moderator(command) else ""
        groups.setdefault(top, []).append(
            f"`/{command.qualified_name}`{mod} — {command.description}"
        )
    for name in sorted(groups):
        # Whole lines per field: a feature with many commands continues in a second field.
        chunk: list[str] = []
        for line in groups[name]:
            if chunk and len("\n".join([*chunk, line])) > limits.EMBED_FIELD_VALUE_MAX:
                embed.add_field(name=name.capitalize(), value="\n".join(chunk), inline=False)
                chunk = []
            chunk.append(line[: limits.EMBED_FIELD_VALUE_MAX])
        embed.add_field(name=name.capitalize(), value="\n".join(chunk), inline=False)
    return embed


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
