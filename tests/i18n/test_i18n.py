"""The Korean machinery: catalogs complete and consistent, lookups, plurals, formats, locale choice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import discord
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.errors import MODERATORS_ONLY, SLOW_DOWN, UserFacingError
from bot.i18n import (
    ENGLISH,
    KOREAN,
    TRANSLATED,
    CatalogConflict,
    format_day,
    format_number,
    language_of,
    merged_catalog,
    server_locale,
    t,
    tn,
)
from bot.i18n.catalog import (
    Language,
    catalog_problems,
    entries,
    entry_key,
    placeholders,
    read_catalog,
    untranslated,
)
from bot.i18n.extract import TEMPLATE, Scope, scopes, template
from tests.i18n.conftest import UseKorean, korean_catalog

# ------------------------------------------------------------------ the real catalogs
# Feature packages (issue 14's layout) whose strings are not converted yet: phase 2 gives each a
# locales/ folder and removes it here. A package with no catalog that is not listed fails below.
PENDING: set[str] = set()


def converted_scopes() -> list[Scope]:
    return [s for s in scopes() if s.locales.is_dir() or s.source.name not in PENDING]


def test_only_the_listed_packages_are_still_without_catalogs() -> None:
    waiting = {s.source.name for s in scopes() if s not in converted_scopes()}
    assert waiting <= PENDING
    assert not {s.source.name for s in scopes() if s.locales.is_dir()} & PENDING, (
        "a converted package is still listed in PENDING"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_extracted_message_has_a_translation_in_its_scope(language: Language) -> None:
    """A string added to the code with t()/tn()/N_()/UserFacingError() fails here until its
    translation is in the catalog of its folder (bot/locales or cogs/<feature>/locales)."""
    for scope in converted_scopes():
        wanted = template(scope)
        if not len(wanted):
            continue
        path = scope.catalog(language)
        assert path.is_file(), f"{path} is missing: see docs/i18n.md"
        missing = untranslated(wanted, read_catalog(path, language))
        assert not missing, f"{path} lacks a translation of: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_entries_are_translated_with_the_same_placeholders(language: Language) -> None:
    assert catalog_problems(merged_catalog(language)) == []


def test_untranslated_finds_what_a_catalog_lacks() -> None:
    wanted = Catalog()
    for msgid in ("Poll closed.", "Fact", "Quote"):
        wanted.add(msgid)
    wanted.add(("{n} vote", "{n} votes"))
    have = korean_catalog({"Poll closed.": "투표가 끝났어요.", "Fact": ""})
    have.add("Quote", "명언", flags=["fuzzy"])
    assert untranslated(wanted, have) == ["Fact", "Quote", "{n} vote"]


def test_the_shipped_templates_match_the_code() -> None:
    """Each scope's messages.pot is what extraction gives today (python -m bot.i18n.extract)."""
    for scope in converted_scopes():
        wanted = {entry_key(m) for m in entries(template(scope))}
        if not wanted:
            continue
        shipped = read_catalog(scope.locales / TEMPLATE, KOREAN)
        assert {entry_key(m) for m in entries(shipped)} == wanted, f"{scope.locales} is stale"


# ------------------------------------------------------------------ catalog checks catch faults
def test_catalog_problems_reports_missing_fuzzy_and_placeholder_faults() -> None:
    catalog = Catalog(locale=KOREAN)
    catalog.add("Hello {name}.", "안녕하세요, {name}님.")
    catalog.add("Poll closed.", "")
    catalog.add("Fact {number}", "사실 {number}", flags=["fuzzy"])
    catalog.add("Vote for {choice}.", "{option}에 투표하세요.")
    catalog.add(("{n} vote", "{n} votes"), ("투표 {count}표",))
    problems = catalog_problems(catalog)
    assert len(problems) == 4, problems
    assert any("'Poll closed.': no translation" in p for p in problems)
    assert any("'Fact {number}': marked fuzzy" in p for p in problems)
    assert any("'Vote for {choice}.'" in p and "placeholders" in p for p in problems)
    assert any("'{n} vote'" in p and "placeholders" in p for p in problems)


def test_placeholders_are_named_format_fields() -> None:
    assert placeholders("Poll {title} ends {when}.") == {"title", "when"}
    assert placeholders("Use `{}`-free text") == {""}
    assert placeholders("a lone { brace") == set()


def test_two_catalogs_translating_one_string_differently_conflict(tmp_path: Path) -> None:
    paths = []
    for name, text in (("a", "모더레이터만 쓸 수 있어요."), ("b", "관리자만 쓸 수 있어요.")):
        catalog = Catalog(locale=KOREAN)
        catalog.add("Only moderators.", text)
        path = tmp_path / f"{name}.po"
        with path.open("wb") as fp:
            write_po(fp, catalog)
        paths.append(path)
    with pytest.raises(CatalogConflict):
        merged_catalog(KOREAN, paths)
    assert merged_catalog(KOREAN, [paths[0], paths[0]]).get("Only moderators.") is not None


