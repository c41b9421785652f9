"""``python -m bot data check``: every content file checked, one summary line at the end.

Each content module exposes ``check_<kind>(raw, file) -> list[Problem]`` and, for the file's
Korean twin in ``ko/``, ``check_<kind>_korean(raw, korean, file)``; this runs them all and
counts each kind of entry, so content editors see every problem at once (file, entry, what).
A missing file or a kind with no entries is a problem too: the bot cannot run without them.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import DATA_DIR
from bot.content.common import Problem, read_toml
from bot.content.korean import CheckKorean, korean_file, read_korean


@dataclass(frozen=True, slots=True)
class ContentFile:
    file: str
    module: str
    check: str
    #: the checker of the file's Korean twin in ko/ (English raw, Korean raw, file name)
    check_korean: str
    #: kind label -> the top-level TOML array holding that kind
    kinds: tuple[tuple[str, str], ...]


CONTENT_FILES = (
    ContentFile(
        "film.toml",
        "cogs.film.content",
        "check_film",
        "check_film_korean",
        (("facts", "facts"), ("trivia", "trivia")),
    ),
    ContentFile(
        "quotes.toml",
        "cogs.quotes.content",
        "check_quotes",
        "check_quotes_korean",
        (("quotes", "quotes"),),
    ),
    ContentFile(
        "influence.toml",
        "cogs.influence.content",
        "check_influence",
        "check_influence_korean",
        (("entities", "entities"), ("links", "links")),
    ),
    ContentFile(
        "matchups.toml",
        "cogs.poll.content",
        "check_matchups",
        "check_matchups_korean",
        (("matchups", "matchups"),),
    ),
)


@dataclass
class Report:
    problems: list[Problem]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"{'ok' if self.ok else 'problems'}: {counts}"


def check_all(data_dir: Path = DATA_DIR) -> Report:
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    for spec in CONTENT_FILES:
        for kind, _ in spec.kinds:
            counts[kind] = 0
        path = data_dir / spec.file
        if not path.is_file():
            problems.append(Problem(spec.file, "file", f"missing (looked in {data_dir})"))
            continue
        try:
            raw = read_toml(path)
        except tomllib.TOMLDecodeError as exc:
            problems.append(Problem(spec.file, "file", f"not valid TOML: {exc}"))
            continue
        try:
            module = importlib.import_module(spec.module)
        except ImportError:
            problems.append(Problem(spec.file, "file", f"no checker: {spec.module} is missing"))
            continue
        check: Callable[[dict[str, Any], str], list[Problem]] = getattr(module, spec.check)
        found = check(raw, spec.file)
        problems.extend(found)
        for kind, key in spec.kinds:
            entries = raw.get(key)
            counts[kind] = len(entries) if isinstance(entries, list) else 0
            said = any(key in problem.entry or key in problem.message for problem in found)
            if not counts[kind] and not said:  # a kind with no entries fails, whatever the checker
                problems.append(Problem(spec.file, "file", f"no {kind}: '{key}' has no entries"))
        check_korean: CheckKorean = getattr(module, spec.check_korean)
        korean, unreadable = read_korean(path)
        problems.extend(unreadable)
        if korean is not None:
            problems.extend(check_korean(raw, korean, korean_file(spec.file)))
    return Report(problems, counts)


def main(data_dir: Path = DATA_DIR) -> int:
    report = check_all(data_dir)
    print(f"content in {data_dir}")
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
