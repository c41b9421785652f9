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
import string
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


def merged_catalog(language: Language, paths: list[Path] | None = None) -> Catalog:
    """Every catalog for ``language`` as one; the same entry may repeat only with the same text."""
    merged = Catalog(locale=language)
    for path in catalog_files(language) if paths is None else paths:
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


def placeholders(text: str) -> set[str]:
    """The ``{fields}`` of a message (a message without fields may hold literal braces)."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return set()


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A message's id or text as a tuple of its forms (one, or singular and plural)."""
    if value is None or isinstance(value, str):
        return (value or "",)
    return tuple(value)


def entry_key(message: Message) -> tuple[str | None, str]:
    """(msgctxt, msgid) of an entry; a plural entry is known by its singular."""
    return message.context, _forms(message.id)[0]


def untranslated(template: Catalog, catalog: Catalog) -> list[str]:
    """The template's messages that ``catalog`` has no usable (non-empty, non-fuzzy) text for."""
    done = {entry_key(m) for m in entries(catalog) if all(_forms(m.string)) and not m.fuzzy}
    return sorted(
        msgid
        for context, msgid in map(entry_key, entries(template))
        if (context, msgid) not in done
    )


def catalog_problems(catalog: Catalog) -> list[str]:
    """Entries that would leave a member reading English or a broken reply: untranslated, fuzzy,
    or with placeholders other than the English's."""
    problems: list[str] = []
    for message in entries(catalog):
        ids, texts = _forms(message.id), _forms(message.string)
        label = f"{ids[0]!r}" + (f" ({message.context})" if message.context else "")
        if message.fuzzy:
            problems.append(f"{label}: marked fuzzy")
        if not all(texts):
            problems.append(f"{label}: no translation")
            continue
        expected = placeholders(ids[-1])  # the plural's fields when there is one
        for text in texts:
            if placeholders(text) != expected:
                problems.append(
                    f"{label}: placeholders {sorted(placeholders(text))} != {sorted(expected)}"
                )
    return problems
