"""Tests for the quotes loader and checker, on the real file and on small broken tables."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bot.content.common import Problem
from cogs.quotes.content import (
    CONTEXT_LIMIT,
    DEFAULT_PATH,
    TEXT_LIMIT,
    Quote,
    QuoteBook,
    check_quotes,
    check_quotes_korean,
    load_quotes,
    normalized_text,
)

FILE = "quotes.toml"


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "paak-test-quote",
        "text": "It was necessary.",
        "speaker": "Anderson .Paak",
        "context": "Told a magazine about the film.",
        "translated": "",
        "source": {
            "url": "https://example.com/interview",
            "publication": "Example Magazine",
            "date": "2026-02-27",
        },
    }
    entry.update(overrides)
    return entry


def _raw(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"quotes": list(entries)}


def _messages(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


# --- the real file ---------------------------------------------------------------------------


def test_real_file_loads() -> None:
    book = load_quotes()
    assert isinstance(book, QuoteBook)
    assert len(book.quotes) >= 42
    assert all(isinstance(quote, Quote) for quote in book.quotes)


def test_real_file_has_no_problems() -> None:
    from bot.content.common import read_toml

    assert check_quotes(read_toml(DEFAULT_PATH), DEFAULT_PATH.name) == []


def test_real_file_by_id() -> None:
    book = load_quotes()
    quote = book.by_id("paak-joyous-film")
    assert quote.speaker == "Anderson .Paak"
    assert quote.source.publication == "theGrio"
    with pytest.raises(KeyError):
        book.by_id("no-such-quote")


def test_real_file_ids_and_texts_unique() -> None:
    book = load_quotes()
    ids = [quote.id for quote in book.quotes]
    texts = [normalized_text(quote.text) for quote in book.quotes]
    assert len(ids) == len(set(ids))
    assert len(texts) == len(set(texts))


def test_real_file_never_cites_the_banned_source() -> None:
    book = load_quotes()
    assert not any("unionjournalism" in quote.source.url for quote in book.quotes)


def test_real_file_reprints_name_the_original() -> None:
    """A page reprinting another outlet's interview must say so in `via`."""
    book = load_quotes()
    reprints = ("wwdwpodcast.com", "hicelebnews.com", "se7en.ws", "askpang.com")
    for quote in book.quotes:
        if any(host in quote.source.url for host in reprints):
            assert quote.source.via, quote.id


def test_real_file_covers_the_brief() -> None:
    speakers = {quote.speaker for quote in load_quotes().quotes}
    for expected in ("Anderson .Paak", "Soul Rasheed", "J.Y. Park", "Teddy Riley", "Tiger JK"):
        assert expected in speakers


# --- a good table passes ---------------------------------------------------------------------


def test_minimal_good_table_has_no_problems() -> None:
    assert check_quotes(_raw(_entry()), FILE) == []


def test_translated_may_be_omitted() -> None:
    entry = _entry()
    del entry["translated"]
    assert check_quotes(_raw(entry), FILE) == []


def test_via_is_allowed() -> None:
    entry = _entry()
    entry["source"]["via"] = "Some reprint"
    assert check_quotes(_raw(entry), FILE) == []


# --- each kind of defect is reported -----------------------------------------------------------


@pytest.mark.parametrize("field", ["text", "speaker", "context"])
def test_missing_field_reported(field: str) -> None:
    entry = _entry()
    del entry[field]
    problems = check_quotes(_raw(entry), FILE)
    assert f"'{field}' is missing or empty" in _messages(problems)


@pytest.mark.parametrize("field", ["text", "speaker", "context"])
def test_blank_field_reported(field: str) -> None:
    problems = check_quotes(_raw(_entry(**{field: "   "})), FILE)
    assert f"'{field}' is missing or empty" in _messages(problems)


def test_missing_id_reported() -> None:
    entry = _entry()
    del entry["id"]
    assert "'id' must be" in _messages(check_quotes(_raw(entry), FILE))


