"""Every content file in data/ passes every check; `python -m bot data check` reports what does not."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from bot.content.checks import check_all
from bot.content.common import read_toml

SUMMARY = re.compile(
    r"^(ok|problems): (\d+) facts, (\d+) trivia, (\d+) quotes, (\d+) entities, (\d+) links, "
    r"(\d+) matchups$"
)


def test_real_content_has_no_problems() -> None:
    report = check_all()
    assert report.problems == [], "\n".join(str(p) for p in report.problems)
    match = SUMMARY.match(report.summary())
    assert match is not None, report.summary()
    assert match[1] == "ok"
    facts, trivia = int(match[2]), int(match[3])
    assert facts >= 40 and trivia >= 25  # what the film feature promises


def run_check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "data", "check", "--data-dir", str(data_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_passes_the_real_content() -> None:
    done = run_check(PROJECT_ROOT / "data")
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert SUMMARY.match(last) and last.startswith("ok: ")


SOURCE = (
    'source = { url = "https://example.com/page", publication = "Example", date = "2026-02-27" }'
)

BROKEN_FILM = f"""
[film]
title = "K-Pops!"
director = "Anderson .Paak"
writers = ["Anderson .Paak"]
release = "27 February 2026"
synopsis = "A drummer finds his son on a K-pop show."
production = ["Announced in 2022."]
cast = [{{ actor = "Anderson .Paak", role = "BJ" }}]
screenings = [{{ event = "TIFF", date = "2024-09-07", note = "world premiere" }}]
sources = [{{ url = "https://example.com/page", publication = "Example", date = "2026-02-27" }}]

[[facts]]
id = "good-fact"
text = "A fact that is fine."
topics = ["music"]
{SOURCE}

[[facts]]
id = "no-source"
text = "A fact without a source."
topics = ["music"]

[[facts]]
id = "good-fact"
text = "Another fact with a duplicate id."
topics = ["cast"]
{SOURCE}

[[facts]]
id = "empty-text"
text = "   "
topics = ["cast"]
{SOURCE}

[[facts]]
id = "bad-url"
text = "A fact whose source URL is malformed."
topics = ["cast"]
source = {{ url = "htp:/not a url", publication = "Example", date = "2026-02-27" }}

[[trivia]]
id = "answer-twice"
question = "Who directed K-Pops!?"
answer = "Anderson .Paak"
wrong = ["Anderson .Paak", "Soul Rasheed", "Kevin Woo"]
explanation = "He directed it."
{SOURCE}
"""


def test_the_command_prints_each_problem_and_fails(tmp_path: Path) -> None:
    (tmp_path / "film.toml").write_text(BROKEN_FILM, encoding="utf-8")
    (tmp_path / "quotes.toml").write_text("[[quotes]\nbroken = ", encoding="utf-8")
    done = run_check(tmp_path)
    assert done.returncode != 0
    lines = done.stdout.strip().splitlines()
    expected = [
        ("film.toml: fact 'no-source': ", "source"),
        ("film.toml: fact 'good-fact': ", "duplicate id"),
        ("film.toml: fact 'empty-text': ", "'text' is missing or empty"),
        ("film.toml: fact 'bad-url': ", "malformed"),
        ("film.toml: trivia 'answer-twice': ", "also a wrong answer"),
        ("quotes.toml: file: ", "not valid TOML"),
    ]
    for prefix, what in expected:
        assert any(line.startswith(prefix) and what in line for line in lines), (prefix, lines)
    assert not any("'good-fact'" in line and "duplicate" not in line for line in lines)
    summary = SUMMARY.match(lines[-1])
    assert summary is not None and summary[1] == "problems", lines[-1]
    # Counted as written: 5 facts and 1 trivia; the unreadable and missing files count 0.
    assert summary.groups()[1:] == ("5", "1", "0", "0", "0", "0")


def test_the_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    done = run_check(tmp_path / "nowhere")
    assert done.returncode != 0 and "not a folder" in done.stderr


def _korean_copy(tmp_path: Path) -> Path:
    """A copy of the real content, to break its Korean one thing at a time."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    return data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_command_names_each_korean_problem(tmp_path: Path) -> None:
    data = _korean_copy(tmp_path)
    ko = data / "ko"
    film = (ko / "film.toml").read_text(encoding="utf-8")
    start = film.index("[facts.directorial-debut]")
    end = film.index("[facts.", start + 1)
    (ko / "film.toml").write_text(film[:start] + film[end:], encoding="utf-8")
    english_note = read_toml(data / "matchups.toml")["matchups"][0]["note"]
    korean_note = read_toml(ko / "matchups.toml")["matchups"]["twice-jackson5-i-want-you-back"]
    _edit(ko / "matchups.toml", korean_note["note"], english_note)
    _edit(
        ko / "influence.toml",
        '[entities.motown.source]\nurl = "https://yoojungtimes.com/bbs/board.php?bo_table=news05'
        '&wr_id=110"\npublication = "Yoojung Times"\ndate = "2019-11-26"\n\n[entities.jackson-5]',
        "[entities.jackson-5]",
    )
    _edit(
        ko / "influence.toml",
        '[links."motown>stevie-wonder"]\nnote = "',
        '[links."motown>stevie-wonder"]\nnote = "Signed at eleven. " # "',
    )
    with (ko / "quotes.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[quotes.no-such-quote]\ncontext = "없는 명언이에요."\ntranslated = true\n')

    done = run_check(data)
    assert done.returncode != 0
    lines = done.stdout.strip().splitlines()
    expected = [
        "ko/film.toml: fact 'directorial-debut': no Korean text",
        "ko/matchups.toml: matchup 'twice-jackson5-i-want-you-back': 'note' is the same as the",
        "ko/influence.toml: entity 'motown': Korean name '모타운' has no source",
        "ko/influence.toml: link 'motown>stevie-wonder': 'note' has no Hangul",
        "ko/quotes.toml: quote 'no-such-quote': Korean key 'no-such-quote' matches no English",
    ]
    for start_of_line in expected:
        assert any(line.startswith(start_of_line) for line in lines), (start_of_line, lines)
    assert len(lines) == len(expected) + 2  # the folder line, one line each, the summary
    assert lines[-1].startswith("problems: ")


def test_a_missing_korean_file_fails_the_check(tmp_path: Path) -> None:
    data = _korean_copy(tmp_path)
    (data / "ko" / "matchups.toml").unlink()
    report = check_all(data)
    assert [str(problem) for problem in report.problems] == [
        f"ko/matchups.toml: file: missing (looked for {data / 'ko' / 'matchups.toml'})"
    ]
