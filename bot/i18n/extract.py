"""Extraction: which messages each catalog must hold, found in the source by Babel's extractor.

Each *scope* is a source folder and the folder of its catalogs: ``bot/`` -> ``bot/locales/``, and
each feature package ``cogs/<feature>/`` -> ``cogs/<feature>/locales/``. Run
``python -m bot.i18n.extract`` to rewrite every scope's ``messages.pot``; then
``pybabel update -i <locales>/messages.pot -o <locales>/ko.po -l ko`` merges it into the Korean.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

import bot
import cogs

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
    return catalog


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
