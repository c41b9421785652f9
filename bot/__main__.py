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

from bot.content.common import ContentError
from bot.settings import Settings, SettingsError, load_settings
from bot.storage import StorageError

log = logging.getLogger("bot")

# Gateway close codes: no retry can help, only a change of the shard settings.
INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011


def _fail(message: str) -> int:
    print(f"kpops-bot: {message}", file=sys.stderr)
    return 2


async def _run(settings: Settings, *, force_sync_only: bool) -> int:
    from bot.client import KpopsBot, use_endpoints
    from bot.connection import Stopped, retry_until_reachable, until_stopped

    use_endpoints(settings.api_base, settings.gateway_url)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    async def log_in() -> KpopsBot:
        # A fresh bot per attempt: a failed login leaves discord.py's HTTP session half made.
        bot = KpopsBot(settings)
        bot.freeze_gc = True
        bot.force_sync = force_sync_only
        try:
            await bot.open_storage()
            await bot.login(settings.token)
        except BaseException:
            await bot.close()
            raise
        return bot

    try:
        bot = await retry_until_reachable(log_in, stopping, what="log in")
    except Stopped:
        log.info("kpops-bot stopped (signal) before it could log in")
        return 0
    try:
        if not force_sync_only:
            # Closing first ends the gateway cleanly; what is left (a reconnect backoff) is cancelled.
            await until_stopped(bot.connect(reconnect=True), stopping, before_cancel=bot.close)
    except Stopped:
        pass
    finally:
        if not bot.is_closed():
            await bot.close()
    log.info("kpops-bot stopped%s", " (signal)" if stopping.is_set() else "")
    return 0


def run(settings: Settings, *, force_sync_only: bool = False) -> int:
    discord.utils.setup_logging(level=settings.log_level, root=True)
    try:
        return asyncio.run(_run(settings, force_sync_only=force_sync_only))
    except (StorageError, ContentError) as exc:
        return _fail(str(exc))
    except discord.LoginFailure:
        return _fail(
            "DISCORD_TOKEN was rejected by Discord: copy the bot token again from "
            "https://discord.com/developers/applications (Bot > Reset Token)"
        )
    except discord.PrivilegedIntentsRequired:
        return _fail("Discord refused the gateway intents; kpops-bot needs no privileged intents")
    except discord.ConnectionClosed as exc:
        if exc.code == SHARDING_REQUIRED:
            return _fail(
                "Discord requires more shards for this many servers: raise SHARD_COUNT (the same "
                "in every process), or leave SHARD_COUNT and SHARD_IDS empty for its recommendation"
            )
        if exc.code == INVALID_SHARD:
            return _fail(
                f"Discord refused shard {exc.shard_id} as invalid: check SHARD_COUNT and SHARD_IDS"
            )
        raise
    except KeyboardInterrupt:
        return 0


def _health() -> int:
    from bot.health import check, heartbeat_key

    try:
        settings = load_settings(require_token=False)
    except SettingsError as exc:
        return _fail(str(exc))
    key = heartbeat_key(settings.shard_label)
    healthy, line = asyncio.run(check(str(settings.database), key))
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _backup(target: Path) -> int:
    from bot.storage.backup import BackupError, backup

    try:
        settings = load_settings(require_token=False)
        print(backup(settings.database_path, target))
    except (SettingsError, BackupError) as exc:
        return _fail(str(exc))
    return 0


def _purge(guild_id: int) -> int:
    """Delete everything kpops-bot keeps about one server, at once (an operator's request)."""
    from bot.privacy import delete_guild, hooks_of_packages
    from bot.storage import Database

    try:
        settings = load_settings(require_token=False)
    except SettingsError as exc:
        return _fail(str(exc))

    async def purge() -> int:
        db = await Database.open(settings.database)
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


def _copy(destination: str, *, force: bool) -> int:
    """Copy the configured database into another one (SQLite into PostgreSQL, or back)."""
    from bot.storage.copy import copy_to

    try:
        settings = load_settings(require_token=False)
        report = asyncio.run(copy_to(settings.database, destination, force=force))
    except (SettingsError, StorageError) as exc:
        return _fail(str(exc))
    for table, count in report.counts.items():
        print(f"{table}: {count}")
    print(f"copied {report.total} rows; set DATABASE_URL to the target to use it")
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
    sandbox.add_argument(
        "--locale", default="en-US", help="your Discord language in the sandbox (ko: Korean)"
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
    backup = sub.add_parser(
        "backup", help="copy the live database to a new file (safe while the bot runs)"
    )
    backup.add_argument("path", type=Path, help="the new file (an existing file is never replaced)")
    purge = sub.add_parser(
        "purge", help="delete everything kpops-bot keeps about one server, now (stop the bot first)"
    )
    purge.add_argument("--guild", type=int, required=True, metavar="ID", help="the server's id")
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_copy = db_sub.add_parser(
        "copy",
        help="copy every table of the configured database into another one, in one transaction "
        "(stop the bot first)",
    )
    db_copy.add_argument(
        "--to", required=True, metavar="URL", help="a postgresql:// URL or a SQLite file path"
    )
    db_copy.add_argument(
        "--force", action="store_true", help="replace what the target already holds"
    )
    args = parser.parse_args(argv)

    if args.command == "purge":
        if args.guild <= 0:
            return _fail("--guild must be a server id (digits only)")
        return _purge(args.guild)

    if args.command == "db":
        return _copy(args.to, force=args.force)
    if args.command == "health":
        return _health()
    if args.command == "backup":
        return _backup(args.path)

    if args.command == "data":
        from bot.content.checks import main as check_main

        if args.data_dir is None:
            return check_main()
        if not args.data_dir.is_dir():
            return _fail(f"--data-dir {str(args.data_dir)!r} is not a folder")
        return check_main(args.data_dir)
    if args.command == "sandbox":
        from bot.sandbox.repl import main as sandbox_main

        try:
            return sandbox_main(script=args.script, locale=args.locale)
        except ContentError as exc:
            return _fail(str(exc))
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    return run(settings, force_sync_only=args.command == "sync")


if __name__ == "__main__":
    sys.exit(main())
