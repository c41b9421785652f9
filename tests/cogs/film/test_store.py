"""FilmStore against a real SQLite file: fact rotation, trivia answers, closing and ranks."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database
from cogs.film.logic import ShowRecord, least_shown
from cogs.film.store import (
    AnswerOutcome,
    Chooser,
    FactRotation,
    FilmStore,
    NewQuestion,
    Score,
    Scoreboard,
    TriviaQuestion,
)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 1001, 2002
CHANNEL, OTHER_CHANNEL = 11, 12
FAN, OTHER_FAN, THIRD_FAN = 501, 502, 503
TRIVIA_IDS = ("q-one", "q-two", "q-three")


@pytest.fixture
async def store(db: Database) -> AsyncIterator[FilmStore]:
    store = FilmStore(db)
    try:
        yield store
    finally:
        await store.close()


def chooser(seed: int = 1) -> Chooser:
    rng = random.Random(seed)

    def choose(candidates: Sequence[str], history: Mapping[str, ShowRecord]) -> str:
        return least_shown(candidates, history, rng)

    return choose


def make_question(history: Mapping[str, ShowRecord]) -> NewQuestion:
    trivia_id = least_shown(TRIVIA_IDS, history, random.Random(len(history)))
    return NewQuestion(trivia_id, f"Question {trivia_id}?", ("right", "w1", "w2", "w3"), 0)


async def ask(
    store: FilmStore, channel: int = CHANNEL, guild: int = GUILD, at: datetime = NOW
) -> tuple[TriviaQuestion, bool]:
    question, created = await store.open_question(
        guild_id=guild,
        channel_id=channel,
        asked_by=FAN,
        now=at,
        closes_at=at + timedelta(seconds=60),
        make=make_question,
    )
    return question, created


# ---------------------------------------------------------------------- fact rotation
async def test_every_fact_is_shown_once_before_any_repeats(store: FilmStore) -> None:
    facts = [f"fact-{n}" for n in range(12)]
    choose = chooser()
    first_round = [await store.next_fact(GUILD, facts, choose) for _ in facts]
    assert sorted(first_round) == sorted(facts)
    second_round = [await store.next_fact(GUILD, facts, choose) for _ in facts]
    assert sorted(second_round) == sorted(facts)
    # A new round never starts with the fact that ended the last one.
    assert second_round[0] != first_round[-1]


async def test_rotation_is_kept_per_server(store: FilmStore) -> None:
    facts = ["a", "b", "c"]
    shown_here = [await store.next_fact(GUILD, facts, chooser(2)) for _ in range(2)]
    shown_there = [await store.next_fact(OTHER_GUILD, facts, chooser(2)) for _ in range(3)]
    assert sorted(shown_there) == facts  # the other server's round is complete on its own
    remaining = await store.next_fact(GUILD, facts, chooser(2))
    assert sorted([*shown_here, remaining]) == facts


async def test_topic_rotation_does_not_break_the_overall_round(store: FilmStore) -> None:
    facts = ["music-1", "music-2", "cast-1", "cast-2"]
    music = ["music-1", "music-2"]
    choose = chooser(3)
    shown = [await store.next_fact(GUILD, music, choose) for _ in range(3)]
    assert sorted(shown[:2]) == music and shown[2] in music  # a third music fact must repeat one
    # Unfiltered picks go to the facts not yet shown first.
    assert sorted([await store.next_fact(GUILD, facts, choose) for _ in range(2)]) == [
        "cast-1",
        "cast-2",
    ]


async def test_concurrent_requests_never_take_the_same_fact(store: FilmStore) -> None:
    facts = [f"fact-{n}" for n in range(8)]
    choose = chooser(4)
    picked = await asyncio.gather(*(store.next_fact(GUILD, facts, choose) for _ in facts))
    assert sorted(picked) == sorted(facts)


async def test_rotation_is_written_behind_and_kept_by_a_new_store(store: FilmStore) -> None:
    facts = [f"fact-{n}" for n in range(6)]
    choose = chooser(5)
    shown = [await store.next_fact(GUILD, facts, choose) for _ in range(3)]
    written = await store.db.fetchall("SELECT fact_id FROM film_fact_shows")
    assert written == []  # not yet: picks are grouped into one later write
    await store.rotation.flush()
    rows = await store.db.fetchall("SELECT fact_id, times FROM film_fact_shows ORDER BY last_seq")
    assert [(r[0], r[1]) for r in rows] == [(fact_id, 1) for fact_id in shown]
    fresh = FilmStore(store.db)  # as after a restart
    rest = [await fresh.next_fact(GUILD, facts, choose) for _ in range(3)]
    assert sorted(shown + rest) == facts
    await fresh.close()


async def test_a_server_read_again_keeps_its_unwritten_picks(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "small.sqlite3")
    rotation = FactRotation(db, max_servers=1)
    facts = ["a", "b", "c", "d"]
    choose = chooser(6)
    try:
        shown = [await rotation.next(GUILD, facts, choose) for _ in range(2)]
        await rotation.next(OTHER_GUILD, facts, choose)  # pushes GUILD out of memory, unwritten
        shown += [await rotation.next(GUILD, facts, choose) for _ in range(2)]
        assert sorted(shown) == facts
    finally:
        await rotation.close()
        await db.close()


async def test_a_failed_rotation_write_is_kept_and_tried_again(
    store: FilmStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = ["a", "b", "c"]
    picked = await store.next_fact(GUILD, facts, chooser(7))
    real_executemany = store.db.executemany

    async def locked(sql: str, rows: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store.db, "executemany", locked)
    await store.rotation.flush()
    monkeypatch.setattr(store.db, "executemany", real_executemany)
    await store.rotation.flush()
    rows = await store.db.fetchall("SELECT fact_id FROM film_fact_shows")
    assert [r[0] for r in rows] == [picked]


# ---------------------------------------------------------------------- trivia questions
async def test_one_open_question_per_channel(store: FilmStore) -> None:
    first, created = await ask(store)
    assert created and first.choices == ("right", "w1", "w2", "w3") and first.answer == "right"
    again, created = await ask(store, at=NOW + timedelta(seconds=30))
    assert not created and again.id == first.id
    elsewhere, created = await ask(store, channel=OTHER_CHANNEL)
    assert created and elsewhere.id != first.id
    # Past the deadline a new question may start, even before the old one was closed.
    later, created = await ask(store, at=NOW + timedelta(seconds=60))
    assert created and later.id not in (first.id, elsewhere.id)


async def test_trivia_rotates_through_questions(store: FilmStore) -> None:
    asked = []
    for n in range(len(TRIVIA_IDS)):
        question, _ = await ask(store, at=NOW + timedelta(minutes=2 * n))
        asked.append(question.trivia_id)
    assert sorted(asked) == sorted(TRIVIA_IDS)


async def test_first_answer_counts_and_scores(store: FilmStore) -> None:
    question, _ = await ask(store)
    at = NOW + timedelta(seconds=5)
    kw = {"question_id": question.id, "guild_id": GUILD, "now": at}
    assert await store.answer(user_id=FAN, choice_index=0, **kw) is AnswerOutcome.RIGHT
    assert await store.answer(user_id=FAN, choice_index=1, **kw) is AnswerOutcome.ALREADY_ANSWERED
    assert await store.answer(user_id=OTHER_FAN, choice_index=2, **kw) is AnswerOutcome.WRONG
    assert await store.answer(user_id=OTHER_FAN, choice_index=0, **kw) is (
        AnswerOutcome.ALREADY_ANSWERED
    )
    right, total = await store.answers(question.id)
    assert right == [FAN] and total == 2
    board = await store.leaderboard(GUILD)
    assert [(s.user_id, s.points, s.answered) for s in board] == [(FAN, 1, 1)]
    standing = await store.standing(GUILD, OTHER_FAN)
    assert standing is not None and standing.score.points == 0 and standing.rank == 2


async def test_answers_after_the_deadline_or_from_elsewhere_are_refused(store: FilmStore) -> None:
    question, _ = await ask(store)
    late = NOW + timedelta(seconds=60)
    assert (
        await store.answer(
            question_id=question.id, guild_id=GUILD, user_id=FAN, choice_index=0, now=late
        )
        is AnswerOutcome.CLOSED
    )
    assert (
        await store.answer(
            question_id=question.id, guild_id=OTHER_GUILD, user_id=FAN, choice_index=0, now=NOW
        )
        is AnswerOutcome.UNKNOWN
    )
    assert (
        await store.answer(
            question_id=question.id + 99, guild_id=GUILD, user_id=FAN, choice_index=0, now=NOW
        )
        is AnswerOutcome.UNKNOWN
    )
    assert await store.leaderboard(GUILD) == []


async def test_closing_is_claimed_once_and_can_be_retried(store: FilmStore) -> None:
    question, _ = await ask(store)
    assert await store.due_questions(NOW + timedelta(seconds=59)) == []
    due_at = NOW + timedelta(seconds=60)
    assert [q.id for q in await store.due_questions(due_at)] == [question.id]
    assert not await store.claim_close(question.id, NOW + timedelta(seconds=59))  # not due yet
    claims = await asyncio.gather(*(store.claim_close(question.id, due_at) for _ in range(3)))
    assert claims.count(True) == 1
    assert await store.due_questions(due_at) == []
    await store.release_close(question.id)  # the edit failed: try again next time
    assert [q.id for q in await store.due_questions(due_at)] == [question.id]


async def test_discarded_question_ids_are_never_reused(store: FilmStore) -> None:
    first, _ = await ask(store)
    await store.discard_question(first.id)
    assert await store.question(first.id) is None
    second, created = await ask(store)
    assert created and second.id > first.id
    await store.set_message_id(second.id, 777)
    stored = await store.question(second.id)
    assert stored is not None and stored.message_id == 777


async def test_leaderboard_ranks_ties_by_who_got_there_first(store: FilmStore) -> None:
    at = NOW
    for user in [OTHER_FAN, FAN, THIRD_FAN, OTHER_FAN, FAN]:  # OTHER_FAN reaches 2 points first
        before = await store.standing(GUILD, user)  # read (and cached) before each answer
        question, _ = await ask(store, at=at)
        outcome = await store.answer(
            question_id=question.id, guild_id=GUILD, user_id=user, choice_index=0, now=at
        )
        assert outcome is AnswerOutcome.RIGHT
        after = await store.standing(GUILD, user)
        assert after is not None  # the answer replaced the cached board
        assert after.score.points == (before.score.points if before else 0) + 1
        at += timedelta(minutes=2)
    board = await store.leaderboard(GUILD)
    assert [(s.user_id, s.points) for s in board] == [(OTHER_FAN, 2), (FAN, 2), (THIRD_FAN, 1)]
    fan = await store.standing(GUILD, FAN)
    third = await store.standing(GUILD, THIRD_FAN)
    assert fan is not None and fan.rank == 1  # equal points share a rank
    assert third is not None and third.rank == 3
    assert await store.standing(GUILD, 9999) is None
    assert await store.leaderboard(OTHER_GUILD) == []


def test_scoreboard_ranks_by_points_and_shares_ranks_on_ties() -> None:
    board = Scoreboard.from_scores(
        [Score(1, 5, 5), Score(2, 3, 4), Score(3, 3, 3), Score(4, 1, 2), Score(5, 0, 2)]
    )
    assert [s.user_id for s in board.top(3)] == [1, 2, 3]
    assert [s.user_id for s in board.top(10)] == [1, 2, 3, 4]  # no points: not on the board
    ranks = {user: board.standing(user) for user in range(1, 7)}
    assert [r.rank if r else None for r in ranks.values()] == [1, 2, 2, 4, 5, None]


async def test_leaderboard_is_limited(store: FilmStore) -> None:
    question, _ = await ask(store)
    for user in range(1, 16):
        await store.answer(
            question_id=question.id, guild_id=GUILD, user_id=user, choice_index=0, now=NOW
        )
    assert len(await store.leaderboard(GUILD)) == 10
