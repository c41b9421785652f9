"""The features' privacy hooks on a bare database (no bot): one transaction for a member's data,
one for a server's, the operator's `python -m bot purge`, and the GUILD_RETENTION_DAYS setting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.privacy import DELETED_MEMBER, delete_guild, delete_member, hooks_of_packages
from bot.settings import SettingsError, load_settings
from bot.storage import Database
from bot.storage.config import ConfigStore
from cogs.film.store import FilmStore, NewQuestion
from cogs.poll.store import PollStore, VoteRequest
from cogs.quotes.store import QuoteStore
from tests.cogs.privacy.test_cog import rows_naming, user_columns
from tests.command_surface import snapshot

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 101, 202
MEMBER, OTHER_MEMBER = 7, 8


async def seed(db: Database, guild_id: int, member: int, other: int) -> None:
    """A settings change, a quote, a closed and an open poll voted on, an answered question."""
    config, quotes, polls, film = ConfigStore(db), QuoteStore(db), PollStore(db), FilmStore(db)
    await config.record_change(guild_id, member, "fact switched off", at=T0)
    await quotes.add(
        guild_id, text="q", speaker="s", source_url=None, added_by=member, added_at=T0, limit=10
    )
    for channel, close in ((guild_id * 10, True), (guild_id * 10 + 1, False)):
        poll = await polls.create(
            guild_id=guild_id,
            channel_id=channel,
            matchup_id=None,
            kpop_label="A",
            classic_label="B",
            started_by=member,
            opened_at=T0,
            closes_at=T0 + timedelta(hours=1),
        )
        votes = [
            VoteRequest(poll.id, guild_id, member, "kpop"),
            VoteRequest(poll.id, guild_id, other, "classic"),
        ]
        await polls.record_votes(votes, T0)
        if close:
            await polls.close(poll.id, T0 + timedelta(minutes=5), "ended")
    question, _ = await film.open_question(
        guild_id=guild_id,
        channel_id=guild_id * 10,
        asked_by=member,
        now=T0,
        closes_at=T0 + timedelta(minutes=1),
        make=lambda _: NewQuestion("t1", "Who?", ("a", "b", "c", "d"), 0),
    )
    for user, choice in ((member, 0), (other, 0)):
        await film.answer(
            question_id=question.id, guild_id=guild_id, user_id=user, choice_index=choice, now=T0
        )


async def test_a_member_is_deleted_in_one_server_only(db: Database) -> None:
    await seed(db, GUILD, MEMBER, OTHER_MEMBER)
    await seed(db, OTHER_GUILD, MEMBER, OTHER_MEMBER)
    hooks = hooks_of_packages(db)
    shown = [await h.member_data(GUILD, MEMBER) for h in hooks]
    assert {d.feature: d.total for d in shown} == {
        "Server settings": 1,
        "Film trivia": 3,  # an answer, a score, a question asked
        "Listening polls": 4,  # two votes, two polls started
        "Quotes": 1,
    }
    finals = [(p.id, p.final) for p in await PollStore(db).closed_polls(GUILD)]
    other_score = (await FilmStore(db).scoreboard(GUILD)).by_user[OTHER_MEMBER]
    elsewhere = await snapshot(db, OTHER_GUILD)

    removed = await delete_member(db, hooks, GUILD, MEMBER)
    assert sum(d.total for d in removed) == sum(d.total for d in shown)
    assert all(d.empty for d in [await h.member_data(GUILD, MEMBER) for h in hooks])
    assert [(p.id, p.final) for p in await PollStore(db).closed_polls(GUILD)] == finals
    assert (await FilmStore(db).scoreboard(GUILD)).by_user[OTHER_MEMBER] == other_score
    assert (
        await PollStore(db).tally((await PollStore(db).open_in_guild(GUILD))[0].id)
    ).classic == 1
    # Rows of the other server are untouched (votes and answers name no server: checked below).
    assert {
        k: v
        for k, v in (await snapshot(db, OTHER_GUILD)).items()
        if k not in ("poll_votes", "film_trivia_answers")
    } == {k: v for k, v in elsewhere.items() if k not in ("poll_votes", "film_trivia_answers")}
    left = await rows_naming(db, MEMBER)
    assert left == {
        "config_changes.actor_id": 1,
        "film_trivia_answers.user_id": 1,
        "film_trivia_questions.asked_by": 1,
        "film_trivia_scores.user_id": 1,
        "poll_votes.user_id": 2,
        "polls.started_by": 2,
        "server_quotes.added_by": 1,
    }, "exactly the other server's rows"
    assert set(left) == await user_columns(db)
    anonymized = await db.fetchone(
        "SELECT COUNT(*) AS n FROM server_quotes WHERE guild_id = ? AND added_by = ?",
        (GUILD, DELETED_MEMBER),
    )
    assert anonymized is not None and anonymized["n"] == 1


async def test_a_failing_feature_rolls_every_feature_back(db: Database) -> None:
    await seed(db, GUILD, MEMBER, OTHER_MEMBER)
    before = await snapshot(db)

    class Broken:
        user_columns = frozenset[str]()

        async def member_data(self, guild_id: int, user_id: int) -> object:
            raise AssertionError("not used")

        async def delete_member_data(self, tx: object, guild_id: int, user_id: int) -> object:
            raise RuntimeError("disk full")

        async def delete_guild_data(self, tx: object, guild_id: int) -> int:
            raise RuntimeError("disk full")

        def forget(self, guild_id: int, user_id: int | None) -> None:
            raise AssertionError("nothing was committed")

    hooks = [*hooks_of_packages(db), Broken()]
    with pytest.raises(RuntimeError):
        await delete_member(db, hooks, GUILD, MEMBER)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await delete_guild(db, hooks, GUILD)  # type: ignore[arg-type]
    assert await snapshot(db) == before


async def test_a_server_is_deleted_whole(db: Database) -> None:
    await seed(db, GUILD, MEMBER, OTHER_MEMBER)
    await seed(db, OTHER_GUILD, 9, 10)
    rows = await delete_guild(db, hooks_of_packages(db), GUILD)
    assert rows and rows > 10
    for member in (MEMBER, OTHER_MEMBER):
        assert await rows_naming(db, member) == {}
    assert await rows_naming(db, 9)
    if db.engine == "sqlite":  # PostgreSQL checks foreign keys at every statement
        assert await db.fetchall("PRAGMA foreign_key_check") == []


def test_python_m_bot_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kpops.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))

    async def prepare() -> None:
        db = await Database.open(path)
        try:
            await seed(db, GUILD, MEMBER, OTHER_MEMBER)
            await seed(db, OTHER_GUILD, 9, 10)
        finally:
            await db.close()

    async def left() -> tuple[dict[str, int], dict[str, int]]:
        db = await Database.open(path)
        try:
            return await rows_naming(db, MEMBER), await rows_naming(db, 9)
        finally:
            await db.close()

    asyncio.run(prepare())
    assert main(["purge", "--guild", str(GUILD)]) == 0
    assert "deleted" in capsys.readouterr().out
    gone, kept = asyncio.run(left())
    assert gone == {} and kept
    assert main(["purge", "--guild", "0"]) == 2


@pytest.mark.parametrize(("raw", "days"), [("", 30), ("7", 7), (" 90 ", 90)])
def test_retention_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str, days: int
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("GUILD_RETENTION_DAYS", raw)
    assert load_settings().guild_retention_days == days


@pytest.mark.parametrize("raw", ["0", "-1", "thirty", "1.5", "99999"])
def test_bad_retention_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("GUILD_RETENTION_DAYS", raw)
    with pytest.raises(SettingsError, match="GUILD_RETENTION_DAYS"):
        load_settings()
