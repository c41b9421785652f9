"""Discord's platform rules in one place (API v10).

The bot uses these to stay inside what Discord accepts; the local emulator (bot.sandbox) uses the
same numbers to reject what Discord would reject. Sources: Discord developer documentation.
"""

from __future__ import annotations

# Interactions
INTERACTION_DEADLINE_SECONDS = 3.0  # initial response, else 404 Unknown interaction (10062)
INTERACTION_TOKEN_SECONDS = 15 * 60  # follow-ups and @original edits after the initial response
EPHEMERAL_FLAG = 1 << 6
AUTOCOMPLETE_MAX_CHOICES = 25
AUTOCOMPLETE_CHOICE_NAME_MAX = 100
AUTOCOMPLETE_CHOICE_VALUE_MAX = 100
STRING_OPTION_MAX = 6000  # what a client can type into one string option

# Messages
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
OLD_MESSAGE_SECONDS = 3600  # edits to messages older than this have a separate, lower cap (30046)

# Application commands
COMMAND_NAME_PATTERN = r"^[-_\w]{1,32}$"
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
OPTION_CHOICES_MAX = 25
GLOBAL_COMMANDS_MAX = 100

# Rate limits
GLOBAL_REQUESTS_PER_SECOND = 50

# Permission bits
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
ALL_PERMISSIONS = (1 << 50) - 1

# What the bot needs in a channel it posts to (also the invite link's permissions).
POSTING_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY

# Discord's epoch for snowflakes, in milliseconds since the Unix epoch.
DISCORD_EPOCH_MS = 1420070400000