def test_malformed_id_reported() -> None:
    assert "'id' must be" in _messages(check_quotes(_raw(_entry(id="Not An Id")), FILE))


def test_over_long_text_reported() -> None:
    problems = check_quotes(_raw(_entry(text="a" * (TEXT_LIMIT + 1))), FILE)
    assert f"(max {TEXT_LIMIT})" in _messages(problems)


def test_text_at_limit_accepted() -> None:
    assert check_quotes(_raw(_entry(text="a" * TEXT_LIMIT)), FILE) == []


def test_over_long_context_reported() -> None:
    problems = check_quotes(_raw(_entry(context="c" * (CONTEXT_LIMIT + 1))), FILE)
    assert f"(max {CONTEXT_LIMIT})" in _messages(problems)


def test_non_text_translated_reported() -> None:
    assert "'translated' must be text" in _messages(check_quotes(_raw(_entry(translated=3)), FILE))


def test_unknown_key_reported() -> None:
    problems = check_quotes(_raw(_entry(year=2026)), FILE)
    assert "unknown keys: ['year']" in _messages(problems)


def test_unknown_top_level_key_reported() -> None:
    raw = _raw(_entry())
    raw["extras"] = []
    assert "unknown top-level keys" in _messages(check_quotes(raw, FILE))


def test_duplicate_id_reported() -> None:
    problems = check_quotes(_raw(_entry(), _entry(text="Other words.")), FILE)
    assert "duplicate id 'paak-test-quote'" in _messages(problems)


def test_duplicate_text_reported_ignoring_case_and_spaces() -> None:
    second = _entry(id="paak-other-quote", text="  it WAS\n necessary. ")
    problems = check_quotes(_raw(_entry(), second), FILE)
    assert "duplicate text" in _messages(problems)


def test_text_wrapped_in_quote_marks_reported() -> None:
    problems = check_quotes(_raw(_entry(text="“It was necessary.”")), FILE)
    assert "wrapped in quote marks" in _messages(problems)


def test_missing_source_reported() -> None:
    entry = _entry()
    del entry["source"]
    assert "missing 'source'" in _messages(check_quotes(_raw(entry), FILE))


@pytest.mark.parametrize("url", ["", "not a url", "ftp://example.com/x", "https://nohost"])
def test_malformed_source_url_reported(url: str) -> None:
    entry = _entry()
    entry["source"]["url"] = url
    assert "source url is malformed" in _messages(check_quotes(_raw(entry), FILE))


@pytest.mark.parametrize("key", ["publication", "date"])
def test_missing_source_field_reported(key: str) -> None:
    entry = _entry()
    del entry["source"][key]
    assert f"source '{key}' is missing or empty" in _messages(check_quotes(_raw(entry), FILE))


def test_bad_source_date_reported() -> None:
    entry = _entry()
    entry["source"]["date"] = "27 Feb 2026"
    assert "is not YYYY" in _messages(check_quotes(_raw(entry), FILE))


def test_unknown_source_key_reported() -> None:
    entry = _entry()
    entry["source"]["author"] = "Someone"
    assert "source has unknown keys" in _messages(check_quotes(_raw(entry), FILE))


def test_empty_or_missing_quotes_array_reported() -> None:
    assert check_quotes({}, FILE)
    assert check_quotes({"quotes": []}, FILE)


def test_non_table_entry_reported() -> None:
    problems = check_quotes({"quotes": ["just a string"]}, FILE)
    assert "entry must be a table" in _messages(problems)


def test_every_problem_is_listed_not_just_the_first() -> None:
    bad = _entry(id="Bad Id", speaker="", year=1)
    del bad["source"]
    twin = _entry(id="paak-twin", text=_entry()["text"])
    problems = check_quotes(_raw(_entry(), bad, twin), FILE)
    text = _messages(problems)
    for expected in ("'id' must be", "'speaker' is missing", "unknown keys", "missing 'source'"):
        assert expected in text
    assert "duplicate text" in text