# ------------------------------------------------------------------ lookups
def test_english_is_the_msgid_and_korean_comes_from_the_catalog() -> None:
    assert t(ENGLISH, MODERATORS_ONLY) == "Only moderators can use this command."
    assert t(KOREAN, MODERATORS_ONLY) == "모더레이터만 사용할 수 있는 명령어예요."
    assert t(KOREAN, SLOW_DOWN, seconds="3") == "조금만 천천히 해 주세요. 3초 뒤에 다시 해 보세요."
    assert t(KOREAN, "A message no catalog holds.") == "A message no catalog holds."


def test_field_values_are_never_read_as_templates() -> None:
    hostile = "{seconds} {0} {__class__} ㅋㅋ ｆｕｌｌ"
    assert t(KOREAN, SLOW_DOWN, seconds=hostile) == (
        f"조금만 천천히 해 주세요. {hostile}초 뒤에 다시 해 보세요."
    )
    assert t(ENGLISH, "No fields: {kept} as written") == "No fields: {kept} as written"


def test_plurals_follow_each_languages_rule(use_korean: UseKorean) -> None:
    use_korean(korean_catalog({("{n} fact", "{n} facts"): ("사실 {n}개",)}))
    assert tn(ENGLISH, "{n} fact", "{n} facts", 1) == "1 fact"
    assert tn(ENGLISH, "{n} fact", "{n} facts", 2) == "2 facts"
    assert tn(ENGLISH, "{n} fact", "{n} facts", 0) == "0 facts"
    assert tn(KOREAN, "{n} fact", "{n} facts", 1) == "사실 1개"
    assert tn(KOREAN, "{n} fact", "{n} facts", 2) == "사실 2개"
    assert tn(ENGLISH, "{n} fact", "{n} facts", 12345) == "12,345 facts"
    assert tn(KOREAN, "{n} fact", "{n} facts", 12345) == "사실 12,345개"


def test_a_fuzzy_translation_is_not_used(use_korean: UseKorean) -> None:
    catalog = korean_catalog({})
    catalog.add("Poll closed.", "투표가 끝났어요.", flags=["fuzzy"])
    use_korean(catalog)
    assert t(KOREAN, "Poll closed.") == "Poll closed."


def test_numbers_and_days_have_one_format_per_language() -> None:
    assert format_number(ENGLISH, 1234567) == "1,234,567"
    assert format_number(KOREAN, 1234567) == "1,234,567"
    assert format_number(ENGLISH, 0.5) == "0.5"
    day = dt.date(2026, 7, 3)
    assert format_day(ENGLISH, day) == "July 3, 2026"
    assert format_day(KOREAN, day) == "2026년 7월 3일"


def test_user_facing_errors_carry_their_msgid_and_fields() -> None:
    error = UserFacingError(SLOW_DOWN, seconds="4")
    assert str(error) == "Slow down a little: try again in 4s."
    assert error.text(KOREAN) == "조금만 천천히 해 주세요. 4초 뒤에 다시 해 보세요."
    assert UserFacingError("Plain {braces} kept").text(ENGLISH) == "Plain {braces} kept"


# ------------------------------------------------------------------ which language
@pytest.mark.parametrize(
    ("locale", "language"),
    [
        (discord.Locale.korean, KOREAN),
        ("ko", KOREAN),
        (discord.Locale.american_english, ENGLISH),
        (discord.Locale.japanese, ENGLISH),
        ("ko-KR", ENGLISH),  # not a Discord locale
        (None, ENGLISH),
    ],
)
def test_a_member_reads_korean_only_when_discord_is_in_korean(
    locale: discord.Locale | str | None, language: str
) -> None:
    assert language_of(locale) == language


@pytest.mark.parametrize(
    ("setting", "guild_locale", "language"),
    [
        ("auto", discord.Locale.korean, KOREAN),
        ("auto", discord.Locale.american_english, ENGLISH),
        ("auto", discord.Locale.french, ENGLISH),
        (None, "ko", KOREAN),
        ("en", discord.Locale.korean, ENGLISH),
        ("ko", discord.Locale.american_english, KOREAN),
        ("ko", None, KOREAN),
    ],
)
def test_posts_that_stay_follow_the_servers_language(
    setting: str | None, guild_locale: discord.Locale | str | None, language: str
) -> None:
    assert server_locale(setting, guild_locale) == language
