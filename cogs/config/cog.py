"""/config: moderators set kpops-bot up for their server; the daily scheduler runs from here.

Every reply is ephemeral, every refusal changes nothing, and every change is logged (who, what,
when) for `/config show`. Replies follow the moderator's Discord language; the change log is a
record of the server, so its lines are written once, in the server's language. Gateway events keep the settings honest: a deleted channel is unset and a
server that removed the bot gets no more posts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as dt_time
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from bot import limits
from bot.checks import moderator_only
from bot.client import KpopsBot
from bot.daily import DAILY_FEATURES
from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Language, command_name, format_number, reply_locale, t
from bot.i18n.server import server_language
from bot.i18n.stored import shown
from bot.privacy import DELETED_MEMBER, PrivacyHooks
from bot.scheduler import (
    DailyScheduler,
    channel_gone_summary,
    local_today,
    missing_permissions,
    next_post_at,
    parse_post_time,
    permission_names,
    zone,
)
from bot.storage.config import FAILED, MISSED, ConfigStore, DailyPostStore, FeatureSettings
from bot.ui.style import BRAND, moment
from cogs.config import language as post_language
from cogs.config import timezones, weekly
from cogs.config.options import TimeOfDayOption, TimeZoneOption
from cogs.poll.render import channel_mention
from cogs.poll.weekly import WEEKDAYS
from cogs.poll.weekly_store import WeeklyStore

FEATURES = ("quote", "fact", "poll")
PROBLEM_WORDS = {FAILED: N_("failed"), MISSED: N_("missed")}
LABELS = {"quote": N_("Quote of the day"), "fact": N_("Daily fact"), "poll": N_("Listening polls")}
FEATURE_CHOICES = [Choice(name=LABELS[f], value=f) for f in FEATURES]
DAILY_CHOICES = [Choice(name=LABELS[f], value=f) for f in DAILY_FEATURES]
SCHEDULE_CHOICES = [*DAILY_CHOICES, Choice(name=LABELS["poll"], value="poll")]
SHOWN_INPUT_MAX = 40
RETENTION = N_(
    "If kpops-bot is removed from this server, its data here is deleted after {days} days "
    "(adding it back before then keeps everything). Members: {command}."
)
DELETED_ACTOR = N_("a member who deleted their data")
ON, OFF = N_("on"), N_("off")


def actor(actor_id: int | None, language: Language = ENGLISH) -> str:
    """Who made a change: kpops-bot itself, a member, or one whose id was deleted (/privacy)."""
    if actor_id is None:
        return "kpops-bot"
    return t(language, DELETED_ACTOR) if actor_id == DELETED_MEMBER else f"<@{actor_id}>"


def role_mention(role_id: int) -> str:
    return f"<@&{role_id}>"


def label(language: Language, feature: str) -> str:
    """A feature's name ("Daily fact") in ``language``."""
    name = LABELS[feature]  # an N_ constant: extracted above
    return t(language, name)


def state(language: Language, enabled: bool) -> str:
    word = ON if enabled else OFF
    return t(language, word)


