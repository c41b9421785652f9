"""``python -m bot db copy``: a community's database from SQLite into PostgreSQL, and back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.storage import Database
from bot.storage.copy import CopyError, copy_database, parents_first
from cogs.film.store import FilmStore
from cogs.poll.store import PollStore, VoteRequest
from cogs.quotes.store import QuoteStore
from tests.cogs.privacy.test_hooks import GUILD, MEMBER, OTHER_GUILD, OTHER_MEMBER, T0, seed
from tests.command_surface import snapshot


async def community(db: Database) -> None:
    """Two servers' settings, quotes, polls and votes, trivia, facts shown and a quote rotation."""
    await seed(db, GUILD, MEMBER, OTHER_MEMBER)
    await seed(db, OTHER_GUILD, MEMBER, OTHER_MEMBER)
    await QuoteStore(db).day_pick(GUILD, T0.date(), {"c1", "c2"}, seed_factory=lambda: 7)
    film = FilmStore(db)
    await film.next_fact(GUILD, ["f1", "f2"], lambda ids, _: ids[0])
    await film.close()  # writes the rotation


async def test_sqlite_into_postgresql_and_back(tmp_path: Path, postgres_url: str) -> None:
    lite = await Database.open(tmp_path / "community.sqlite3")
    pg = await Database.open(postgres_url)
    back = await Database.open(tmp_path / "back.sqlite3")
    try:
        await community(lite)
        report = await copy_database(lite, pg)
        assert report.counts["poll_votes"] == 8 and report.counts["server_quotes"] == 2
        assert await snapshot(pg) == await snapshot(lite)
        assert await copy_database(pg, back) == report
        assert await snapshot(back) == await snapshot(lite)
        # PostgreSQL hands out ids after the copied ones (its sequences were moved on).
        polls = PollStore(pg)
        newest = max(
            p.id for p in await polls.closed_polls(GUILD) + await polls.open_in_guild(GUILD)
        )
        poll = await polls.create(
            guild_id=GUILD,
            channel_id=999,
            matchup_id=None,
            kpop_label="A",
            classic_label="B",
            started_by=MEMBER,
            opened_at=T0,
            closes_at=T0 + timedelta(hours=1),
        )
        assert poll.id > newest
        (outcome,) = await polls.record_votes([VoteRequest(poll.id, GUILD, 5, "kpop")], T0)
        assert outcome.stored
    finally:
        for db in (lite, pg, back):
            await db.close()


async def test_a_target_with_data_is_refused_unless_forced(
    db_target: str | Path, tmp_path: Path
) -> None:
    source = await Database.open(tmp_path / "source.sqlite3")
    target = await Database.open(db_target)
    try:
        await community(source)
        await QuoteStore(target).add(
            1, text="kept", speaker="s", source_url=None, added_by=1, added_at=T0, limit=5
        )
        before = await snapshot(target)
        with pytest.raises(CopyError, match="already holds data.*--force"):
            await copy_database(source, target)
        assert await snapshot(target) == before
        await copy_database(source, target, force=True)
        assert await snapshot(target) == await snapshot(source)
    finally:
        await source.close()
        await target.close()


def test_parents_come_before_children() -> None:
    refs = {"poll_votes": {"polls"}, "answers": {"questions"}, "questions": set()}
    order = parents_first(["answers", "poll_votes", "polls", "questions"], refs)
    assert order.index("polls") < order.index("poll_votes")
    assert order.index("questions") < order.index("answers")
    with pytest.raises(CopyError, match="cycle"):
        parents_first(["a", "b"], {"a": {"b"}, "b": {"a"}})


async def test_foreign_keys_are_read_on_both_engines(db: Database) -> None:
    assert await db.references("poll_votes") == {"polls"}
    assert await db.references("polls") == set()


def test_the_command(
    tmp_path: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import asyncio

    path = tmp_path / "kpops.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)

    async def prepare() -> None:
        db = await Database.open(path)
        try:
            await community(db)
        finally:
            await db.close()

    asyncio.run(prepare())
    assert main(["db", "copy", "--to", postgres_url]) == 0
    out = capsys.readouterr().out
    assert "poll_votes: 8" in out and "copied" in out
    assert main(["db", "copy", "--to", postgres_url]) == 2
    err = capsys.readouterr().err
    assert "already holds data" in err and "--force" in err and "Traceback" not in err
    assert main(["db", "copy", "--to", postgres_url, "--force"]) == 0
    assert main(["db", "copy", "--to", str(path)]) == 2
    assert "configured database itself" in capsys.readouterr().err
