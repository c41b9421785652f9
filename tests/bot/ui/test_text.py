"""bot.ui.text: the one rule for showing text, tested once with hostile input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ui.text import clip, escape, in_code, literal, masked_link, shown, visible

HOSTILE = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@&123456789012345678>",
    "<#123456789012345678>",
    "**bold** __under__ ~~strike~~ ||spoiler|| `code` > quote",
    "[click](https://example.com)",
    "zero\u200bwidth\u200djoin\u2060word\ufeff\u00adsoft",
    "right\u202eto\u202cleft",
    "line\nbreak\r\ttab",
    "케이팝 뉴진스 ㅋㅋㅋ ᄒᆞᆫ",  # Hangul syllables and jamo
    "ＦＵＬＬ　ＷＩＤＴＨ",
    "x" * 10_000,
]
UNESCAPED = re.compile(r"(?<!\\)[*_`~|<]")


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("limit", [1, 5, 40, 100])
def test_shown_is_short_one_line_and_inert(text: str, limit: int) -> None:
    out = shown(text, limit)
    assert len(out) <= max(limit, len("(nothing)"))
    assert "\n" not in out and "\r" not in out and "\t" not in out
    assert not any(ch in out for ch in "\u200d\u2060\ufeff\u00ad\u202e\u202c")
    assert "@everyone" not in out and "@here" not in out
    assert not UNESCAPED.search(out), out
    assert not out.endswith("\\") or out.endswith("\\\\")


@given(st.text(max_size=7000), st.integers(min_value=1, max_value=200))
def test_shown_never_exceeds_its_limit(text: str, limit: int) -> None:
    out = shown(text, limit, empty="")
    assert len(out) <= limit
    assert "<@" not in out.replace("\\<@", "")


def test_shown_escapes_markdown_and_keeps_hangul() -> None:
    assert shown("**bold**", 40) == "\\*\\*bold\\*\\*"
    assert shown("케이팝", 40) == "케이팝"
    assert shown("  뉴진스\u200b  Super   Shy ", 40) == "뉴진스 Super Shy"
    assert shown("", 40) == "(nothing)" and shown("\u200b", 40, empty="") == ""


def test_escape_neutralises_mentions_without_hiding_them() -> None:
    assert escape("<@123>") == "\\<@123>"
    assert escape("@everyone") == "@\u200beveryone"
    assert escape("@here") == "@\u200bhere"


def test_clip_marks_the_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("a long sentence here", 10) == "a long se…"
    assert len(clip("x" * 10_000, 2000)) == 2000


def test_visible_drops_hidden_characters_and_collapses_spaces() -> None:
    assert visible("a\u200bb \n\t c\u202e", 40) == "ab c"
    assert visible("x" * 10_000, 5) == "xxxx…"


def test_literal_keeps_lines_and_fits() -> None:
    assert literal("one\ntwo", 40) == "one\ntwo"
    assert len(literal("*" * 5000, 1024)) <= 1024
    assert not literal("*" * 5000, 1024).endswith("\\*\\")


def test_in_code_cannot_close_the_code_span() -> None:
    assert in_code("`09:00`", 40) == "'09:00'"
    assert in_code("", 40) == "(empty)"


def test_masked_link_label_cannot_break_out() -> None:
    assert masked_link("a](evil)", "https://x.test/a(b)") == "[a)(evil)](https://x.test/a%28b%29)"
