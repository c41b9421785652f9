"""Bot-wide bookkeeping: the hash of the last command sync."""

from __future__ import annotations

from bot.storage.database import Database


class MetaStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        row = await self.db.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def command_hash(self, scope: str) -> str | None:
        return await self.get(f"command_hash:{scope}")

    async def set_command_hash(self, scope: str, digest: str) -> None:
        await self.set(f"command_hash:{scope}", digest)
