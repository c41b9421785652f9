"""A local Discord API emulator, its test driver and the interactive sandbox.

``Driver`` is what tests use: it is the emulator (gateway + REST) plus calls that act as a user.
"""

from bot.sandbox.driver import CommandUsageError, Driver
from bot.sandbox.interactions import InteractionError, InteractionResult
from bot.sandbox.server import Emulator, Violation
from bot.sandbox.state import Channel, Guild, Member, Message, Role

__all__ = [
    "Channel",
    "CommandUsageError",
    "Driver",
    "Emulator",
    "Guild",
    "InteractionError",
    "InteractionResult",
    "Member",
    "Message",
    "Role",
    "Violation",
]
