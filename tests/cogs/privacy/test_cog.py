"""/privacy end to end through the emulator: show, delete with its confirmation, a moderator
deleting a member who left, and servers forgotten after the retention.

The schema-driven check finds every column that holds a member id from the database itself
(``USER_COLUMN``), so a new table with such a column fails here until a feature claims it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.client import KpopsBot
from bot.clock import ManualClock
from bot.privacy import DELETED_MEMBER, hooks_of_cogs, hooks_of_packages
from bot.sandbox import Driver, InteractionResult, Member, Message
from bot.storage import Database
from bot.storage.config import ConfigStore
from cogs.film.store import FilmStore, Score
from cogs.poll.store import PollStore
from cogs.privacy import render
from cogs.privacy.cog import CONFIRM_TTL, Privacy
from tests.command_surface import diff, settle, snapshot, write_behind_now
from tests.conftest import World, build_world

#: The rule for "this column holds a member's id": its name says user, member, actor or author,
#: or it ends in _by (added_by, started_by). Role and channel ids do not match.
USER_COLUMN = re.compile(r"user|member|actor|author|_by$")


# ---------------------------------------------------------------------- helpers
async def user_columns(db: Database) -> set[str]:
    """Every ``table.column`` of the schema that holds a member id, by ``USER_COLUMN``."""
    found: set[str] = set()
    for name in await db.tables():
        for column in await db.columns(name):
            if USER_COLUMN.search(column):
                found.add(f"{name}.{column}")
    return found


async def rows_naming(db: Database, user_id: int) -> dict[str, int]:
    """How many rows of each member-id column hold ``user_id`` (only those with some)."""
    counts: dict[str, int] = {}
    for pair in sorted(await user_columns(db)):
        table, column = pair.split(".")
        row = await db.fetchone(
            f"SELECT COUNT(*) AS n FROM {table} WHERE {column} = ?",  # noqa: S608 - names from the schema
            (user_id,),
        )
        if row is not None and int(row["n"]):
            counts[pair] = int(row["n"])
    return counts


async def until(check: Callable[[], Awaitable[bool] | bool], timeout: float = 3.0) -> None:
    """Wait until a condition holds (the bot handles gateway events in its own time)."""
    async with asyncio.timeout(timeout):
        while True:
            outcome = check()
            if outcome if isinstance(outcome, bool) else await outcome:
                return
            await asyncio.sleep(0.01)


def privacy_cog(bot: KpopsBot) -> Privacy:
    cog = bot.get_cog("Privacy")
    assert isinstance(cog, Privacy)
    return cog


async def ask(
    driver: Driver, path: str, who: Member, world: World, **options: Any
) -> InteractionResult:
    return await driver.invoke(path, options, member=who, channel=world.general)


def embed_text(result: InteractionResult) -> str:
    return result.message.text()


async def start_poll(driver: Driver, world: World, member: Member) -> Message:
    before = {m.id for m in driver.channel_messages(world.general)}
    result = await ask(driver, "poll start", member, world)
    assert result.ephemeral, result.text
    (posted,) = [
        m for m in driver.channel_messages(world.general) if m.id not in before and m.buttons()
    ]
    return posted


async def vote(driver: Driver, message: Message, member: Member, side: str) -> None:
    custom_id = next(b["custom_id"] for b in message.buttons() if b["custom_id"].endswith(side))
    result = await driver.click(message, member=member, custom_id=custom_id)
    assert result.ephemeral and "vote" in result.text.lower(), result.text


async def answer(driver: Driver, message: Message, member: Member, index: int) -> None:
    result = await driver.click(message, member=member, index=index)
    assert result.ephemeral, result.text


async def trivia(driver: Driver, world: World, member: Member) -> Message:
    result = await ask(driver, "film trivia", member, world)
    assert not result.ephemeral, result.text
    return result.message


async def build_history(bot: KpopsBot, driver: Driver, world: World, clock: ManualClock) -> Member:
    """A moderator with a setting change, a quote, polls started and voted on, trivia asked and
    answered; the owner and a fan alongside. Returns a third member with no data at all."""
    mod, fan, owner = world.moderator, world.fan, world.owner
    await ask(driver, "config toggle", mod, world, feature="fact", enabled=False)
    await ask(driver, "config toggle", owner, world, feature="fact", enabled=True)
    await ask(driver, "quote add", mod, world, text="Music is the bridge", speaker="Anderson .Paak")
    await ask(driver, "quote add", owner, world, text="We were listening", speaker="Soul Rasheed")
    closed = await start_poll(driver, world, mod)
    for member, side in ((mod, "kpop"), (fan, "classic"), (owner, "kpop")):
        await vote(driver, closed, member, side)
    ended = await ask(driver, "poll end", mod, world)
    assert ended.ephemeral, ended.text
    still_open = await start_poll(driver, world, owner)
    await vote(driver, still_open, mod, "classic")
    await vote(driver, still_open, fan, "kpop")
    for asker, answers in ((mod, ((mod, 0), (fan, 1), (owner, 2))), (fan, ((mod, 3), (fan, 0)))):
        question = await trivia(driver, world, asker)
        for member, index in answers:
            await answer(driver, question, member, index)
        clock.advance(seconds=61)
        await bot.get_cog("Film").close_due()  # type: ignore[union-attr]
    return driver.add_member(world.guild, "newcomer")


async def others_view(bot: KpopsBot, world: World) -> dict[str, Any]:
    """What other members rely on: closed results, poll standings, everyone else's scores."""
    polls = PollStore(bot.db)
    board = await FilmStore(bot.db).scoreboard(world.guild.id)
    others = [s for s in board.ranked if s.user_id != world.moderator.id]
    zero: list[Score] = [s for s in board.by_user.values() if s.user_id != world.moderator.id]
    return {
        "closed": [(p.id, p.final) for p in await polls.closed_polls(world.guild.id)],
        "order": others,
        "scores": sorted(zero, key=lambda s: s.user_id),
    }


