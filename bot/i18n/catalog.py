"""The gettext catalogs: found, read with Babel, merged, and looked up.

English is the source language (the msgid), so only Korean has catalogs: ``bot/locales/ko.po`` for
strings in ``bot/`` and ``cogs/<feature>/locales/ko.po`` for each feature. They are read from the
``.po`` files at start-up and compiled in memory, so there is no build step to forget; an entry
marked fuzzy or left empty is not used (the reply stays English) and fails the tests.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import bot
import cogs

Language = Literal["en", "ko"]
ENGLISH: Language = "en"
KOREAN: Language = "ko"
TRANSLATED: tuple[Language, ...] = (KOREAN,)  # languages with catalogs (English is the source)

# msgctxt values that keep command metadata apart from prose with the same English words.
NAME_CONTEXT = "command-name"
DESCRIPTION_CONTEXT = "command-description"
CHOICE_CONTEXT = "command-choice"


class CatalogConflict(ValueError):
    """Two catalogs translate the same English string differently."""


def catalog_files(language: Language) -> list[Path]:
    """The shared catalog first, then one per feature package, in a stable order."""
    shared = Path(bot.__file__).parent / "locales" / f"{language}.po"
    features = sorted(Path(cogs.__file__).parent.glob(f"*/locales/{language}.po"))
    return [path for path in (shared, *features) if path.is_file()]


def read_catalog(path: Path, language: Language) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=language)


def entries(catalog: Catalog) -> Iterator[Message]:
    """The catalog's messages without the header entry."""
    return (message for message in catalog if message.id)


def merged_catalog(language: Language) -> Catalog:
    """Every catalog for ``language`` as one; the same entry may repeat only with the same text."""
    merged = Catalog(locale=language)
    for path in catalog_files(language):
        for message in entries(read_catalog(path, language)):
            known = merged.get(message.id, message.context)
            if known is not None and (known.string, known.fuzzy) != (
                message.string,
                message.fuzzy,
            ):
                raise CatalogConflict(f"{path}: {message.id!r} is translated differently elsewhere")
            merged[message.id] = message
    return merged


def compiled(catalog: Catalog) -> gettext.GNUTranslations:
    """The standard library's gettext lookup (plural rule from the catalog's header) for a
    catalog, compiled in memory; fuzzy entries are left out, as msgfmt leaves them out."""
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@functools.cache
def translations(language: Language) -> gettext.NullTranslations:
    """The lookup for one language, compiled from its .po files once per process."""
    if language not in TRANSLATED:
        return gettext.NullTranslations()  # English: the msgid is the text
    return compiled(merged_catalog(language))


def translated(language: Language, msgid: str, context: str | None = None) -> str | None:
    """The catalog's text for ``msgid``, or None where it has none (English has none)."""
    lookup = translations(language)
    text = lookup.pgettext(context, msgid) if context else lookup.gettext(msgid)
    return None if language not in TRANSLATED or text == msgid else text
