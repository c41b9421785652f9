"""Film facts and trivia: per-server fact rotation, trivia questions, answers and scores."""

from __future__ import annotations

import asyncio
import json
import logging
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from bot.privacy import DELETED_MEMBER, FeatureData, Holding, feature_data
from bot.storage.cache import ReadCache
from bot.storage.database import Database, Row, Tx
from bot.storage.engines import DATABASE_ERRORS, lock_key
from cogs.film.logic import ShowRecord

log = logging.getLogger(__name__)

# What /privacy calls this feature's data about a member.
PRIVACY_FEATURE = "Film trivia"
PRIVACY_ANSWERS = "trivia answers"
PRIVACY_SCORE = "trivia score (leaderboard)"
PRIVACY_ASKED = "trivia questions you asked for (the question stays, your id goes)"
PRIVACY_LATEST = 3
PRIVACY_QUESTION_CHARS = 80

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


# The question row's lock for an answer (SQLite's write transaction already excludes writers).
_SHARE = {"sqlite": "", "postgresql": " FOR SHARE"}

_QUESTION_COLUMNS = (
    "id, guild_id, channel_id, message_id, trivia_id, question, choices, answer_index, "
    "asked_by, opened_at, closes_at, closed_at"
)


# Fact-rotation writes wait this long to be grouped into one transaction. A crash inside the window
# only means a fact may come round again sooner: nothing a member sent or was promised is lost.
ROTATION_WRITE_DELAY = 1.0
# Servers whose rotation stays in memory (the least recently used beyond this are read again).
ROTATION_SERVERS = 256
# Servers whose trivia scores stay in memory for /film leaderboard.
SCOREBOARD_SERVERS = 64


@dataclass(slots=True)
class _Rotation:
    shows: dict[str, ShowRecord]
    last_seq: int


class FactRotation:
    """Each server's fact rotation, served from memory and written to the database behind.

    /film fact runs often; a read-choose-write transaction per call cost more CPU than the rest of
    the command. A server's history is read once, picks are made in memory (no await between
    reading the history and recording the pick, so two requests at once never take the same
    fact), and the new records are written in groups a moment later, and on :meth:`close`.
    """

    def __init__(
        self,
        db: Database,
        *,
        write_delay: float = ROTATION_WRITE_DELAY,
        max_servers: int = ROTATION_SERVERS,
    ) -> None:
        self.db = db
        self.write_delay = write_delay
        self.max_servers = max_servers
        self._loaded: OrderedDict[int, _Rotation] = OrderedDict()
        self._pending: dict[tuple[int, str], ShowRecord] = {}
        self._writing: dict[tuple[int, str], ShowRecord] = {}
        self._write_lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def next(self, guild_id: int, candidates: Sequence[str], choose: Chooser) -> str:
        """Choose one of ``candidates`` for this server and record that it was shown."""
        rotation = self._loaded.get(guild_id)
        if rotation is None:
            rotation = await self._load(guild_id)
        else:
            self._loaded.move_to_end(guild_id)
        chosen = choose(candidates, rotation.shows)
        previous = rotation.shows.get(chosen)
        rotation.last_seq += 1
        record = ShowRecord((previous.times if previous else 0) + 1, rotation.last_seq)
        rotation.shows[chosen] = record
        self._pending[(guild_id, chosen)] = record
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.write_delay, self._write_soon)
        return chosen

    async def _load(self, guild_id: int) -> _Rotation:
        rows = await self.db.fetchall(
            "SELECT fact_id, times, last_seq FROM film_fact_shows WHERE guild_id = ?", (guild_id,)
        )
        loaded = self._loaded.get(guild_id)
        if loaded is not None:  # another request read it meanwhile: its picks count
            return loaded
        shows = {str(r[0]): ShowRecord(int(r[1]), int(r[2])) for r in rows}
        # Records not committed yet (or being committed) are newer than what was read.
        for unwritten in (self._writing, self._pending):
            for (guild, fact_id), record in unwritten.items():
                if guild == guild_id:
                    shows[fact_id] = record
        rotation = _Rotation(shows, max((r.last_seq for r in shows.values()), default=0))
        self._loaded[guild_id] = rotation
        if len(self._loaded) > self.max_servers:
            self._loaded.popitem(last=False)
        return rotation

    def _write_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush(), name="fact-rotation-write")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Write every pending record now, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._write_lock:
            if not self._pending:
                return
            batch, self._pending = self._pending, {}
            self._writing = batch
            try:
                await self.db.executemany(
                    "INSERT INTO film_fact_shows (guild_id, fact_id, times, last_seq) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, fact_id) "
                    "DO UPDATE SET times = excluded.times, last_seq = excluded.last_seq",
                    [(g, f, r.times, r.last_seq) for (g, f), r in batch.items()],
                )
            except DATABASE_ERRORS as exc:
                # Keep them for the next write (a pick made since is newer and wins).
                for key, record in batch.items():
                    self._pending.setdefault(key, record)
                log.warning("fact rotation not saved yet, will retry: %s", exc)
                if self._timer is None:
                    loop = asyncio.get_running_loop()
                    self._timer = loop.call_later(self.write_delay, self._write_soon)
            finally:
                self._writing = {}

    async def close(self) -> None:
        """Write what is pending and stop (before the database closes)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.flush()

    def forget_guild(self, guild_id: int) -> None:
        """A server's data was deleted: drop its rotation, and its records not yet written."""
        self._loaded.pop(guild_id, None)
        for key in [k for k in self._pending if k[0] == guild_id]:
            del self._pending[key]


