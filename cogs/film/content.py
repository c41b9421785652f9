"""The film itself: details, sourced facts and trivia questions from ``data/film.toml``.

``check_film`` reports every problem in a raw (parsed TOML) document without raising;
``load_film`` raises ``ValueError`` listing them, or returns a frozen ``FilmContent``.
The Korean lives in ``data/ko/film.toml`` (``check_film_korean``); each entry carries it and
answers ``*_for(language)`` with the Korean for ``"ko"`` and the English otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import bot
from bot.content.common import (
    Problem,
    Source,
    check_id,
    check_keys,
    check_source,
    check_text,
    check_unique_text,
    each_table,
    entry_name,
    normalized,
    source_from,
)
from bot.content.korean import (
    KoreanBasis,
    KoreanCheck,
    by_id,
    check_top_level,
    english_by_key,
    korean_entries,
    korean_source,
    load_with_korean,
    pick,
    shows_translation,
)

DEFAULT_PATH: Path = bot.DATA_DIR / "film.toml"

# The small, fixed vocabulary of fact topics. Keep it short: the cog offers these as choices.
TOPICS: frozenset[str] = frozenset(
    {
        "cast",
        "director",
        "family",
        "festival",
        "heritage",
        "influence",
        "k-pop",
        "music",
        "plot",
        "production",
        "reception",
        "release",
    }
)

# Field length limits (characters).
TITLE_MAX = 100
NAME_MAX = 100
RELEASE_MAX = 200
SYNOPSIS_MAX = 700
PRODUCTION_NOTE_MAX = 200
EVENT_MAX = 120
NOTE_MAX = 200
FACT_TEXT_MAX = 350
QUESTION_MAX = 200
CHOICE_MAX = 80
EXPLANATION_MAX = 300
MIN_TOPICS = 1
MAX_TOPICS = 4
WRONG_ANSWERS = 3

_TOP_KEYS = frozenset({"film", "facts", "trivia"})
_FILM_KEYS = frozenset(
    {
        "title",
        "director",
        "writers",
        "release",
        "synopsis",
        "production",
        "cast",
        "screenings",
        "sources",
    }
)
_CAST_KEYS = frozenset({"actor", "role"})
_SCREENING_KEYS = frozenset({"event", "date", "note"})
_FACT_KEYS = frozenset({"id", "text", "topics", "as_of", "source"})
_TRIVIA_KEYS = frozenset({"id", "question", "answer", "wrong", "explanation", "source"})

# A year, a year and month, or a full ISO date (as in common.py, which keeps its pattern private).
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True, slots=True)
class CastMember:
    actor: str
    role: str
    ko_role: str = ""

    def role_for(self, language: str) -> str:
        return pick(language, self.role, self.ko_role)


@dataclass(frozen=True, slots=True)
class Screening:
    event: str
    date: str
    note: str
    ko_note: str = ""

    def note_for(self, language: str) -> str:
        return pick(language, self.note, self.ko_note)


@dataclass(frozen=True, slots=True)
class Film:
    title: str
    director: str
    writers: tuple[str, ...]
    release: str
    synopsis: str
    production: tuple[str, ...]
    cast: tuple[CastMember, ...]
    screenings: tuple[Screening, ...]
    sources: tuple[Source, ...]
    ko_synopsis: str = ""
    ko_release: str = ""
    ko_production: tuple[str, ...] = ()
    #: The Korean was translated from the English sources (shown as 번역).
    ko_translated: bool = False

    def synopsis_for(self, language: str) -> str:
        return pick(language, self.synopsis, self.ko_synopsis)

    def release_for(self, language: str) -> str:
        return pick(language, self.release, self.ko_release)

    def production_for(self, language: str) -> tuple[str, ...]:
        return pick(language, self.production, self.ko_production)

    def is_translation(self, language: str) -> bool:
        """True when the text shown in ``language`` is our translation (mark it 번역)."""
        return shows_translation(language, self.ko_synopsis, self.ko_translated)


@dataclass(frozen=True, slots=True)
class Fact(KoreanBasis):
    id: str
    text: str
    topics: tuple[str, ...]
    source: Source
    as_of: str = ""
    ko_text: str = ""
    #: The Korean was translated from the English source (shown as 번역).
    ko_translated: bool = False
    #: The Korean page the Korean was written from, when it was not translated.
    ko_source: Source | None = None

    @property
    def korean_shown(self) -> str:
        return self.ko_text

    def text_for(self, language: str) -> str:
        return pick(language, self.text, self.ko_text)


@dataclass(frozen=True, slots=True)
class Trivia(KoreanBasis):
    id: str
    question: str
    answer: str
    wrong: tuple[str, ...]
    explanation: str
    source: Source
    ko_question: str = ""
    ko_answer: str = ""
    #: The three wrong answers in Korean, in the English order.
    ko_wrong: tuple[str, ...] = ()
    ko_explanation: str = ""
    #: The Korean was translated from the English source (shown as 번역).
    ko_translated: bool = False
    ko_source: Source | None = None

    def question_for(self, language: str) -> str:
        return pick(language, self.question, self.ko_question)

    def answer_for(self, language: str) -> str:
        return pick(language, self.answer, self.ko_answer)

    def wrong_for(self, language: str) -> tuple[str, ...]:
        return pick(language, self.wrong, self.ko_wrong)

    def explanation_for(self, language: str) -> str:
        return pick(language, self.explanation, self.ko_explanation)

    @property
    def korean_shown(self) -> str:
        return self.ko_question


@dataclass(frozen=True, slots=True)
class FilmContent:
    film: Film
    facts: tuple[Fact, ...]
    trivia: tuple[Trivia, ...]

    def topics(self) -> list[str]:
        """The topics that at least one fact uses, sorted."""
        return sorted({topic for fact in self.facts for topic in fact.topics})


def _check_string_list(
    problems: list[Problem], file: str, entry: str, value: object, key: str, *, limit: int
) -> None:
    """A required, non-empty list of non-blank strings, each at most ``limit`` characters."""
    if not isinstance(value, list) or not value:
        problems.append(Problem(file, entry, f"'{key}' must be a non-empty list of text"))
        return
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(file, entry, f"'{key}' item {index + 1} is missing or empty"))
        elif len(item) > limit:
            problems.append(
                Problem(
                    file,
                    entry,
                    f"'{key}' item {index + 1} is {len(item)} characters (max {limit})",
                )
            )


def _tables(
    problems: list[Problem], file: str, entry: str, value: object, key: str
) -> list[object]:
    """The items of a required, non-empty array of tables (problems reported for the rest)."""
    if not isinstance(value, list) or not value:
        problems.append(Problem(file, entry, f"'{key}' must be a non-empty list of tables"))
        return []
    return list(value)


def _check_film_table(problems: list[Problem], file: str, raw: object) -> None:
    entry = "film"
    if not isinstance(raw, dict):
        problems.append(Problem(file, entry, "missing [film] table"))
        return
    check_keys(problems, file, entry, raw, _FILM_KEYS)
    check_text(problems, file, entry, raw, "title", limit=TITLE_MAX)
    check_text(problems, file, entry, raw, "director", limit=NAME_MAX)
    check_text(problems, file, entry, raw, "release", limit=RELEASE_MAX)
    check_text(problems, file, entry, raw, "synopsis", limit=SYNOPSIS_MAX)
    _check_string_list(problems, file, entry, raw.get("writers"), "writers", limit=NAME_MAX)
    _check_string_list(
        problems, file, entry, raw.get("production"), "production", limit=PRODUCTION_NOTE_MAX
    )

    for index, member in enumerate(_tables(problems, file, entry, raw.get("cast"), "cast")):
        name = f"film cast #{index + 1}"
        if not isinstance(member, dict):
            problems.append(Problem(file, name, "must be a table with actor and role"))
            continue
        check_keys(problems, file, name, member, _CAST_KEYS)
        check_text(problems, file, name, member, "actor", limit=NAME_MAX)
        check_text(problems, file, name, member, "role", limit=NAME_MAX)

    screenings = _tables(problems, file, entry, raw.get("screenings"), "screenings")
    for index, screening in enumerate(screenings):
        name = f"film screening #{index + 1}"
        if not isinstance(screening, dict):
            problems.append(Problem(file, name, "must be a table with event, date and note"))
            continue
        check_keys(problems, file, name, screening, _SCREENING_KEYS)
        check_text(problems, file, name, screening, "event", limit=EVENT_MAX)
        check_text(problems, file, name, screening, "note", limit=NOTE_MAX)
        date = screening.get("date")
        if not isinstance(date, str) or not _DATE.match(date):
            problems.append(
                Problem(file, name, f"'date' {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
            )

    for index, source in enumerate(_tables(problems, file, entry, raw.get("sources"), "sources")):
        check_source(problems, file, f"film source #{index + 1}", source)


def _check_topics(problems: list[Problem], file: str, entry: str, value: object) -> None:
    if not isinstance(value, list) or not value:
        problems.append(Problem(file, entry, "'topics' must list at least one topic"))
        return
    if len(value) > MAX_TOPICS:
        problems.append(
            Problem(file, entry, f"'topics' has {len(value)} topics (max {MAX_TOPICS})")
        )
    seen: set[str] = set()
    for topic in value:
        if not isinstance(topic, str) or topic not in TOPICS:
            problems.append(Problem(file, entry, f"topic {topic!r} is not one of {sorted(TOPICS)}"))
        elif topic in seen:
            problems.append(Problem(file, entry, f"topic {topic!r} is listed twice"))
        else:
            seen.add(topic)


def _entries(
    problems: list[Problem], file: str, raw: object, array: str, kind: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The tables of the ``[[array]]`` entries, each named as a ``kind``; none (and a problem)
    when there is no entry at all."""
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(file, array, f"there must be at least one [[{array}]] entry"))
        return iter(())
    return each_table(problems, file, raw, partial(entry_name, kind), not_a_table="must be a table")


