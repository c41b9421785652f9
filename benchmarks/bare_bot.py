"""The baselines: bare discord.py bots that do no work of their own.

- By default, a bot that only acknowledges: every interaction gets an ephemeral "ok" (and every
  autocomplete no choices).
- With ``BARE_REPLIES`` naming a JSON file, a bot that answers each command with a reply
  kpops-bot really sent to that command (its embeds and buttons, read from the file and built
  into discord.py objects once, at load), so it sends the same payloads with no logic at all.
  ``SIGUSR1`` makes it read the file again. Comparing kpops-bot with it shows what kpops-bot's own
  work costs, apart from what discord.py spends on the bigger replies.

Same intents and caches as kpops-bot (GUILDS only, no member cache), so a comparison measures
kpops-bot's own work, not a difference in configuration.

It imports nothing of kpops-bot: discord.py alone. Until 2026-12-03 it imported kpops-bot's
``bot.client`` for two lines, and so carried kpops-bot's modules (9 MiB, 125 modules) in its heap.
That heap changed how the bare bot used memory: without those modules it hands memory back to the
system and takes it again on every interaction (about 3.5 minor page faults each, as the bare bot
of the commit the first CPU targets were measured on did); with them, it does not.
``BARE_LOAD_PROJECT=1`` loads kpops-bot's ``bot.client`` first and uses nothing of it, to measure
against that other baseline too.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import signal
from pathlib import Path
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

# command path ("influence artist", or "autocomplete") -> the replies to send in turn
Replies = dict[str, list[tuple[dict[str, Any], list[discord.Embed], discord.ui.View | None]]]


def command_path(data: Any) -> str:
    """The invoked command's full name, e.g. "influence artist"."""
    parts = [str(data.get("name", ""))]
    options = data.get("options") or []
    while options and options[0].get("type") in (1, 2):  # sub-command (group)
        parts.append(str(options[0]["name"]))
        options = options[0].get("options") or []
    return " ".join(parts)


def use_endpoints(api_base: str, gateway_url: str) -> None:
    """The emulator's address, set as kpops-bot sets it (the same documented class settings)."""
    Route.BASE = api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def build_view(rows: list[dict[str, Any]]) -> discord.ui.View | None:
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for number, row in enumerate(rows):
        for item in row.get("components", []):
            view.add_item(
                discord.ui.Button(
                    label=item.get("label"),
                    custom_id=item.get("custom_id"),
                    style=discord.ButtonStyle(item.get("style", 2)),
                    disabled=bool(item.get("disabled")),
                    row=number,
                )
            )
    view.stop()  # nothing to listen for: sent as is, never stored
    return view


def load_replies(path: Path) -> Replies:
    raw: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    return {
        key: [
            (
                reply,
                [discord.Embed.from_dict(e) for e in reply.get("embeds", [])],
                build_view(reply.get("components", [])),
            )
            for reply in replies
        ]
        for key, replies in raw.items()
    }


class BareBot(discord.Client):
    def __init__(self, replies_file: Path | None, **options: Any) -> None:
        super().__init__(**options)
        self.replies_file = replies_file
        self.replies: Replies = {}
        self.sent = 0

    def reload(self) -> None:
        if self.replies_file is not None and self.replies_file.exists():
            self.replies = load_replies(self.replies_file)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.sent += 1
        if interaction.type is discord.InteractionType.autocomplete:
            replies = self.replies.get("autocomplete")
            choices = replies[self.sent % len(replies)][0]["choices"] if replies else []
            await interaction.response.autocomplete(
                [discord.app_commands.Choice(name=c["name"], value=c["value"]) for c in choices]
            )
            return
        replies = self.replies.get(command_path(interaction.data or {}))
        if not replies:
            await interaction.response.send_message("ok", ephemeral=True)
            return
        reply, embeds, view = replies[self.sent % len(replies)]
        await interaction.response.send_message(
            reply.get("content") or None,
            embeds=embeds,
            view=view or discord.utils.MISSING,
            ephemeral=bool(reply.get("ephemeral")),
        )


async def main() -> None:
    if os.environ.get("BARE_LOAD_PROJECT") == "1":
        importlib.import_module("bot.client")  # kpops-bot's modules in the heap, unused
    use_endpoints(os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"])
    intents = discord.Intents.none()
    intents.guilds = True
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    replies = os.environ.get("BARE_REPLIES")
    client = BareBot(
        Path(replies) if replies else None,
        intents=intents,
        member_cache_flags=discord.MemberCacheFlags.none(),
        chunk_guilds_at_startup=False,
        max_messages=None,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    client.reload()
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, client.reload)
    async with client:
        await client.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
