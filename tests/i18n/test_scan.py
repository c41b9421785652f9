"""The source check that finds user-facing words bypassing the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot
import cogs
from bot.i18n.scan import scan_file, scan_source

BOT = Path(bot.__file__).parent

# Modules whose user-facing text all goes through the catalog. Phase 2 adds every module here.
CONVERTED = [
    *sorted((BOT / "i18n").glob("*.py")),
    *sorted(BOT.glob("*.py")),  # errors, checks, client, daily, scheduler, views ...
    *sorted((BOT / "ui").glob("*.py")),
    *sorted((BOT / "storage").glob("*.py")),
    BOT / "sandbox" / "repl.py",
    *(
        Path(cogs.__file__).parent / module
        for module in (
            "film/cog.py",
            "film/render.py",
            "film/logic.py",
            "quotes/cog.py",
            "quotes/render.py",
            "quotes/logic.py",
            "help/cog.py",
            "privacy/cog.py",
            "privacy/render.py",
        )
    ),
    *sorted((Path(cogs.__file__).parent / "influence").glob("*.py")),
    *sorted((Path(cogs.__file__).parent / "poll").glob("*.py")),
    *sorted((Path(cogs.__file__).parent / "config").glob("*.py")),
]


@pytest.mark.parametrize("path", CONVERTED, ids=lambda p: p.name)
def test_converted_modules_send_no_text_past_the_catalog(path: Path) -> None:
    assert scan_file(path) == []


@pytest.mark.parametrize(
    "source",
    [
        'await interaction.response.send_message("Poll closed.")',
        'await interaction.response.send_message(content="Poll closed.", ephemeral=True)',
        'await interaction.followup.send(f"Poll {title} closed.")',
        'await interaction.response.edit_message(content="Vote counted")',
        'await channel.send("Today: " + fact)',
        'await send_ephemeral(interaction, "Nope.")',
        'embed = discord.Embed(title="Settings", colour=COLOUR)',
        'embed = discord.Embed(description="투표가 끝났어요.")',
        'embed.add_field(name="Channel", value=channel.mention)',
        'embed.add_field(name=t(language, "Channel"), value=f"Posts at {when}")',
        'embed.set_footer(text="kpops-bot")',
        'button = discord.ui.Button(label="Vote")',
        'x = ok if flag else "Not allowed"\nawait interaction.response.send_message(ok if flag else "Not allowed")',
        'def choices():\n    return [Choice(name="Michael Jackson", value="mj")]',
        'TITLE = "Daily fact"\nasync def post():\n    await channel.send(TITLE)',
        'TITLE = N_("Daily fact")\nasync def post():\n    await channel.send(TITLE)',
        'await channel.send(N_("Daily fact"))',
        'raise UserFacingError(f"No fact about {topic}.")',
        'raise UserFacingError("No fact " + topic)',
        'NOPE = "Only moderators."\nraise UserFacingError(NOPE)',
        't(language, f"Hello {name}")',
        'tn(language, "{n} fact", "{n} fact" + "s", n)',
        'guild_id_of(interaction, "Servers only " + suffix)',
        'async def f():\n    text = f"{label} is on."\n    await channel.send(text)',
        'async def f():\n    lines = [t(language, "Saved.")]\n    lines.append("Run it again.")\n'
        '    await channel.send(" ".join(lines))',
        'async def f():\n    text = t(language, "Saved.")\n    text += " Done."\n    await channel.send(text)',
        'await channel.send("Poll {title} closed".format(title=title))',
    ],
)
def test_text_written_in_place_is_found(source: str) -> None:
    findings = scan_source(source)
    assert len(findings) == 1, findings


@pytest.mark.parametrize(
    "source",
    [
        'await interaction.response.send_message(t(language, "Poll closed."), ephemeral=True)',
        'await interaction.followup.send(tn(language, "{n} vote", "{n} votes", n))',
        "await interaction.response.send_message(embed=embed, view=view)",
        'await interaction.response.send_message(content=" — ")',  # no words: punctuation
        'embed.add_field(name=t(language, "Channel"), value=channel.mention)',
        'embed.set_footer(text=f"{index}/{total}")',  # numbers only
        'TITLE = N_("Daily fact")\nasync def post():\n    await channel.send(t(language, TITLE))',
        'raise UserFacingError("No fact about {topic}.", topic=topic)',
        "raise UserFacingError(NOT_FOUND)",
        'NOPE = N_("Only moderators.")\nraise UserFacingError(NOPE)',
        "guild_id_of(interaction, SERVERS_ONLY)",
        'CHOICES = [Choice(name="Quote of the day", value="quote")]',  # translated at sync
        '@app_commands.describe(topic="What the fact is about")\nasync def fact(): ...',
        '@app_commands.command(name="fact", description="A film fact")\nasync def fact(): ...',
        "await interaction.response.send_message(quote.text)",
    ],
)
def test_catalog_text_and_command_metadata_pass(source: str) -> None:
    assert scan_source(source) == []


def test_findings_name_the_place() -> None:
    (finding,) = scan_source('\n\nawait channel.send("Hi")', "cogs/film/cog.py")
    assert str(finding).startswith("cogs/film/cog.py:3: send(): text written in place")
