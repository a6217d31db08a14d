"""The conversation-state interface (after aiogram's ``fsm/storage/base.py``)."""

from __future__ import annotations

from abc import ABC, abstractmethod


class StateStore(ABC):
    """Bytes per citizen key; the dialogs own the format (``Conversation.to_bytes``)."""

    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def set(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; most stores have none."""
