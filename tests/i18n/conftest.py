"""A stand-in Korean catalog for tests that need entries the real catalogs do not (yet) hold."""

from __future__ import annotations

import gettext
from collections.abc import Callable

import pytest
from babel.messages.catalog import Catalog

from bot.i18n import catalog as catalog_module
from bot.i18n import messages as messages_module
from bot.i18n.catalog import KOREAN, Language, compiled

UseKorean = Callable[[Catalog], None]


def korean_catalog(
    entries: dict[str | tuple[str, str], str | tuple[str, ...]],
    contexts: dict[tuple[str, str], str] | None = None,
) -> Catalog:
    """``{msgid: msgstr}`` (a plural: ``{(singular, plural): (msgstr,)}``) and
    ``{(msgctxt, msgid): msgstr}`` as a Korean catalog."""
    catalog = Catalog(locale=KOREAN)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    for (context, msgid), msgstr in (contexts or {}).items():
        catalog.add(msgid, msgstr, context=context)
    return catalog


@pytest.fixture
def use_korean(monkeypatch: pytest.MonkeyPatch) -> UseKorean:
    """Make the bot look Korean up in the given catalog for the rest of the test."""

    original = catalog_module.translations

    def install(catalog: Catalog) -> None:
        lookup = compiled(catalog)

        def translations(language: Language) -> gettext.NullTranslations:
            return lookup if language == KOREAN else original(language)

        monkeypatch.setattr(catalog_module, "translations", translations, raising=True)
        monkeypatch.setattr(messages_module, "translations", translations, raising=True)

    return install
