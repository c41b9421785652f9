"""The baseline: a bare discord.py bot that only acknowledges every interaction.

Same intents and caches as kpops-bot (GUILDS only, no member cache), so a comparison measures
kpops-bot's own work, not a difference in configuration.
"""

from __future__ import annotations

import asyncio
import os

import discord

from bot.client import use_endpoints


class BareBot(discord.Client):
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            await interaction.response.send_message("ok", ephemeral=True)


async def main() -> None:
    use_endpoints(os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"])
    intents = discord.Intents.none()
    intents.guilds = True
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    client = BareBot(
        intents=intents,
        member_cache_flags=discord.MemberCacheFlags.none(),
        chunk_guilds_at_startup=False,
        max_messages=None,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    async with client:
        await client.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