def test_check_does_not_mutate_input() -> None:
    raw = _raw(_entry(), _entry())
    before = copy.deepcopy(raw)
    check_quotes(raw, FILE)
    assert raw == before


# --- load_quotes on files ----------------------------------------------------------------------


def test_load_raises_listing_problems(tmp_path: Path) -> None:
    path = tmp_path / "quotes.toml"
    path.write_text(
        '[[quotes]]\nid = "a-quote"\ntext = "Words."\nspeaker = ""\ncontext = "Somewhere."\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError) as info:
        load_quotes(path)
    message = str(info.value)
    assert "'speaker' is missing or empty" in message
    assert "missing 'source'" in message


def test_load_good_file(tmp_path: Path) -> None:
    path = tmp_path / "quotes.toml"
    path.write_text(
        "[[quotes]]\n"
        'id = "a-quote"\n'
        'text = "Words."\n'
        'speaker = "Someone"\n'
        'context = "Somewhere."\n'
        "[quotes.source]\n"
        'url = "https://example.com/a"\n'
        'publication = "Example"\n'
        'date = "2024"\n',
        encoding="utf-8",
    )
    (tmp_path / "ko").mkdir()
    (tmp_path / "ko" / "quotes.toml").write_text(
        '[quotes.a-quote]\ncontext = "어딘가에서 한 말이에요."\ntranslation = "말."\n'
        "translated = true\n",
        encoding="utf-8",
    )
    book = load_quotes(path)
    quote = book.by_id("a-quote")
    assert quote.translated == ""
    assert quote.context_for("ko") == "어딘가에서 한 말이에요."
    assert quote.context_for("en") == "Somewhere."
    assert quote.translation_for("ko") == "말." and quote.translation_for("en") == ""
    assert quote.is_translation("ko") and not quote.is_translation("en")
    assert quote.source.via == ""
    assert quote.source.date == "2024"


# --- the Korean twin (data/ko/quotes.toml) ---------------------------------------------------

KO_FILE = "ko/quotes.toml"


def _korean(**overrides: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "context": "영화에 대해 잡지에 한 말이에요.",
        "translation": "꼭 필요한 일이었어요.",
        "translated": True,
    }
    table.update(overrides)
    return {"quotes": {"paak-test-quote": table}}


def _korean_problems(korean: dict[str, Any]) -> str:
    return _messages(check_quotes_korean(_raw(_entry()), korean, KO_FILE))


def test_valid_korean_quote_has_no_problems() -> None:
    assert check_quotes_korean(_raw(_entry()), _korean(), KO_FILE) == []


def test_every_real_quote_has_its_korean_beside_it() -> None:
    for quote in load_quotes().quotes:
        assert quote.context_for("ko") != quote.context
        assert quote.translation_for("ko") and quote.translation_for("en") == ""
        assert quote.text  # the words themselves never change with the language


def test_a_quote_without_korean_is_reported() -> None:
    problems = _korean_problems({"quotes": {}})
    assert "ko/quotes.toml: quote 'paak-test-quote': no Korean text" in problems


def test_a_korean_translation_identical_to_the_words_is_reported() -> None:
    problems = _korean_problems(_korean(translation="It was necessary."))
    assert "'translation' is the same as the English" in problems


def test_a_korean_context_without_hangul_is_reported() -> None:
    assert "'context' has no Hangul" in _korean_problems(_korean(context="Said to a magazine."))


def test_a_korean_quote_key_without_english_is_reported() -> None:
    korean = _korean()
    korean["quotes"]["no-such-quote"] = korean["quotes"]["paak-test-quote"]
    assert "Korean key 'no-such-quote' matches no English entry" in _korean_problems(korean)


def test_an_unknown_korean_key_is_reported() -> None:
    assert "unknown keys: ['text']" in _korean_problems(_korean(text="번역된 말"))