class PostableChannel(app_commands.Transformer):
    """A text or announcement channel option, handed over unresolved so that a channel the bot
    cannot see gets a helpful reply instead of a conversion error."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Any:
        return value


class Config(commands.Cog):
    config = app_commands.Group(
        name="config",
        description="Set kpops-bot up for this server (moderators only).",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: KpopsBot) -> None:
        self.bot = bot
        self.store = ConfigStore(bot.db)
        self.ledger = DailyPostStore(bot.db)
        self.scheduler = DailyScheduler(bot)
        self.weekly_store = WeeklyStore(bot.db)

    def privacy_hooks(self) -> PrivacyHooks:
        return self.store

    async def cog_load(self) -> None:
        timezones.zone_index()  # build the search index now, not during a 3-second autocomplete
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    # ------------------------------------------------------------------ helpers
    def _guild(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        guild = interaction.guild
        if guild is None or not isinstance(guild, discord.Guild) or guild.me is None:
            raise UserFacingError(
                "kpops-bot is still loading this server's details; try again in a moment."
            )
        return guild

    async def _record_language(self, guild: discord.Guild) -> Language:
        """The language a change-log line is written in: the server's, like its public posts."""
        return await server_language(self.bot, guild)

    async def _record_change(
        self,
        guild: discord.Guild,
        actor_id: int,
        summary: Callable[[Language], str],
        *,
        at: datetime,
    ) -> None:
        """Log a member's change that the store does not log itself, ``summary`` written in the
        change log's language."""
        record = await self._record_language(guild)
        await self.store.record_change(guild.id, actor_id, summary(record), at=at)

    def _now(self) -> datetime:
        return self.bot.clock.now()

    async def _release_failed_today(self, guild_id: int, feature: str) -> bool:
        """After a fix, today's failed post may still go out (within the catch-up window)."""
        if feature not in DAILY_FEATURES:
            return False
        tz = await self.store.feature_timezone(guild_id, feature)
        today = local_today(self._now(), tz)
        released = False
        for day in (today - timedelta(days=1), today):
            released |= await self.ledger.release_failed(guild_id, feature, day)
        return released

    # ------------------------------------------------------------------ /config show
    @config.command(
        name="show", description="Show this server's kpops-bot settings, recent posts and changes."
    )
    @moderator_only()
    async def show(self, interaction: discord.Interaction[KpopsBot]) -> None:
        guild = self._guild(interaction)
        embed = await self.settings_embed(guild, reply_locale(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def settings_embed(
        self, guild: discord.Guild, language: Language = ENGLISH
    ) -> discord.Embed:
        title = t(language, "kpops-bot settings: {server}", server=guild.name)
        embed = discord.Embed(title=title[: limits.EMBED_TITLE_MAX], colour=BRAND)
        role_id = await self.store.mod_role(guild.id)
        if role_id:
            moderators = t(
                language,
                "Members with Manage Server or Administrator and members with {role}.",
                role=role_mention(role_id),
            )
        else:
            moderators = t(
                language,
                "Members with Manage Server or Administrator (no moderator role set: `{command}`).",
                command=command_name(language, "config modrole"),
            )
        embed.add_field(name=t(language, "Moderators"), value=moderators, inline=False)
        setting = await self.store.language(guild.id)
        embed.add_field(
            name=t(language, post_language.LANGUAGE_FIELD),
            value=post_language.describe_setting(language, setting, guild),
            inline=False,
        )
        settings = await self.store.features(guild.id, FEATURES)
        for feature in FEATURES:
            value = await self._feature_summary(guild, settings[feature], language)
            embed.add_field(
                name=t(
                    language,
                    "{feature} ({state})",
                    feature=label(language, feature),
                    state=state(language, settings[feature].enabled),
                ),
                value=value[: limits.EMBED_FIELD_VALUE_MAX],
                inline=False,
            )
        changes = await self.store.recent_changes(guild.id, 5)
        lines = [
            t(
                language,
                "{when} {who}: {change}",
                when=moment(c.changed_at),
                who=actor(c.actor_id, language),
                change=c.summary[:150],
            )
            for c in changes
        ]
        embed.add_field(
            name=t(language, "Recent changes"),
            value="\n".join(lines)[: limits.EMBED_FIELD_VALUE_MAX] or t(language, "None yet."),
            inline=False,
        )
        retention = t(
            language,
            RETENTION,
            days=format_number(language, self.bot.settings.guild_retention_days),
            command=command_name(language, "privacy show"),
        )
        embed.set_footer(text=retention)
        return embed

    async def _feature_summary(
        self, guild: discord.Guild, settings: FeatureSettings, language: Language = "en"
    ) -> str:
        lines: list[str] = []
        feature = settings.feature
        if settings.channel_id is None:
            lines.append(
                t(
                    language,
                    "Channel: not set (`{command}`)",
                    command=command_name(language, "config channel"),
                )
            )
        else:
            lines.append(
                t(language, "Channel: {channel}", channel=channel_mention(settings.channel_id))
            )
            channel = guild.get_channel(settings.channel_id)
            if channel is not None and guild.me is not None:
                missing = missing_permissions(channel, guild.me)
                if missing:
                    lines.append(
                        t(
                            language,
                            "⚠️ kpops-bot is missing {permissions} there",
                            permissions=permission_names(language, missing),
                        )
                    )
        if feature == "poll":
            lines += await weekly.summary_lines(
                language,
                weekly=await self.weekly_store.settings(guild.id),
                feature=settings,
                now=self._now(),
                store=self.weekly_store,
            )
        if feature not in DAILY_FEATURES:
            return "\n".join(lines)

        tz_name = settings.timezone or await self.store.timezone_name(guild.id)
        post_time = parse_post_time(settings.post_time or "")
        if post_time is None:
            lines.append(
                t(
                    language,
                    "Time: not set (`{command}`)",
                    command=command_name(language, "config schedule"),
                )
            )
        else:
            lines.append(t(language, "Time: {time} {zone}", time=settings.post_time, zone=tz_name))
        if feature not in self.bot.daily.builders:
            lines.append(t(language, "Not available: this feature is not loaded"))
        elif settings.enabled and settings.channel_id is not None and post_time is not None:
            tz = zone(tz_name)
            now = self._now()
            today = local_today(now, tz)
            taken = [
                day
                for day in (today + timedelta(days=d) for d in range(-1, 3))
                if await self.ledger.get(guild.id, feature, day) is not None
            ]
            upcoming = next_post_at(now, post_time, tz, settings.schedule_since, taken)
            lines.append(
                t(
                    language,
                    "Next post: {when} ({relative})",
                    when=moment(upcoming),
                    relative=moment(upcoming, "R"),
                )
            )

        last = await self.ledger.last_sent(guild.id, feature)
        if last is None or last.finished_at is None:
            lines.append(t(language, "Last post: none yet"))
        else:
            link = f"https://discord.com/channels/{guild.id}/{last.channel_id}/{last.message_id}"
            lines.append(
                t(
                    language,
                    "Last post: {when} ([message]({link}))",
                    when=moment(last.finished_at),
                    link=link,
                )
            )
        problem = await self.ledger.last_problem(guild.id, feature)
        if problem is not None:
            word = PROBLEM_WORDS.get(problem.status)
            when = problem.finished_at or problem.claimed_at
            lines.append(
                t(
                    language,
                    "Last problem: {when} {word}: {detail}",
                    when=moment(when),
                    word=t(language, word) if word else problem.status,
                    # The scheduler's record of what went wrong (bot.i18n.stored); a row from
                    # an older version is plain English, shown as it was written.
                    detail=shown(language, problem.detail)[:200],
                )
            )
        return "\n".join(lines)

    # ------------------------------------------------------------------ /config channel
    @config.command(name="channel", description="Choose the channel a feature posts in.")
    @app_commands.describe(
        feature="Which feature", channel="A text channel where kpops-bot can post"
    )
    @app_commands.choices(feature=FEATURE_CHOICES)
    @moderator_only()
    async def channel(
        self,
        interaction: discord.Interaction[KpopsBot],
        feature: Choice[str],
        channel: app_commands.Transform[discord.app_commands.AppCommandChannel, PostableChannel],
    ) -> None:
        guild = self._guild(interaction)
        reader = reply_locale(interaction)
        me = guild.me
        target = guild.get_channel(channel.id)
        if not isinstance(target, discord.TextChannel):
            raise UserFacingError(
                "kpops-bot cannot use that channel: pick a text channel it can see. "
                "Nothing was changed."
            )
        missing = missing_permissions(target, me)
        if missing:
            raise UserFacingError(
                "kpops-bot cannot post in {channel}: it is missing **{permissions}** there. Give "
                "kpops-bot's role View Channel, Send Messages and Embed Links in that channel "
                "(Edit Channel › Permissions), then run `{command}` again. "
                "Nothing was changed.",
                channel=target.mention,
                permissions=permission_names(reader, missing),
                command=command_name(reader, "config channel"),
            )
        name = feature.value
        current = await self.store.feature(guild.id, name)
        if current.channel_id != target.id:
            record = await self._record_language(guild)
            await self.store.set_channel(
                guild.id,
                name,
                target.id,
                actor_id=interaction.user.id,
                at=self._now(),
                summary=t(
                    record,
                    "{feature} channel set to {channel}",
                    feature=label(record, name),
                    channel=target.mention,
                ),
            )
        retried = await self._release_failed_today(guild.id, name)
        lines = [
            t(
                reader,
                "{feature} will post in {channel}.",
                feature=label(reader, name),
                channel=target.mention,
            )
        ]
        if name in DAILY_FEATURES and current.post_time is None:
            lines.append(
                t(
                    reader,
                    "Set its daily time with `{command}`.",
                    command=command_name(reader, "config schedule"),
                )
            )
        if not current.enabled:
            lines.append(switched_off(reader))
        if retried:
            lines.append(t(reader, "Today's failed post will be tried again within a minute."))
        await interaction.response.send_message(" ".join(lines), ephemeral=True)

    # ------------------------------------------------------------------ /config schedule
    @config.command(
        name="schedule",
        description="Set when a feature posts: daily time, or weekly day and time for the poll.",
    )
    @app_commands.describe(
        feature="Which feature",
        time="HH:MM on a 24-hour clock (09:00, 18:30) or a time such as 9am",
        timezone="IANA time zone such as Asia/Seoul: type a city, country or KST to search",
        day="The weekly poll's day (poll only)",
    )
    @app_commands.choices(feature=SCHEDULE_CHOICES, day=weekly.DAY_CHOICES)
    @moderator_only()
    async def schedule(
        self,
        interaction: discord.Interaction[KpopsBot],
        feature: Choice[str],
        time: app_commands.Transform[dt_time, TimeOfDayOption],
        timezone: app_commands.Transform[str, TimeZoneOption],
        day: Choice[str] | None = None,
    ) -> None:
        guild = self._guild(interaction)
        reader = reply_locale(interaction)
        name = feature.value
        if name == "poll":
            await self._schedule_weekly_poll(interaction, guild, time, timezone, day)
            return
        if day is not None:
            raise UserFacingError(
                "`{day}` is only for the weekly poll: {feature} posts every day. Nothing was "
                "changed.",
                day=command_name(reader, "day").removeprefix("/"),
                feature=label(reader, name),
            )
        post_time = time
        tz_name = timezone
        hhmm = post_time.strftime("%H:%M")
        now = self._now()
        record = await self._record_language(guild)
        await self.store.set_schedule(
            guild.id,
            name,
            hhmm,
            tz_name,
            actor_id=interaction.user.id,
            at=now,
            summary=t(
                record,
                "{feature} time set to {time} {zone}",
                feature=label(record, name),
                time=hhmm,
                zone=tz_name,
            ),
        )
        settings = await self.store.feature(guild.id, name)
        tz = zone(tz_name)
        today = local_today(now, tz)
        taken = [
            day
            for day in (today + timedelta(days=d) for d in range(-1, 3))
            if await self.ledger.get(guild.id, name, day) is not None
        ]
        upcoming = next_post_at(now, post_time, tz, settings.schedule_since, taken)
        lines = [
            t(
                reader,
                "{feature} will post every day at **{time} {zone}** ({offset} now).",
                feature=label(reader, name),
                time=hhmm,
                zone=tz_name,
                offset=timezones.utc_offset(tz_name, now),
            )
        ]
        if settings.channel_id is None:
            lines.append(weekly.choose_channel(reader))
        elif not settings.enabled:
            lines.append(switched_off(reader))
        else:
            lines.append(
                t(
                    reader,
                    "Next post: {when} ({relative}).",
                    when=moment(upcoming),
                    relative=moment(upcoming, "R"),
                )
            )
        await interaction.response.send_message(" ".join(lines), ephemeral=True)

    # ------------------------------------------------------------------ /config toggle
    @config.command(name="toggle", description="Switch a feature on or off for this server.")
    @app_commands.describe(feature="Which feature", enabled="On (True) or off (False)")
    @app_commands.choices(feature=FEATURE_CHOICES)
    @moderator_only()
    async def toggle(
        self, interaction: discord.Interaction[KpopsBot], feature: Choice[str], enabled: bool
    ) -> None:
        guild = self._guild(interaction)
        reader = reply_locale(interaction)
        name = feature.value
        current = await self.store.feature(guild.id, name)
        if current.enabled == enabled:
            already = (
                t(reader, "{feature} is already on.", feature=label(reader, name))
                if enabled
                else t(reader, "{feature} is already off.", feature=label(reader, name))
            )
            await interaction.response.send_message(already, ephemeral=True)
            return
        record = await self._record_language(guild)
        await self.store.set_enabled(
            guild.id,
            name,
            enabled,
            actor_id=interaction.user.id,
            at=self._now(),
            summary=(
                t(record, "{feature} switched on", feature=label(record, name))
                if enabled
                else t(record, "{feature} switched off", feature=label(record, name))
            ),
        )
        if enabled:
            text = t(reader, "{feature} is now on.", feature=label(reader, name))
        else:
            text = t(reader, "{feature} is now off.", feature=label(reader, name))
        if enabled and current.channel_id is None:
            text = t(
                reader,
                "{done} It has no channel yet: choose one with `{command}`.",
                done=text,
                command=command_name(reader, "config channel"),
            )
        await interaction.response.send_message(text, ephemeral=True)

    # ------------------------------------------------------------------ /config modrole
    @config.command(
        name="modrole",
        description="Set the role whose members may moderate kpops-bot (or clear it).",
    )
    @app_commands.describe(role="The moderator role; leave it out to clear it")
    @moderator_only()
    async def modrole(
        self, interaction: discord.Interaction[KpopsBot], role: discord.Role | None = None
    ) -> None:
        guild = self._guild(interaction)
        reader = reply_locale(interaction)
        current = await self.store.mod_role(guild.id)
        if role is None:
            if current is None:
                await interaction.response.send_message(
                    t(reader, "There is no moderator role to clear."), ephemeral=True
                )
                return
            record = await self._record_language(guild)
            await self.store.set_mod_role(
                guild.id,
                None,
                actor_id=interaction.user.id,
                at=self._now(),
                summary=t(record, "moderator role {role} cleared", role=role_mention(current)),
            )
            await interaction.response.send_message(
                t(
                    reader,
                    "Moderator role cleared: only members with Manage Server or Administrator "
                    "can use moderator commands now.",
                ),
                ephemeral=True,
            )
            return
        if role.is_default():
            raise UserFacingError(
                "@everyone cannot be the moderator role: that would let every member change "
                "kpops-bot's settings. Nothing was changed."
            )
        if role.managed:
            raise UserFacingError(
                "{role} belongs to a bot or integration, so no member can hold it. "
                "Pick a role you give to people. Nothing was changed.",
                role=role.mention,
            )
        if current != role.id:
            record = await self._record_language(guild)
            await self.store.set_mod_role(
                guild.id,
                role.id,
                actor_id=interaction.user.id,
                at=self._now(),
                summary=t(record, "moderator role set to {role}", role=role.mention),
            )
        text = t(
            reader,
            "Members with {role} can now use kpops-bot's moderator commands. Discord hides "
            "these commands from members without Manage Server unless a server admin allows "
            "the role in Server Settings › Integrations › kpops-bot.",
            role=role.mention,
        )
        await interaction.response.send_message(text, ephemeral=True)

    # ------------------------------------------------------------------ the weekly poll
    async def _schedule_weekly_poll(
        self,
        interaction: discord.Interaction[KpopsBot],
        guild: discord.Guild,
        post_time: dt_time,
        tz_name: str,
        day: Choice[str] | None,
    ) -> None:
        reader = reply_locale(interaction)
        if day is None:
            raise UserFacingError(
                "The weekly poll needs a `{day}` ({first} … {last}) as well as a time and a time "
                "zone. Nothing was changed.",
                day=command_name(reader, "day").removeprefix("/"),
                first=weekly.day_name(reader, 0),
                last=weekly.day_name(reader, 6),
            )
        weekday = WEEKDAYS.index(day.value)
        hhmm = post_time.strftime("%H:%M")
        now = self._now()
        await self.weekly_store.set_schedule(guild.id, weekday, hhmm, tz_name, at=now)
        await self._record_change(
            guild,
            interaction.user.id,
            lambda record: t(
                record,
                "Weekly poll set to {day} {time} {zone}",
                day=weekly.day_name(record, weekday),
                time=hhmm,
                zone=tz_name,
            ),
            at=now,
        )
        text = await weekly.schedule_reply(
            reader,
            weekly=await self.weekly_store.settings(guild.id),
            feature=await self.store.feature(guild.id, "poll"),
            now=now,
            store=self.weekly_store,
        )
        await interaction.response.send_message(text, ephemeral=True)

    @config.command(name="poll", description="Set how long the weekly listening poll stays open.")
    @app_commands.describe(length="Hours the weekly poll stays open, 1 to 168 (default 24)")
    @moderator_only()
    async def poll_length(
        self,
        interaction: discord.Interaction[KpopsBot],
        length: app_commands.Range[int, weekly.LENGTH_MIN, weekly.LENGTH_MAX],
    ) -> None:
        guild = self._guild(interaction)
        if not weekly.LENGTH_MIN <= length <= weekly.LENGTH_MAX:  # a modified client
            raise UserFacingError("The length is in hours, from 1 to 168. Nothing was changed.")
        current = await self.weekly_store.settings(guild.id)
        if current.length_hours != length:
            await self.weekly_store.set_length(guild.id, length)
            await self._record_change(
                guild,
                interaction.user.id,
                lambda record: t(
                    record,
                    "Weekly poll length set to {length}",
                    length=weekly.hours_phrase(record, length),
                ),
                at=self._now(),
            )
        text = await weekly.length_reply(
            reply_locale(interaction), length, await self.weekly_store.settings(guild.id)
        )
        await interaction.response.send_message(text, ephemeral=True)

    # ------------------------------------------------------------------ gateway events
    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        record = await self._record_language(guild)
        await self.store.mark_left(
            guild.id,
            at=self._now(),
            summary=t(record, "kpops-bot was removed from the server; daily posts stopped"),
        )

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        record = await self._record_language(guild)
        await self.store.mark_joined(
            guild.id,
            at=self._now(),
            summary=t(record, "kpops-bot was added back to the server; daily posts resume"),
        )

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        record = await self._record_language(channel.guild)
        gone = "#" + channel.name[:100]  # the name only: the channel is gone

        await self.store.detach_channel(
            channel.guild.id,
            channel.id,
            at=self._now(),
            describe=lambda features: channel_gone_summary(record, gone, features),
        )

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        """Record when kpops-bot loses or regains what it needs in a configured channel."""
        me = after.guild.me
        if me is None:
            return
        lacked, lacks = missing_permissions(before, me), missing_permissions(after, me)
        if bool(lacked) == bool(lacks):
            return
        features = await self.store.features_in_channel(after.guild.id, after.id)
        if not features:
            return
        record = await self._record_language(after.guild)
        names = ", ".join(label(record, f) if f in LABELS else f for f in features)
        if lacks:
            summary = t(
                record,
                "kpops-bot lost {permissions} in {channel} ({features} cannot post)",
                permissions=permission_names(record, lacks),
                channel=channel_mention(after.id),
                features=names,
            )
        else:
            summary = t(
                record,
                "kpops-bot can post in {channel} again ({features})",
                channel=channel_mention(after.id),
                features=names,
            )
            for feature in features:
                await self._release_failed_today(after.guild.id, feature)
        await self.store.record_change(after.guild.id, None, summary, at=self._now())

    # ------------------------------------------------------------------ /config language
    @config.command(
        name="language",
        description="Choose the language of this server's daily posts, polls and trivia.",
    )
    @app_commands.describe(
        value="auto follows the server's language in Discord (Server Settings › Community)"
    )
    @app_commands.choices(value=post_language.LANGUAGE_CHOICES)
    @app_commands.rename(value="language")  # the option's name in the command surface
    @moderator_only()
    async def language(self, interaction: discord.Interaction[KpopsBot], value: str) -> None:
        guild = self._guild(interaction)
        if not post_language.is_setting(value):  # only a modified client sends another value
            raise UserFacingError(post_language.NOT_A_SETTING)
        reader = reply_locale(interaction)
        if await self.store.language(guild.id) == value:
            text = post_language.unchanged_reply(reader, value, guild)
        else:
            await self.store.set_language(
                guild.id,
                value,
                actor_id=interaction.user.id,
                at=self._now(),
                summary=t(
                    await self._record_language(guild),
                    "public post language set to {setting}",
                    setting=value,
                ),
            )
            text = post_language.changed_reply(reader, value, guild)
        await interaction.response.send_message(text, ephemeral=True)


def switched_off(language: Language) -> str:
    return t(
        language,
        "It is switched off; turn it on with `{command}`.",
        command=command_name(language, "config toggle"),
    )