@dataclass(frozen=True, slots=True)
class Scoreboard:
    """A server's trivia scores, ranked once so /film leaderboard needs no query per call."""

    ranked: tuple[Score, ...]  # members with points, best first (ties: who got there first)
    by_user: Mapping[int, Score]
    points_ascending: tuple[int, ...]  # every member's points, for ranks by bisection

    @classmethod
    def from_scores(cls, scores: Sequence[Score]) -> Scoreboard:
        """``scores`` in leaderboard order: points high to low, then who reached them first."""
        return cls(
            ranked=tuple(s for s in scores if s.points > 0),
            by_user={s.user_id: s for s in scores},
            points_ascending=tuple(sorted(s.points for s in scores)),
        )

    def top(self, limit: int) -> list[Score]:
        return list(self.ranked[:limit])

    def standing(self, user_id: int) -> Standing | None:
        """A member's score and rank (1 + how many have more points); None before any answer."""
        score = self.by_user.get(user_id)
        if score is None:
            return None
        above = len(self.points_ascending) - bisect_right(self.points_ascending, score.points)
        return Standing(score, above + 1)


class FilmStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.rotation = FactRotation(db)
        self._scoreboards: ReadCache[int, Scoreboard] = ReadCache(SCOREBOARD_SERVERS)

    # ------------------------------------------------------------------ fact rotation
    async def next_fact(self, guild_id: int, candidates: Sequence[str], choose: Chooser) -> str:
        """Choose one of ``candidates`` for this server and record that it was shown (see
        :class:`FactRotation`; :meth:`close` writes the last records)."""
        return await self.rotation.next(guild_id, candidates, choose)

    async def close(self) -> None:
        await self.rotation.close()

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
        # Held per channel, so two processes cannot both find the channel free and both ask.
        async with self.db.hold(lock_key("trivia", channel_id)) as tx:
            row = await tx.fetchone(
                f"SELECT {_QUESTION_COLUMNS} FROM film_trivia_questions "  # noqa: S608 - fixed columns
                "WHERE channel_id = ? AND closed_at IS NULL AND closes_at > ? "
                "ORDER BY id DESC LIMIT 1",
                (channel_id, _iso(now)),
            )
            if row is not None:
                return TriviaQuestion.from_row(row), False
            rows = await tx.fetchall(
                "SELECT trivia_id, COUNT(*) AS times, MAX(id) AS last_seq "
                "FROM film_trivia_questions WHERE guild_id = ? GROUP BY trivia_id",
                (guild_id,),
            )
            history = {
                str(r["trivia_id"]): ShowRecord(int(r["times"]), int(r["last_seq"])) for r in rows
            }
            new = make(history)
            row = await tx.fetchone(
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
        async with self.db.begin() as tx:
            # FOR SHARE on PostgreSQL: a claim_close elsewhere waits for this answer to commit.
            row = await tx.fetchone(
                "SELECT answer_index, closes_at, closed_at FROM film_trivia_questions "  # noqa: S608 - a fixed lock clause
                "WHERE id = ? AND guild_id = ?" + _SHARE[tx.engine],
                (question_id, guild_id),
            )
            if row is None:
                return AnswerOutcome.UNKNOWN
            if row["closed_at"] is not None or row["closes_at"] <= _iso(now):
                return AnswerOutcome.CLOSED
            correct = int(choice_index == int(row["answer_index"]))
            inserted = await tx.execute(
                "INSERT INTO film_trivia_answers "
                "(question_id, user_id, choice_index, correct, answered_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (question_id, user_id) DO NOTHING",
                (question_id, user_id, choice_index, correct, _iso(now)),
            )
            if inserted == 0:
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
        self._scoreboards.forget(guild_id)  # committed: the cached leaderboard is stale
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
    async def scoreboard(self, guild_id: int) -> Scoreboard:
        return await self._scoreboards.get(guild_id, lambda: self._read_scoreboard(guild_id))

    async def _read_scoreboard(self, guild_id: int) -> Scoreboard:
        rows = await self.db.fetchall(
            "SELECT user_id, points, answered FROM film_trivia_scores WHERE guild_id = ? "
            "ORDER BY points DESC, reached_at, user_id",
            (guild_id,),
        )
        return Scoreboard.from_scores([Score(int(r[0]), int(r[1]), int(r[2])) for r in rows])

    async def leaderboard(self, guild_id: int, limit: int = 10) -> list[Score]:
        """The server's top scorers; on equal points, whoever got there first ranks higher."""
        return (await self.scoreboard(guild_id)).top(limit)

    async def standing(self, guild_id: int, user_id: int) -> Standing | None:
        """A member's score and rank (1 + how many have more points); None before any answer."""
        return (await self.scoreboard(guild_id)).standing(user_id)

    async def board(
        self, guild_id: int, user_id: int, limit: int = 10
    ) -> tuple[list[Score], Standing | None]:
        """The top scorers and one member's standing (what /film leaderboard shows)."""
        board = await self.scoreboard(guild_id)
        return board.top(limit), board.standing(user_id)

    # ------------------------------------------------------------------ members' data (bot.privacy)
    user_columns = frozenset(
        {
            "film_trivia_questions.asked_by",
            "film_trivia_answers.user_id",
            "film_trivia_scores.user_id",
        }
    )

    async def member_data(self, guild_id: int, user_id: int) -> FeatureData:
        async with self.db.snapshot() as tx:
            answers = await tx.fetchall(
                "SELECT q.question, a.correct, COUNT(*) OVER () AS n "
                "FROM film_trivia_answers AS a JOIN film_trivia_questions AS q "
                "ON q.id = a.question_id WHERE q.guild_id = ? AND a.user_id = ? "
                "ORDER BY a.answered_at DESC, a.question_id DESC LIMIT ?",
                (guild_id, user_id, PRIVACY_LATEST),
            )
            score = await tx.fetchone(
                "SELECT points, answered FROM film_trivia_scores WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            asked = await tx.fetchone(
                "SELECT COUNT(*) FROM film_trivia_questions WHERE guild_id = ? AND asked_by = ?",
                (guild_id, user_id),
            )
        latest = tuple(
            f"{'right' if r['correct'] else 'wrong'}: {str(r['question'])[:PRIVACY_QUESTION_CHARS]}"
            for r in answers
        )
        score_line = (
            (f"{int(score['points'])} points from {int(score['answered'])} answers",)
            if score is not None
            else ()
        )
        return feature_data(
            PRIVACY_FEATURE,
            Holding(PRIVACY_ANSWERS, int(answers[0]["n"]) if answers else 0, latest),
            Holding(PRIVACY_SCORE, 0 if score is None else 1, score_line),
            Holding(PRIVACY_ASKED, int(asked[0]) if asked else 0),
        )

    async def delete_member_data(self, tx: Tx, guild_id: int, user_id: int) -> FeatureData:
        answers = await tx.execute(
            "DELETE FROM film_trivia_answers WHERE user_id = ? AND question_id IN "
            "(SELECT id FROM film_trivia_questions WHERE guild_id = ?)",
            (user_id, guild_id),
        )
        # Only the member's own row: everyone else's points and times stay as they were.
        score = await tx.execute(
            "DELETE FROM film_trivia_scores WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        asked = await tx.execute(
            "UPDATE film_trivia_questions SET asked_by = ? WHERE guild_id = ? AND asked_by = ?",
            (DELETED_MEMBER, guild_id, user_id),
        )
        return feature_data(
            PRIVACY_FEATURE,
            Holding(PRIVACY_ANSWERS, answers),
            Holding(PRIVACY_SCORE, score),
            Holding(PRIVACY_ASKED, asked),
        )

    async def delete_guild_data(self, tx: Tx, guild_id: int) -> int:
        deleted = 0
        for sql in (
            "DELETE FROM film_trivia_answers WHERE question_id IN "
            "(SELECT id FROM film_trivia_questions WHERE guild_id = ?)",
            "DELETE FROM film_trivia_questions WHERE guild_id = ?",
            "DELETE FROM film_trivia_scores WHERE guild_id = ?",
            "DELETE FROM film_fact_shows WHERE guild_id = ?",
        ):
            deleted += await tx.execute(sql, (guild_id,))
        return deleted

    def forget(self, guild_id: int, user_id: int | None) -> None:
        self._scoreboards.forget(guild_id)
        if user_id is None:
            self.rotation.forget_guild(guild_id)