def _check_facts(problems: list[Problem], file: str, raw: object) -> None:
    ids: set[str] = set()
    texts: dict[str, str] = {}
    for entry, fact in _entries(problems, file, raw, "facts", "fact"):
        check_keys(problems, file, entry, fact, _FACT_KEYS)
        check_id(problems, file, entry, fact.get("id"), ids)
        check_text(problems, file, entry, fact, "text", limit=FACT_TEXT_MAX)
        check_unique_text(problems, file, entry, fact.get("text"), texts, "same text as {}")
        _check_topics(problems, file, entry, fact.get("topics"))
        if "as_of" in fact:
            as_of = fact["as_of"]
            if not isinstance(as_of, str) or not _DATE.match(as_of):
                problems.append(
                    Problem(file, entry, f"'as_of' {as_of!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
                )
        check_source(problems, file, entry, fact.get("source"))


def _check_choices(problems: list[Problem], file: str, entry: str, item: dict[str, Any]) -> None:
    """Exactly three wrong answers; the four choices all distinct (case- and space-insensitive)."""
    wrong = item.get("wrong")
    if not isinstance(wrong, list):
        problems.append(Problem(file, entry, f"'wrong' must list exactly {WRONG_ANSWERS} answers"))
        return
    if len(wrong) != WRONG_ANSWERS:
        problems.append(
            Problem(file, entry, f"'wrong' has {len(wrong)} answers (exactly {WRONG_ANSWERS})")
        )
    answer = item.get("answer")
    answer_key = normalized(answer) if isinstance(answer, str) else None
    seen: set[str] = set()
    for index, choice in enumerate(wrong):
        if not isinstance(choice, str) or not choice.strip():
            problems.append(Problem(file, entry, f"wrong answer {index + 1} is missing or empty"))
            continue
        if len(choice) > CHOICE_MAX:
            problems.append(
                Problem(
                    file,
                    entry,
                    f"wrong answer {index + 1} is {len(choice)} characters (max {CHOICE_MAX})",
                )
            )
        key = normalized(choice)
        if key == answer_key:
            problems.append(Problem(file, entry, f"the answer {answer!r} is also a wrong answer"))
        elif key in seen:
            problems.append(Problem(file, entry, f"wrong answer {choice!r} is listed twice"))
        seen.add(key)


def _check_trivia(problems: list[Problem], file: str, raw: object) -> None:
    ids: set[str] = set()
    questions: dict[str, str] = {}
    for entry, item in _entries(problems, file, raw, "trivia", "trivia"):
        check_keys(problems, file, entry, item, _TRIVIA_KEYS)
        check_id(problems, file, entry, item.get("id"), ids)
        check_text(problems, file, entry, item, "question", limit=QUESTION_MAX)
        check_text(problems, file, entry, item, "answer", limit=CHOICE_MAX)
        check_text(problems, file, entry, item, "explanation", limit=EXPLANATION_MAX)
        check_unique_text(
            problems, file, entry, item.get("question"), questions, "same question as {}"
        )
        _check_choices(problems, file, entry, item)
        check_source(problems, file, entry, item.get("source"))


def check_film(raw: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in a parsed film.toml document; never raises."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return [Problem(file, "document", "must be a TOML table")]
    check_keys(problems, file, "document", raw, _TOP_KEYS)
    _check_film_table(problems, file, raw.get("film"))
    _check_facts(problems, file, raw.get("facts"))
    _check_trivia(problems, file, raw.get("trivia"))
    return problems


_KO_TOP_KEYS = frozenset({"film", "facts", "trivia"})
_KO_FILM_KEYS = frozenset(
    {"synopsis", "release", "production", "cast_roles", "screening_notes", "translated", "source"}
)
_KO_FACT_KEYS = frozenset({"text", "translated", "source"})
_KO_TRIVIA_KEYS = frozenset({"question", "answer", "wrong", "explanation", "translated", "source"})


def check_film_korean(raw: dict[str, Any], korean: dict[str, Any], file: str) -> list[Problem]:
    """Every problem in the Korean twin of a film.toml document (``korean``), checked against
    the English one (``raw``); never raises."""
    problems: list[Problem] = []
    check_top_level(problems, file, korean, _KO_TOP_KEYS)
    if not isinstance(korean, dict):
        return problems
    _check_film_korean_table(problems, file, raw.get("film"), korean.get("film"))
    facts = english_by_key(raw.get("facts"), by_id)
    for ko, fact in korean_entries(
        problems, file, korean, "facts", facts, lambda key: f"fact {key!r}", _KO_FACT_KEYS
    ):
        ko.text("text", fact.get("text"), limit=FACT_TEXT_MAX)
        ko.basis()
    trivia = english_by_key(raw.get("trivia"), by_id)
    for ko, item in korean_entries(
        problems, file, korean, "trivia", trivia, lambda key: f"trivia {key!r}", _KO_TRIVIA_KEYS
    ):
        ko.text("question", item.get("question"), limit=QUESTION_MAX)
        ko.text("answer", item.get("answer"), limit=CHOICE_MAX)
        ko.text("explanation", item.get("explanation"), limit=EXPLANATION_MAX)
        ko.texts("wrong", item.get("wrong"), limit=CHOICE_MAX)
        _check_korean_choices(ko)
        ko.basis()
    return problems


def _check_film_korean_table(
    problems: list[Problem], file: str, english: object, korean: object
) -> None:
    if not isinstance(english, dict):
        return  # the English checks say what is wrong
    if not isinstance(korean, dict):
        problems.append(Problem(file, "film", "no Korean text (add a [film] table)"))
        return
    ko = KoreanCheck(problems, file, "film", korean)
    ko.keys(_KO_FILM_KEYS)
    ko.text("synopsis", english.get("synopsis"), limit=SYNOPSIS_MAX)
    ko.text("release", english.get("release"), limit=RELEASE_MAX)
    ko.texts("production", english.get("production"), limit=PRODUCTION_NOTE_MAX)
    cast = english.get("cast")
    roles = [m.get("role") for m in cast if isinstance(m, dict)] if isinstance(cast, list) else []
    ko.texts("cast_roles", roles, limit=NAME_MAX)
    screenings = english.get("screenings")
    notes = (
        [s.get("note") for s in screenings if isinstance(s, dict)]
        if isinstance(screenings, list)
        else []
    )
    ko.texts("screening_notes", notes, limit=NOTE_MAX)
    ko.basis()


def _check_korean_choices(ko: KoreanCheck) -> None:
    """The four Korean choices are distinct, like the English ones."""
    choices = [ko.table.get("answer"), *(ko.table.get("wrong") or [])]
    keys = [normalized(c) for c in choices if isinstance(c, str) and c.strip()]
    if len(set(keys)) != len(keys):
        ko.report("two Korean choices are the same")


def _build(raw: dict[str, Any], korean: dict[str, Any]) -> FilmContent:
    """Turn a document that ``check_film`` accepted, and its Korean twin that
    ``check_film_korean`` accepted, into frozen objects."""
    film_raw = raw["film"]
    ko_film: dict[str, Any] = korean.get("film", {})
    roles: list[str] = ko_film.get("cast_roles", [])
    notes: list[str] = ko_film.get("screening_notes", [])
    film = Film(
        title=film_raw["title"],
        director=film_raw["director"],
        writers=tuple(film_raw["writers"]),
        release=film_raw["release"],
        synopsis=film_raw["synopsis"],
        production=tuple(film_raw["production"]),
        cast=tuple(
            CastMember(actor=m["actor"], role=m["role"], ko_role=_at(roles, i))
            for i, m in enumerate(film_raw["cast"])
        ),
        screenings=tuple(
            Screening(event=s["event"], date=s["date"], note=s["note"], ko_note=_at(notes, i))
            for i, s in enumerate(film_raw["screenings"])
        ),
        sources=tuple(source_from(s) for s in film_raw["sources"]),
        ko_synopsis=ko_film.get("synopsis", ""),
        ko_release=ko_film.get("release", ""),
        ko_production=tuple(ko_film.get("production", ())),
        ko_translated=ko_film.get("translated", False),
    )
    ko_facts: dict[str, dict[str, Any]] = korean.get("facts", {})
    ko_trivia: dict[str, dict[str, Any]] = korean.get("trivia", {})
    facts = tuple(_fact(f, ko_facts.get(f["id"], {})) for f in raw["facts"])
    trivia = tuple(_trivia(t, ko_trivia.get(t["id"], {})) for t in raw["trivia"])
    return FilmContent(film=film, facts=facts, trivia=trivia)


def _at(items: list[str], index: int) -> str:
    return items[index] if index < len(items) else ""


def _fact(raw: dict[str, Any], ko: dict[str, Any]) -> Fact:
    return Fact(
        id=raw["id"],
        text=raw["text"],
        topics=tuple(raw["topics"]),
        source=source_from(raw["source"]),
        as_of=raw.get("as_of", ""),
        ko_text=ko.get("text", ""),
        ko_translated=ko.get("translated", False),
        ko_source=korean_source(ko),
    )


def _trivia(raw: dict[str, Any], ko: dict[str, Any]) -> Trivia:
    return Trivia(
        id=raw["id"],
        question=raw["question"],
        answer=raw["answer"],
        wrong=tuple(raw["wrong"]),
        explanation=raw["explanation"],
        source=source_from(raw["source"]),
        ko_question=ko.get("question", ""),
        ko_answer=ko.get("answer", ""),
        ko_wrong=tuple(ko.get("wrong", ())),
        ko_explanation=ko.get("explanation", ""),
        ko_translated=ko.get("translated", False),
        ko_source=korean_source(ko),
    )


def load_film(path: Path = DEFAULT_PATH) -> FilmContent:
    """Load and check the film content and its Korean (``ko/film.toml`` beside ``path``);
    raise ``ValueError`` listing every problem found."""
    return load_with_korean(path, check_film, check_film_korean, _build)
