"""Extraction: which messages each catalog must hold, found in the source by Babel's extractor.

Each *scope* is a source folder and the folder of its catalogs: ``bot/`` -> ``bot/locales/``, and
each feature package ``cogs/<feature>/`` -> ``cogs/<feature>/locales/``. Run
``python -m bot.i18n.extract`` to rewrite every scope's ``messages.pot``; then
``pybabel update -i <locales>/messages.pot -o <locales>/ko.po -l ko`` merges it into the Korean.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po
from discord import app_commands
from discord.ext import commands

import bot
import cogs
from bot.i18n.translator import command_messages

# Babel keyword specs (1-based argument numbers of the msgid; None = the first argument).
# Kept in step with bot.i18n.scan.MSGID_ARGS, which checks these arguments are literals.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": (2,),
    "tn": (2, 3),
    "N_": None,
    "UserFacingError": None,
    "guild_id_of": (2,),
}
TEMPLATE = "messages.pot"
METADATA_NOTE = "command metadata: discord.py asks the Translator for it at sync"
HEADER = "# kpops-bot's messages, English source (python -m bot.i18n.extract); see docs/i18n.md."
TEAM = "kpops-bot contributors"
BUGS = "the project's issue tracker"


@dataclass(frozen=True)
class Scope:
    source: Path
    locales: Path

    def catalog(self, language: str) -> Path:
        return self.locales / f"{language}.po"


def scopes() -> list[Scope]:
    """The shared scope, then one per feature package."""
    shared = Path(bot.__file__).parent
    features = sorted(path.parent for path in Path(cogs.__file__).parent.glob("*/__init__.py"))
    return [Scope(shared, shared / "locales")] + [
        Scope(feature, feature / "locales") for feature in features
    ]


def _extracted(source: Path) -> Iterator[tuple[str, int, str | tuple[str, ...], str | None]]:
    for filename, lineno, message, _comments, context in extract_from_dir(
        source,
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
    ):
        yield filename, lineno, message, context


def template(scope: Scope) -> Catalog:
    """The scope's messages as a gettext template (no translations)."""
    catalog = Catalog(
        project="kpops-bot",
        version=bot.__version__,
        header_comment=HEADER,
        msgid_bugs_address=BUGS,
        last_translator=TEAM,
        language_team=TEAM,
        fuzzy=False,
    )
    for filename, lineno, message, context in _extracted(scope.source):
        catalog.add(message, locations=[(filename, lineno)], context=context)
    for context, msgid in command_entries(scope):
        catalog.add(msgid, context=context, auto_comments=[METADATA_NOTE])
    return catalog


def _top_level_commands(
    package: str,
) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
    """The slash commands and groups the package's cogs declare (class attributes, as written)."""
    importlib.import_module(package)
    found: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []
    modules = [
        m for n, m in sorted(sys.modules.items()) if n == package or n.startswith(f"{package}.")
    ]
    for module in modules:
        for value in vars(module).values():
            if not (
                isinstance(value, type)
                and issubclass(value, commands.Cog)
                and value.__module__ == module.__name__
            ):
                continue
            for attribute in vars(value).values():
                if isinstance(attribute, app_commands.Command | app_commands.Group) and (
                    attribute.parent is None
                ):
                    found.append(attribute)
    return found


def command_entries(scope: Scope) -> list[tuple[str, str]]:
    """(msgctxt, msgid) of the command metadata a feature package's cogs declare: the names,
    descriptions and choices discord.py will ask the Translator for at sync. In the template, so
    that ``pybabel update`` keeps these entries in the feature's catalog (extraction from the
    source cannot see them: they sit in decorators)."""
    if scope.source.parent != Path(cogs.__file__).parent:
        return []
    declared = _top_level_commands(f"cogs.{scope.source.name}")
    if not declared:
        return []
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none())
    )
    for command in declared:
        tree.add_command(command)
    return sorted(asyncio.run(command_messages(tree)))


def write_template(scope: Scope) -> Path:
    scope.locales.mkdir(exist_ok=True)
    path = scope.locales / TEMPLATE
    with path.open("wb") as fp:
        write_po(fp, template(scope), omit_header=False, sort_output=True, width=100)
    return path


def main() -> None:
    for scope in scopes():
        if template(scope):
            print(write_template(scope))


if __name__ == "__main__":
    main()
