"""/help: every command and what it does, generated from the command tree."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import KpopsBot

EMBED_COLOUR = discord.Colour.from_rgb(255, 94, 154)


def help_embed(tree: app_commands.CommandTree[KpopsBot]) -> discord.Embed:
    embed = discord.Embed(
        title="kpops-bot commands",
        description=(
            "Facts, quotes, an influence graph and listening polls for *K-Pops!* fans. "
            "Commands marked 🛡️ are for moderators."
        ),
        colour=EMBED_COLOUR,
    )
    groups: dict[str, list[str]] = {}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        top = command.root_parent.name if command.root_parent else command.name
        root = command.root_parent or command
        mod = (
            " 🛡️" if root.default_permissions is not None and root.default_permissions.value else ""
        )
        groups.setdefault(top, []).append(
            f"`/{command.qualified_name}`{mod} — {command.description}"
        )
    for name in sorted(groups):
        value = "\n".join(groups[name])
        embed.add_field(name=name.capitalize(), value=value[:1024], inline=False)
    return embed


class Help(commands.Cog):
    def __init__(self, bot: KpopsBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="List every kpops-bot command and what it does.")
    async def help(self, interaction: discord.Interaction[KpopsBot]) -> None:
        await interaction.response.send_message(embed=help_embed(self.bot.tree), ephemeral=True)


async def setup(bot: KpopsBot) -> None:
    await bot.add_cog(Help(bot))
