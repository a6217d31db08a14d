"""The per-user lock interface (aiogram's ``BaseEventIsolation``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager


class UserLocks(ABC):
    @abstractmethod
    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold ``key`` exclusively for the ``async with`` block."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; most implementations have none."""
