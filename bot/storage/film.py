"""Film facts and trivia: per-server fact rotation, trivia questions, answers and scores."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from bot.film_logic import ShowRecord
from bot.storage.database import Database, Row

# Picks one of the candidate ids given how often and how recently each was shown.
Chooser = Callable[[Sequence[str], Mapping[str, ShowRecord]], str]


def _iso(when: datetime) -> str:
    """One fixed text form for times, so SQL compares them correctly as text."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class NewQuestion:
    """A question about to be asked: which trivia entry, and its choices in button order."""

    trivia_id: str
    question: str
    choices: tuple[str, ...]
    answer_index: int


@dataclass(frozen=True, slots=True)
class TriviaQuestion:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    trivia_id: str
    question: str
    choices: tuple[str, ...]
    answer_index: int
    asked_by: int
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None

    @property
    def answer(self) -> str:
        return self.choices[self.answer_index]

    @classmethod
    def from_row(cls, row: Row) -> TriviaQuestion:
        opened, closes = _time(row["opened_at"]), _time(row["closes_at"])
        assert opened is not None and closes is not None
        return cls(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            channel_id=int(row["channel_id"]),
            message_id=None if row["message_id"] is None else int(row["message_id"]),
            trivia_id=str(row["trivia_id"]),
            question=str(row["question"]),
            choices=tuple(json.loads(row["choices"])),
            answer_index=int(row["answer_index"]),
            asked_by=int(row["asked_by"]),
            opened_at=opened,
            closes_at=closes,
            closed_at=_time(row["closed_at"]),
        )


