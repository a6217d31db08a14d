"""The dedupe interface: ``claim`` once, ``remember`` the reply, ``recall`` it for a retry."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Deduper(ABC):
    @abstractmethod
    async def claim(self, channel: str, key: str) -> bool:
        """True for the first delivery of ``key``; False for every later one within the TTL."""

    @abstractmethod
    async def remember(self, channel: str, key: str, reply: bytes) -> None:
        """Keep the reply given to the first delivery."""

    @abstractmethod
    async def recall(self, channel: str, key: str) -> bytes | None:
        """The reply of the first delivery, if it has finished."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; most implementations have none."""
