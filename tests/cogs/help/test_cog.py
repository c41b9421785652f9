from bot.client import KpopsBot
from bot.sandbox import Driver
from tests.conftest import World


async def test_help_lists_every_registered_command(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await driver.invoke("help", member=world.fan, channel=world.general)
    assert result.ephemeral
    text = result.text
    registered = []
    for cmd in driver.registered(world.guild.id):
        subs = [o for o in cmd.get("options", []) if o["type"] == 1]
        registered += [f"/{cmd['name']} {s['name']}" for s in subs] or [f"/{cmd['name']}"]
    assert registered, "the bot registered no commands"
    for name in registered:
        assert name in text


async def test_help_flags_every_moderator_command(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await driver.invoke("help", member=world.fan, channel=world.general)
    lines = {line.split("`")[1]: line for line in result.text.splitlines() if line.startswith("`/")}
    for name in ("/quote add", "/quote remove", "/poll start", "/poll end", "/config show"):
        assert "🛡️" in lines[name], name
    for name in ("/help", "/quote today", "/film fact", "/influence artist"):
        assert "🛡️" not in lines[name], name


async def test_help_follows_changes_to_the_command_tree(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    from discord import app_commands

    first = await driver.invoke("help", member=world.fan, channel=world.general)
    assert "/encore" not in first.text

    async def encore(interaction) -> None:  # type: ignore[no-untyped-def]
        await interaction.response.send_message("again!")

    bot.tree.add_command(
        app_commands.Command(name="encore", description="One more song.", callback=encore)
    )
    await bot.sync_commands(force=False)
    again = await driver.invoke("help", member=world.fan, channel=world.general)
    assert "`/encore` — One more song." in again.text


async def test_help_lists_each_commands_options_marking_the_optional_ones(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    result = await driver.invoke("help", member=world.fan, channel=world.general)
    lines = {line.split("`")[1]: line for line in result.text.splitlines() if line.startswith("`/")}
    assert lines["/quote add"].startswith("`/quote add` text speaker [source] 🛡️ — ")
    assert lines["/film fact"].startswith("`/film fact` [topic] — ")
    assert lines["/quote search"].startswith("`/quote search` text — ")
    assert lines["/help"].startswith("`/help` — ")  # no options
    for cmd in driver.registered(world.guild.id):  # every registered option is named
        for sub in [o for o in cmd.get("options", []) if o["type"] == 1] or [cmd]:
            name = f"/{cmd['name']}" + (f" {sub['name']}" if sub is not cmd else "")
            for option in sub.get("options", []):
                shown = option["name"] if option.get("required") else f"[{option['name']}]"
                assert f" {shown}" in lines[name].split(" — ")[0], (name, shown)
    assert len(result.text) <= 6000


async def test_help_stays_within_discords_limits_however_many_commands(
    bot: KpopsBot, driver: Driver, world: World
) -> None:
    from discord import app_commands

    async def extra(interaction, words: str, more: str | None = None) -> None:  # type: ignore[no-untyped-def]
        await interaction.response.send_message("ok")

    for index in range(30):
        bot.tree.add_command(
            app_commands.Command(name=f"extra{index}", description="x" * 100, callback=extra)
        )
    await bot.sync_commands(force=False)
    result = await driver.invoke("help", member=world.fan, channel=world.general)
    embed = result.message.embeds[0]
    assert "`/extra29` words [more]" in result.text  # every command still listed
    total = (
        len(embed["title"])
        + len(embed["description"])
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    )
    assert total <= 6000 and len(embed["fields"]) <= 25
