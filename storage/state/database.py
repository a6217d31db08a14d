"""State in the database: the embedded default, so a half-filled draft survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import ConversationState
from storage.state.base import StateStore


class DatabaseStateStore(StateStore):
    async def get(self, key: str) -> bytes | None:
        row = await ConversationState.filter(key=key).first()
        return row.data.encode() if row else None

    async def set(self, key: str, data: bytes) -> None:
        """One statement for a citizen seen before (an update), two for a new one."""
        now = datetime.now(UTC)
        if not await ConversationState.filter(key=key).update(data=data.decode(), updated_at=now):
            await ConversationState.update_or_create(defaults={"data": data.decode()}, key=key)

    async def delete(self, key: str) -> None:
        await ConversationState.filter(key=key).delete()