class AnswerOutcome(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    ALREADY_ANSWERED = "already answered"
    CLOSED = "closed"
    UNKNOWN = "unknown question"


@dataclass(frozen=True, slots=True)
class Score:
    user_id: int
    points: int
    answered: int


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's place on the server's leaderboard (rank shared on ties)."""

    score: Score
    rank: int


_QUESTION_COLUMNS = (
    "id, guild_id, channel_id, message_id, trivia_id, question, choices, answer_index, "
    "asked_by, opened_at, closes_at, closed_at"
)


class FilmStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ fact rotation
    async def next_fact(self, guild_id: int, candidates: Sequence[str], choose: Chooser) -> str:
        """Choose one of ``candidates`` for this server and record that it was shown.

        Read, choice and write happen in one transaction, so two requests at once never both
        take the same "next" fact.
        """

        def work(conn: sqlite3.Connection) -> str:
            # One hand-off to the database thread for the whole read-choose-write: this runs on
            # every /film fact and every daily fact.
            rows = conn.execute(
                "SELECT fact_id, times, last_seq FROM film_fact_shows WHERE guild_id = ?",
                (guild_id,),
            ).fetchall()
            history = {str(r[0]): ShowRecord(int(r[1]), int(r[2])) for r in rows}
            chosen = choose(candidates, history)
            seq = max((r.last_seq for r in history.values()), default=0) + 1
            conn.execute(
                "INSERT INTO film_fact_shows (guild_id, fact_id, times, last_seq) "
                "VALUES (?, ?, 1, ?) "
                "ON CONFLICT (guild_id, fact_id) "
                "DO UPDATE SET times = film_fact_shows.times + 1, last_seq = excluded.last_seq",
                (guild_id, chosen, seq),
            )
            return chosen

        fact_id = await self.db.run_in_transaction(work)
        return fact_id

    # ------------------------------------------------------------------ trivia questions
    async def open_question(
        self,
        *,
        guild_id: int,
        channel_id: int,
        asked_by: int,
        now: datetime,
        closes_at: datetime,
        make: Callable[[Mapping[str, ShowRecord]], NewQuestion],
    ) -> tuple[TriviaQuestion, bool]:
        """Open a question in a channel, unless one is still open there.

        ``make`` gets how often each trivia entry was asked in this server (a rotation, like the
        facts). Returns the new question and True, or the question still open and False.
        """
        async with self.db.transaction() as tx:
            cur = await tx.execute(
                f"SELECT {_QUESTION_COLUMNS} FROM film_trivia_questions "  # noqa: S608 - fixed columns
                "WHERE channel_id = ? AND closed_at IS NULL AND closes_at > ? "
                "ORDER BY id DESC LIMIT 1",
                (channel_id, _iso(now)),
            )
            row = await cur.fetchone()
            if row is not None:
                return TriviaQuestion.from_row(row), False
            cur = await tx.execute(
                "SELECT trivia_id, COUNT(*) AS times, MAX(id) AS last_seq "
                "FROM film_trivia_questions WHERE guild_id = ? GROUP BY trivia_id",
                (guild_id,),
            )
            history = {
                str(r["trivia_id"]): ShowRecord(int(r["times"]), int(r["last_seq"]))
                for r in await cur.fetchall()
            }
            new = make(history)
            cur = await tx.execute(
                "INSERT INTO film_trivia_questions (guild_id, channel_id, trivia_id, question, "
                "choices, answer_index, asked_by, opened_at, closes_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + _QUESTION_COLUMNS,
                (
                    guild_id,
                    channel_id,
                    new.trivia_id,
                    new.question,
                    json.dumps(list(new.choices), ensure_ascii=False),
                    new.answer_index,
                    asked_by,
                    _iso(now),
                    _iso(closes_at),
                ),
            )
            row = await cur.fetchone()
            assert row is not None
            return TriviaQuestion.from_row(row), True

    async def set_message_id(self, question_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE film_trivia_questions SET message_id = ? WHERE id = ?",
            (message_id, question_id),
        )

    async def discard_question(self, question_id: int) -> None:
        """Forget a question whose message could not be sent (nobody can have answered it)."""
        await self.db.execute("DELETE FROM film_trivia_questions WHERE id = ?", (question_id,))

    async def question(self, question_id: int) -> TriviaQuestion | None:
        row = await self.db.fetchone(
            f"SELECT {_QUESTION_COLUMNS} FROM film_trivia_questions WHERE id = ?",  # noqa: S608
            (question_id,),
        )
        return None if row is None else TriviaQuestion.from_row(row)

    async def answer(
        self, *, question_id: int, guild_id: int, user_id: int, choice_index: int, now: datetime
    ) -> AnswerOutcome:
        """Record a member's answer if it is their first and the question is still open.

        A right answer scores a point in the same transaction, so a score never lacks its answer.
        """
        async with self.db.transaction() as tx:
            cur = await tx.execute(
                "SELECT answer_index, closes_at, closed_at FROM film_trivia_questions "
                "WHERE id = ? AND guild_id = ?",
                (question_id, guild_id),
            )
            row = await cur.fetchone()
            if row is None:
                return AnswerOutcome.UNKNOWN
            if row["closed_at"] is not None or row["closes_at"] <= _iso(now):
                return AnswerOutcome.CLOSED
            correct = int(choice_index == int(row["answer_index"]))
            cur = await tx.execute(
                "INSERT INTO film_trivia_answers "
                "(question_id, user_id, choice_index, correct, answered_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (question_id, user_id) DO NOTHING",
                (question_id, user_id, choice_index, correct, _iso(now)),
            )
            if cur.rowcount == 0:
                return AnswerOutcome.ALREADY_ANSWERED
            await tx.execute(
                "INSERT INTO film_trivia_scores (guild_id, user_id, points, answered, reached_at) "
                "VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                "points = film_trivia_scores.points + excluded.points, "
                "answered = film_trivia_scores.answered + 1, "
                "reached_at = CASE WHEN excluded.points > 0 THEN excluded.reached_at "
                "ELSE film_trivia_scores.reached_at END",
                (guild_id, user_id, correct, _iso(now)),
            )
            return AnswerOutcome.RIGHT if correct else AnswerOutcome.WRONG

    async def due_questions(self, now: datetime, limit: int = 50) -> list[TriviaQuestion]:
        """Questions past their deadline whose result has not been shown yet, oldest first."""
        rows = await self.db.fetchall(
            f"SELECT {_QUESTION_COLUMNS} FROM film_trivia_questions "  # noqa: S608
            "WHERE closed_at IS NULL AND closes_at <= ? ORDER BY closes_at, id LIMIT ?",
            (_iso(now), limit),
        )
        return [TriviaQuestion.from_row(r) for r in rows]

    async def claim_close(self, question_id: int, now: datetime) -> bool:
        """Mark a due question closed; True for the one caller that did it."""
        changed = await self.db.execute(
            "UPDATE film_trivia_questions SET closed_at = ? "
            "WHERE id = ? AND closed_at IS NULL AND closes_at <= ?",
            (_iso(now), question_id, _iso(now)),
        )
        return changed == 1

    async def release_close(self, question_id: int) -> None:
        """Undo a claim whose result message could not be edited yet, so it is tried again."""
        await self.db.execute(
            "UPDATE film_trivia_questions SET closed_at = NULL WHERE id = ?", (question_id,)
        )

    async def answers(self, question_id: int) -> tuple[list[int], int]:
        """Who answered right (in the order they answered) and how many answered at all."""
        rows = await self.db.fetchall(
            "SELECT user_id, correct FROM film_trivia_answers WHERE question_id = ? "
            "ORDER BY answered_at, user_id",
            (question_id,),
        )
        return [int(r["user_id"]) for r in rows if r["correct"]], len(rows)

    # ------------------------------------------------------------------ leaderboard
    async def leaderboard(self, guild_id: int, limit: int = 10) -> list[Score]:
        """The server's top scorers; on equal points, whoever got there first ranks higher."""
        return await self.db.run_read(lambda conn: _top(conn, guild_id, limit))

    async def standing(self, guild_id: int, user_id: int) -> Standing | None:
        """A member's score and rank (1 + how many have more points); None before any answer."""
        return await self.db.run_read(lambda conn: _standing(conn, guild_id, user_id))

    async def board(
        self, guild_id: int, user_id: int, limit: int = 10
    ) -> tuple[list[Score], Standing | None]:
        """The top scorers and one member's standing, in one hand-off (what /film leaderboard shows)."""
        return await self.db.run_read(
            lambda conn: (_top(conn, guild_id, limit), _standing(conn, guild_id, user_id))
        )


def _top(conn: sqlite3.Connection, guild_id: int, limit: int) -> list[Score]:
    rows = conn.execute(
        "SELECT user_id, points, answered FROM film_trivia_scores "
        "WHERE guild_id = ? AND points > 0 "
        "ORDER BY points DESC, reached_at, user_id LIMIT ?",
        (guild_id, limit),
    ).fetchall()
    return [Score(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def _standing(conn: sqlite3.Connection, guild_id: int, user_id: int) -> Standing | None:
    row = conn.execute(
        "SELECT s.points, s.answered, "
        "(SELECT COUNT(*) FROM film_trivia_scores AS o "
        " WHERE o.guild_id = s.guild_id AND o.points > s.points) AS above "
        "FROM film_trivia_scores AS s WHERE s.guild_id = ? AND s.user_id = ?",
        (guild_id, user_id),
    ).fetchone()
    if row is None:
        return None
    return Standing(Score(user_id, int(row[0]), int(row[1])), int(row[2]) + 1)
