"""Command line: ``python -m bot`` runs the bot; see ``python -m bot --help`` for the rest."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import discord

from bot.settings import Settings, SettingsError, load_settings
from bot.storage import StorageError

log = logging.getLogger("bot")


def _fail(message: str) -> int:
    print(f"kpops-bot: {message}", file=sys.stderr)
    return 2


async def _run(settings: Settings, *, force_sync_only: bool) -> int:
    from bot.client import KpopsBot, use_endpoints

    use_endpoints(settings.api_base, settings.gateway_url)
    bot = KpopsBot(settings)
    bot.freeze_gc = True
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    closing: set[asyncio.Task[None]] = set()

    def stop() -> None:
        stopping.set()
        task = loop.create_task(bot.close())
        closing.add(task)  # keep a reference until it is done
        task.add_done_callback(closing.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    async with bot:
        await bot.open_storage()
        if force_sync_only:
            bot.force_sync = True
            await bot.login(settings.token)
            return 0
        await bot.start(settings.token, reconnect=True)
    log.info("kpops-bot stopped%s", " (signal)" if stopping.is_set() else "")
    return 0


def run(settings: Settings, *, force_sync_only: bool = False) -> int:
    discord.utils.setup_logging(level=settings.log_level, root=True)
    try:
        return asyncio.run(_run(settings, force_sync_only=force_sync_only))
    except StorageError as exc:
        return _fail(str(exc))
    except discord.LoginFailure:
        return _fail(
            "DISCORD_TOKEN was rejected by Discord: copy the bot token again from "
            "https://discord.com/developers/applications (Bot > Reset Token)"
        )
    except discord.PrivilegedIntentsRequired:
        return _fail("Discord refused the gateway intents; kpops-bot needs no privileged intents")
    except KeyboardInterrupt:
        return 0


def _health() -> int:
    from bot.health import check

    try:
        settings = load_settings(require_token=False)
    except SettingsError as exc:
        return _fail(str(exc))
    healthy, line = asyncio.run(check(str(settings.database_path)))
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _purge(guild_id: int) -> int:
    """Delete everything kpops-bot keeps about one server, at once (an operator's request)."""
    from bot.privacy import delete_guild, hooks_of_packages
    from bot.storage import Database

    try:
        settings = load_settings(require_token=False)
    except SettingsError as exc:
        return _fail(str(exc))

    async def purge() -> int:
        db = await Database.open(settings.database_path)
        try:
            return await delete_guild(db, hooks_of_packages(db), guild_id) or 0
        finally:
            await db.close()

    try:
        rows = asyncio.run(purge())
    except StorageError as exc:
        return _fail(str(exc))
    print(f"deleted {rows} rows about server {guild_id}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="kpops-bot, the K-Pops! fan bot."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("sync", help="force a sync of the slash commands, then exit")
    sandbox = sub.add_parser(
        "sandbox", help="try the bot locally against the built-in Discord emulator"
    )
    sandbox.add_argument(
        "--script", type=Path, help="replay a file of commands instead of prompting"
    )
    data = sub.add_parser("data", help="content tools")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    data_check = data_sub.add_parser(
        "check", help="check every content file in data/ and print a summary"
    )
    data_check.add_argument(
        "--data-dir", type=Path, help="check the content files in this folder instead of data/"
    )
    sub.add_parser(
        "health", help="exit 0 if the running bot is connected and the database writable"
    )
    purge = sub.add_parser(
        "purge", help="delete everything kpops-bot keeps about one server, now (stop the bot first)"
    )
    purge.add_argument("--guild", type=int, required=True, metavar="ID", help="the server's id")
    args = parser.parse_args(argv)

    if args.command == "purge":
        if args.guild <= 0:
            return _fail("--guild must be a server id (digits only)")
        return _purge(args.guild)

    if args.command == "health":
        return _health()

    if args.command == "data":
        from bot.content.checks import main as check_main

        if args.data_dir is None:
            return check_main()
        if not args.data_dir.is_dir():
            return _fail(f"--data-dir {str(args.data_dir)!r} is not a folder")
        return check_main(args.data_dir)
    if args.command == "sandbox":
        from bot.sandbox.repl import main as sandbox_main

        return sandbox_main(script=args.script)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    return run(settings, force_sync_only=args.command == "sync")


if __name__ == "__main__":
    sys.exit(main())
