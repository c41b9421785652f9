"""Tests for the film loader and checker, on the real file and on small broken documents."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.content.common import Problem, Source, is_source_url
from cogs.film.content import (
    CHOICE_MAX,
    DEFAULT_PATH,
    FACT_TEXT_MAX,
    QUESTION_MAX,
    SYNOPSIS_MAX,
    TOPICS,
    Fact,
    FilmContent,
    Trivia,
    check_film,
    check_film_korean,
    load_film,
)

FILE = "film.toml"


def _source() -> dict[str, Any]:
    return {
        "url": "https://example.com/k-pops-review",
        "publication": "Example Review",
        "date": "2026-02-27",
    }


def _valid() -> dict[str, Any]:
    """A small document that check_film accepts; each test breaks one thing in a copy."""
    return {
        "film": {
            "title": "K-Pops!",
            "director": "Anderson .Paak",
            "writers": ["Anderson .Paak", "Khaila Amazan"],
            "release": "27 February 2026, AMC Theatres",
            "synopsis": "A drummer finds his long-lost son on a K-pop show.",
            "production": ["Announced in 2022."],
            "cast": [{"actor": "Anderson .Paak", "role": "BJ"}],
            "screenings": [
                {
                    "event": "Toronto International Film Festival",
                    "date": "2024-09-07",
                    "note": "world premiere",
                }
            ],
            "sources": [_source()],
        },
        "facts": [
            {
                "id": "first-fact",
                "text": "The film premiered at TIFF.",
                "topics": ["festival"],
                "source": _source(),
            },
            {
                "id": "second-fact",
                "text": "The film opened at AMC.",
                "topics": ["release"],
                "as_of": "2026-02-27",
                "source": _source(),
            },
        ],
        "trivia": [
            {
                "id": "first-question",
                "question": "Where did K-Pops! premiere?",
                "answer": "TIFF",
                "wrong": ["Tribeca", "Sundance", "Busan"],
                "explanation": "It premiered at TIFF in 2024.",
                "source": _source(),
            }
        ],
    }


def _messages(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


# --- the real file ---------------------------------------------------------------------------


def test_real_file_loads() -> None:
    content = load_film()
    assert isinstance(content, FilmContent)
    assert content.film.title == "K-Pops!"
    assert content.film.director == "Anderson .Paak"
    assert "Khaila Amazan" in content.film.writers
    assert len(content.film.cast) >= 5
    assert len(content.film.sources) >= 3
    assert len(content.facts) >= 45
    assert len(content.trivia) >= 28
    assert all(isinstance(fact, Fact) for fact in content.facts)
    assert all(isinstance(item, Trivia) for item in content.trivia)


def test_real_file_has_no_problems() -> None:
    from bot.content.common import read_toml

    assert check_film(read_toml(DEFAULT_PATH), FILE) == []


def test_real_file_premieres() -> None:
    screenings = {s.event: s for s in load_film().film.screenings}
    tiff = screenings["Toronto International Film Festival"]
    assert tiff.date == "2024-09-07"
    assert "world premiere" in tiff.note
    assert any(s.date == "2025-06-14" and "Tribeca" in s.event for s in screenings.values())


def test_real_file_sources_are_usable() -> None:
    content = load_film()
    sources = [
        *content.film.sources,
        *(fact.source for fact in content.facts),
        *(item.source for item in content.trivia),
    ]
    for source in sources:
        assert is_source_url(source.url), source
        assert source.publication.strip()
        # The fabricated [X] source must never be cited.
        assert "unionjournalism" not in source.url


def test_real_file_trivia_choices_fit_buttons() -> None:
    for item in load_film().trivia:
        choices = [item.answer, *item.wrong]
        assert len(item.wrong) == 3
        assert len({choice.casefold() for choice in choices}) == 4, item.id
        assert all(len(choice) <= CHOICE_MAX for choice in choices), item.id


def test_topics_are_sorted_and_from_vocabulary() -> None:
    topics = load_film().topics()
    assert topics == sorted(topics)
    assert set(topics) <= TOPICS
    assert len(topics) >= 5


def test_valid_document_has_no_problems() -> None:
    # Guards the defect tests below: each of them breaks exactly one thing in this document.
    assert check_film(_valid(), FILE) == []


# --- each kind of defect is reported ---------------------------------------------------------


def _set(path: tuple[Any, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        target: Any = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        target: Any = raw
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _duplicate_fact(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        fact = copy.deepcopy(raw["facts"][0])
        fact.update(changes)
        raw["facts"].append(fact)

    return mutate


DEFECTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "missing title": (_delete(("film", "title")), "'title' is missing or empty"),
    "empty director": (_set(("film", "director"), "  "), "'director' is missing or empty"),
    "synopsis too long": (
        _set(("film", "synopsis"), "x" * (SYNOPSIS_MAX + 1)),
        f"(max {SYNOPSIS_MAX})",
    ),
    "no writers": (_set(("film", "writers"), []), "'writers' must be a non-empty list"),
    "production note too long": (
        _set(("film", "production"), ["y" * 201]),
        "'production' item 1 is 201 characters",
    ),
    "unknown film key": (_set(("film", "budget"), "big"), "unknown keys: ['budget']"),
    "unknown top-level key": (_set(("quotes",), []), "unknown keys: ['quotes']"),
    "missing film table": (_delete(("film",)), "missing [film] table"),
    "cast member without role": (_delete(("film", "cast", 0, "role")), "'role' is missing"),
    "screening with bad date": (
        _set(("film", "screenings", 0, "date"), "7 Sept 2024"),
        "'date' '7 Sept 2024' is not",
    ),
    "no film sources": (_set(("film", "sources"), []), "'sources' must be a non-empty list"),
    "film source with bad url": (
        _set(("film", "sources", 0, "url"), "not a url"),
        "source url is malformed",
    ),
    "unknown fact key": (_set(("facts", 0, "note"), "x"), "unknown keys: ['note']"),
    "fact text too long": (
        _set(("facts", 0, "text"), "z" * (FACT_TEXT_MAX + 1)),
        f"(max {FACT_TEXT_MAX})",
    ),
    "empty fact text": (_set(("facts", 0, "text"), ""), "'text' is missing or empty"),
    "duplicate fact id": (
        _duplicate_fact(text="A different text."),
        "duplicate id 'first-fact'",
    ),
    "duplicate fact text": (
        _duplicate_fact(id="third-fact", text="  the FILM premiered   at tiff. "),
        "same text as fact 'first-fact'",
    ),
    "bad fact id": (_set(("facts", 0, "id"), "Not An Id"), "'id' must be lowercase"),
    "fact without topics": (_set(("facts", 0, "topics"), []), "at least one topic"),
    "fact missing topics": (_delete(("facts", 0, "topics")), "at least one topic"),
    "topic outside vocabulary": (_set(("facts", 0, "topics"), ["gossip"]), "'gossip' is not one"),
    "too many topics": (
        _set(("facts", 0, "topics"), ["cast", "music", "plot", "release", "family"]),
        "(max 4)",
    ),
    "repeated topic": (_set(("facts", 0, "topics"), ["cast", "cast"]), "listed twice"),
    "malformed as_of": (_set(("facts", 1, "as_of"), "last week"), "'as_of' 'last week'"),
    "fact without source": (_delete(("facts", 0, "source")), "missing 'source'"),
    "fact source bad url": (
        _set(("facts", 0, "source", "url"), "ftp://example.com/x"),
        "source url is malformed",
    ),
    "fact source without date": (
        _delete(("facts", 0, "source", "date")),
        "source 'date' is missing",
    ),
    "fact source without publication": (
        _set(("facts", 0, "source", "publication"), ""),
        "source 'publication' is missing",
    ),
    "no facts": (_set(("facts",), []), "at least one [[facts]] entry"),
    "unknown trivia key": (_set(("trivia", 0, "hint"), "x"), "unknown keys: ['hint']"),
    "answer among wrong": (
        _set(("trivia", 0, "wrong"), ["Tribeca", "tiff", "Busan"]),
        "is also a wrong answer",
    ),
    "duplicated wrong answer": (
        _set(("trivia", 0, "wrong"), ["Tribeca", "Sundance", "tribeca "]),
        "listed twice",
    ),
    "two wrong answers": (
        _set(("trivia", 0, "wrong"), ["Tribeca", "Sundance"]),
        "'wrong' has 2 answers",
    ),
    "four wrong answers": (
        _set(("trivia", 0, "wrong"), ["Tribeca", "Sundance", "Busan", "Cannes"]),
        "'wrong' has 4 answers",
    ),
    "wrong answers not a list": (_set(("trivia", 0, "wrong"), "Tribeca"), "'wrong' must list"),
    "empty wrong answer": (
        _set(("trivia", 0, "wrong"), ["Tribeca", "", "Busan"]),
        "wrong answer 2 is missing",
    ),
    "wrong answer too long": (
        _set(("trivia", 0, "wrong"), ["Tribeca", "w" * (CHOICE_MAX + 1), "Busan"]),
        f"(max {CHOICE_MAX})",
    ),
    "answer too long": (
        _set(("trivia", 0, "answer"), "a" * (CHOICE_MAX + 1)),
        f"'answer' is {CHOICE_MAX + 1} characters",
    ),
    "question too long": (
        _set(("trivia", 0, "question"), "q" * (QUESTION_MAX + 1)),
        f"(max {QUESTION_MAX})",
    ),
    "missing explanation": (
        _delete(("trivia", 0, "explanation")),
        "'explanation' is missing",
    ),
    "trivia without source": (_delete(("trivia", 0, "source")), "missing 'source'"),
    "trivia source bad date": (
        _set(("trivia", 0, "source", "date"), "Feb 2026"),
        "source date 'Feb 2026' is not",
    ),
    "no trivia": (_set(("trivia",), []), "at least one [[trivia]] entry"),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_is_reported(name: str) -> None:
    mutate, expected = DEFECTS[name]
    raw = _valid()
    mutate(raw)
    problems = check_film(raw, FILE)
    assert problems, f"{name}: no problem reported"
    assert expected in _messages(problems), _messages(problems)


def test_duplicate_trivia_id_is_reported() -> None:
    raw = _valid()
    extra = copy.deepcopy(raw["trivia"][0])
    extra["question"] = "Which festival gave K-Pops! its world premiere?"
    raw["trivia"].append(extra)
    assert "duplicate id 'first-question'" in _messages(check_film(raw, FILE))


def test_every_problem_is_reported_at_once() -> None:
    raw = _valid()
    del raw["film"]["title"]
    raw["facts"][0]["topics"] = ["gossip"]
    raw["trivia"][0]["wrong"] = ["TIFF", "Sundance", "Busan"]
    messages = _messages(check_film(raw, FILE))
    assert "'title' is missing" in messages
    assert "'gossip'" in messages
    assert "is also a wrong answer" in messages


def test_problems_name_the_entry() -> None:
    raw = _valid()
    raw["facts"][1]["topics"] = ["gossip"]
    problems = check_film(raw, FILE)
    assert [problem.entry for problem in problems] == ["fact 'second-fact'"]
    assert problems[0].file == FILE


def test_load_film_raises_listing_problems(tmp_path: Path) -> None:
    path = tmp_path / "film.toml"
    path.write_text(
        DEFAULT_PATH.read_text(encoding="utf-8").replace(
            'id = "directorial-debut"', 'id = "Directorial Debut"', 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="'id' must be lowercase"):
        load_film(path)


def test_load_film_builds_frozen_objects(tmp_path: Path) -> None:
    content = load_film()
    fact = content.facts[0]
    with pytest.raises(AttributeError):
        fact.text = "changed"  # type: ignore[misc]
    assert isinstance(fact.topics, tuple)
    assert isinstance(content.trivia[0].wrong, tuple)
    dated = [f for f in content.facts if f.as_of]
    assert dated, "figures that change over time carry an as_of date"


# --- the Korean twin (data/ko/film.toml) -----------------------------------------------------


def _korean() -> dict[str, Any]:
    """The Korean for _valid(), which check_film_korean accepts; tests break one thing."""
    return {
        "film": {
            "synopsis": "드러머가 K팝 경연 프로그램에서 오래 헤어진 아들을 찾아요.",
            "release": "2026년 2월 27일, AMC 극장",
            "production": ["2022년에 발표됐어요."],
            "cast_roles": ["BJ, 드러머"],
            "screening_notes": ["월드 프리미어"],
            "translated": True,
        },
        "facts": {
            "first-fact": {"text": "이 영화는 TIFF에서 처음 공개됐어요.", "translated": True},
            "second-fact": {"text": "이 영화는 AMC에서 개봉했어요.", "translated": True},
        },
        "trivia": {
            "first-question": {
                "question": "K-Pops!는 어디에서 처음 공개됐을까요?",
                "answer": "토론토국제영화제(TIFF)",
                "wrong": ["트라이베카", "선댄스", "부산"],
                "explanation": "2024년 TIFF에서 처음 공개됐어요.",
                "translated": True,
            }
        },
    }


def _korean_problems(korean: dict[str, Any]) -> str:
    return _messages(check_film_korean(_valid(), korean, KO_FILE))


KO_FILE = "ko/film.toml"


def test_valid_korean_has_no_problems() -> None:
    assert check_film_korean(_valid(), _korean(), KO_FILE) == []


def test_real_korean_is_complete() -> None:
    content = load_film()
    assert all(fact.ko_text for fact in content.facts)
    assert all(item.ko_question and len(item.ko_wrong) == 3 for item in content.trivia)
    assert len(content.film.production_for("ko")) == len(content.film.production)
    assert all(member.ko_role for member in content.film.cast)


def test_an_entry_without_korean_is_reported() -> None:
    korean = _korean()
    del korean["facts"]["second-fact"]
    assert "ko/film.toml: fact 'second-fact': no Korean text" in _korean_problems(korean)


def test_a_missing_film_table_is_reported() -> None:
    korean = _korean()
    del korean["film"]
    assert "film: no Korean text" in _korean_problems(korean)


def test_korean_identical_to_the_english_is_reported() -> None:
    korean = _korean()
    korean["facts"]["first-fact"]["text"] = "The film  premiered at TIFF."
    assert "fact 'first-fact': 'text' is the same as the English" in _korean_problems(korean)


def test_korean_without_hangul_is_reported() -> None:
    korean = _korean()
    korean["trivia"]["first-question"]["explanation"] = "It premiered at TIFF."
    assert "trivia 'first-question': 'explanation' has no Hangul" in _korean_problems(korean)


def test_a_korean_key_without_english_is_reported() -> None:
    korean = _korean()
    korean["facts"]["third-fact"] = {"text": "없는 사실이에요.", "translated": True}
    problems = _korean_problems(korean)
    assert "fact 'third-fact': Korean key 'third-fact' matches no English entry" in problems


def test_korean_lists_follow_the_english() -> None:
    korean = _korean()
    korean["trivia"]["first-question"]["wrong"] = ["트라이베카", "선댄스"]
    korean["film"]["cast_roles"] = ["BJ, 드러머", "태영"]
    problems = _korean_problems(korean)
    assert "'wrong' has 2 items; the English has 3" in problems
    assert "'cast_roles' has 2 items; the English has 1" in problems


def test_korean_choices_must_differ() -> None:
    korean = _korean()
    korean["trivia"]["first-question"]["wrong"][0] = "토론토국제영화제(TIFF)"
    assert "two Korean choices are the same" in _korean_problems(korean)


def test_korean_from_a_korean_page_needs_its_source() -> None:
    korean = _korean()
    korean["facts"]["first-fact"]["translated"] = False
    assert "'translated' is false but there is no Korean source" in _korean_problems(korean)
    korean["facts"]["first-fact"]["source"] = _source()
    assert check_film_korean(_valid(), korean, KO_FILE) == []


def test_translated_must_be_a_boolean() -> None:
    korean = _korean()
    korean["facts"]["first-fact"]["translated"] = "yes"
    assert "'translated' must be true or false" in _korean_problems(korean)


def test_load_film_attaches_the_korean(tmp_path: Path) -> None:
    path = tmp_path / FILE
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match="ko/film.toml: file: missing"):
        load_film(path)
    (tmp_path / "ko").mkdir()
    source = DEFAULT_PATH.parent / "ko" / FILE
    (tmp_path / "ko" / FILE).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    content = load_film(path)
    fact = content.facts[0]
    assert fact.text_for("ko") == fact.ko_text != fact.text
    assert fact.text_for("en") == fact.text and fact.text_for("en-US") == fact.text
    assert fact.is_translation("ko") and not fact.is_translation("en")
    assert fact.source_for("ko") == fact.source  # translated: the English source stands
    item = content.trivia[0]
    assert item.question_for("ko") == item.ko_question and item.wrong_for("ko") == item.ko_wrong
    assert (
        item.answer_for("en") == item.answer and item.explanation_for("ko") == item.ko_explanation
    )
    film = content.film
    assert film.synopsis_for("ko") == film.ko_synopsis and film.release_for("en") == film.release
    assert film.screenings[0].note_for("ko") == film.screenings[0].ko_note


def test_entries_without_korean_read_english() -> None:
    fact = Fact(id="f", text="English.", topics=("music",), source=_source_object())
    assert fact.text_for("ko") == "English." and not fact.is_translation("ko")


def _source_object() -> Source:
    return Source("https://example.com/a", "Example", "2026")