# ---------------------------------------------------------------------- show and delete
async def test_show_then_delete_leaves_no_row_naming_the_member(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    newcomer = await build_history(bot, driver, world, clock)
    mod = world.moderator
    before_others = await others_view(bot, world)
    standings_before = (await ask(driver, "poll standings", world.fan, world)).text
    assert set(await rows_naming(bot.db, mod.id)) == await user_columns(bot.db)

    shown = await ask(driver, "privacy show", mod, world)
    assert shown.ephemeral
    text = embed_text(shown)
    for feature in ("Film trivia", "Listening polls", "Quotes", "Server settings"):
        assert feature in text, text
    assert "**2** poll votes" in text and "**2** trivia answers" in text
    assert "Music is the bridge" in text and "PRIVACY.md" in text
    assert "Nothing" in embed_text(await ask(driver, "privacy show", newcomer, world))

    asked = await ask(driver, "privacy delete", mod, world)
    assert asked.ephemeral and len(asked.message.buttons()) == 1
    confirm = asked.message
    assert await rows_naming(bot.db, mod.id)  # nothing happens before the click

    done = await driver.click(confirm, member=mod, label=render.CONFIRM_LABEL)
    assert done.response_type == 7 and render.DELETED_TITLE in done.text
    assert confirm.buttons() == []  # the used confirmation cannot be clicked again
    assert "2** poll votes" in done.text

    assert await rows_naming(bot.db, mod.id) == {}
    assert await others_view(bot, world) == before_others
    assert (await ask(driver, "poll standings", world.fan, world)).text == standings_before
    # The server keeps its quote and its change log, without who added or changed them.
    quotes = await bot.db.fetchall("SELECT added_by FROM server_quotes ORDER BY number")
    assert [q["added_by"] for q in quotes] == [DELETED_MEMBER, world.owner.id]
    changes = await ConfigStore(bot.db).recent_changes(world.guild.id)
    assert DELETED_MEMBER in {c.actor_id for c in changes}
    config = await ask(driver, "config show", world.owner, world)
    assert "<@0>" not in config.text and "deleted" in config.text
    # The open poll's live count no longer includes the vote.
    results = await ask(driver, "poll results", world.fan, world)
    assert "1 vote" in results.text, results.text
    assert "Nothing" in embed_text(await ask(driver, "privacy show", mod, world))


async def test_every_member_id_column_is_claimed_by_exactly_one_feature(
    bot: KpopsBot, db: Database
) -> None:
    from_schema = await user_columns(bot.db)
    for hooks in (hooks_of_cogs(bot.cogs.values()), hooks_of_packages(db)):
        claimed = [c for h in hooks for c in h.user_columns]
        assert sorted(claimed) == sorted(from_schema), "a member-id column no feature deletes"


async def test_the_rule_catches_a_new_table(db: Database) -> None:
    await db.execute("CREATE TABLE fan_art (guild_id INTEGER, posted_by INTEGER, role_id INTEGER)")
    claimed = {c for h in hooks_of_packages(db) for c in h.user_columns}
    assert await user_columns(db) - claimed == {"fan_art.posted_by"}


async def test_only_the_caller_can_confirm_and_only_in_time(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await build_history(bot, driver, world, clock)
    await write_behind_now(bot)
    before = await snapshot(bot.db)
    confirm = (await ask(driver, "privacy delete", world.moderator, world)).message
    # Discord shows an ephemeral message to its member only; a modified client may still send a
    # click from someone else, as if the message were theirs.
    confirm.visible_to = None
    other = await driver.click(confirm, member=world.fan, label=render.CONFIRM_LABEL)
    assert other.ephemeral and other.text == render.NOT_YOURS
    clock.advance(seconds=CONFIRM_TTL.total_seconds() + 1)
    late = await driver.click(confirm, member=world.moderator, label=render.CONFIRM_LABEL)
    assert late.ephemeral and late.text == render.EXPIRED
    after = await snapshot(bot.db)
    assert after == before, diff(before, after)


@pytest.mark.parametrize(
    "forge",
    [
        lambda c, victim: c.replace(c.split(":")[3], str(victim)),  # someone else's data
        lambda c, victim: c.rsplit(":", 1)[0] + ":99999999999",  # far-future expiry
        lambda c, victim: c + "0",
        lambda c, victim: "privacy:delete",
    ],
)
async def test_forged_confirmations_delete_nothing(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock, forge: Any
) -> None:
    await build_history(bot, driver, world, clock)
    await write_behind_now(bot)
    before = await snapshot(bot.db)
    confirm = (await ask(driver, "privacy delete", world.fan, world)).message
    real = confirm.buttons()[0]["custom_id"]
    forged = forge(real, world.moderator.id)
    result = await driver.click(confirm, member=world.fan, custom_id=forged)
    assert result.ephemeral and "Nothing was deleted" in result.text
    assert await snapshot(bot.db) == before


# ---------------------------------------------------------------------- a moderator, for a member
async def test_a_moderator_deletes_a_member_who_left(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await build_history(bot, driver, world, clock)
    fan = world.fan
    refused = await ask(driver, "privacy delete", fan, world, member=world.owner)
    assert refused.ephemeral and "Only moderators" in refused.text
    del world.guild.members[fan.id]  # the fan left the server
    before_fan = await rows_naming(bot.db, fan.id)
    assert before_fan
    asked = await ask(driver, "privacy delete", world.owner, world, member=fan)
    assert asked.ephemeral and "this member" in asked.text
    done = await driver.click(asked.message, member=world.owner, label=render.CONFIRM_LABEL)
    assert done.response_type == 7 and render.DELETED_TITLE in done.text
    assert await rows_naming(bot.db, fan.id) == {}
    assert await rows_naming(bot.db, world.moderator.id)  # nobody else's


# ---------------------------------------------------------------------- servers that leave
async def guild_rows(db: Database, guild_id: int) -> int:
    shot = await snapshot(db, guild_id)
    return sum(
        len(rows)
        for table, rows in shot.items()
        if table not in ("poll_votes", "film_trivia_answers")
    )


async def test_a_server_is_forgotten_after_the_retention_and_only_it(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    other = build_world(driver, "Other Server")
    await until(lambda: bot.get_guild(other.guild.id) is not None)
    await build_history(bot, driver, world, clock)
    await ask(driver, "quote add", other.moderator, other, text="Elsewhere", speaker="Someone")
    await vote(driver, await start_poll(driver, other, other.moderator), other.fan, "kpop")
    await answer(driver, await trivia(driver, other, other.fan), other.fan, 1)
    await write_behind_now(bot)
    kept = await snapshot(bot.db, other.guild.id)
    # Votes and answers name no server: theirs are the rows of the other server's polls and questions.
    parents = {"poll_votes": "polls", "film_trivia_answers": "film_trivia_questions"}
    for child, parent in parents.items():
        ids = {row[0] for row in kept[parent]}
        kept[child] = [row for row in kept[child] if row[0] in ids]
        assert kept[child]
    driver.remove_guild(world.guild)
    config = ConfigStore(bot.db)
    await until(lambda: config.has_left(world.guild.id))
    cog = privacy_cog(bot)
    clock.advance(days=29, hours=23)
    assert await cog.purge_expired() == []
    assert await guild_rows(bot.db, world.guild.id) > 0
    clock.advance(hours=2)
    assert await cog.purge_expired() == [world.guild.id]
    assert await guild_rows(bot.db, world.guild.id) == 0
    for member in (world.moderator, world.fan, world.owner):
        assert await rows_naming(bot.db, member.id) == {}
    assert await snapshot(bot.db, other.guild.id) == kept
    if bot.db.engine == "sqlite":  # PostgreSQL checks every foreign key as rows change
        violations = await bot.db.fetchall("PRAGMA foreign_key_check")
        assert violations == []


async def test_an_outage_is_not_a_removal(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await build_history(bot, driver, world, clock)
    await write_behind_now(bot)
    before = await snapshot(bot.db, world.guild.id)
    driver.guild_outage(world.guild)
    await until(lambda: getattr(bot.get_guild(world.guild.id), "unavailable", False))
    await settle()  # every listener of the event has run
    assert not await ConfigStore(bot.db).has_left(world.guild.id)
    clock.advance(days=40)
    assert await privacy_cog(bot).purge_expired() == []
    assert await snapshot(bot.db, world.guild.id) == before


async def test_a_server_that_adds_the_bot_back_in_time_keeps_everything(
    bot: KpopsBot, driver: Driver, world: World, clock: ManualClock
) -> None:
    await build_history(bot, driver, world, clock)
    await write_behind_now(bot)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    driver.remove_guild(world.guild)
    config = ConfigStore(bot.db)
    await until(lambda: config.has_left(world.guild.id))
    clock.advance(days=20)
    # The bot is added back: the gateway's GUILD_CREATE for a new guild becomes on_guild_join.
    bot.dispatch("guild_join", guild)
    await until(lambda: _not(config.has_left(world.guild.id)))
    before = await snapshot(bot.db, world.guild.id)
    clock.advance(days=40)
    assert await privacy_cog(bot).purge_expired() == []
    after = await snapshot(bot.db, world.guild.id)
    assert after == before, diff(before, after)


async def _not(check: Awaitable[bool]) -> bool:
    return not await check


async def test_config_show_states_the_retention(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    shown = await ask(driver, "config show", world.owner, world)
    assert "30 days" in shown.text


async def test_help_links_the_privacy_policy(bot: KpopsBot, driver: Driver, world: World) -> None:
    shown = await ask(driver, "help", world.fan, world)
    assert "/privacy show" in shown.text and "PRIVACY.md" in shown.text
