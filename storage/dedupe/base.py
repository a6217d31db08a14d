"""The dedupe interface: a platform message is *claimed* for a short, renewable lease while its
step runs; the step ends by *remembering* its replies (done, for the TTL) or *releasing* the claim
(failed: the platform's retry runs the step again). A claim whose holder died lapses with its
lease, so a redelivery to another process takes the message over instead of being dropped."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Deduper(ABC):
    lease_s: float | None = None  # a claim lapses after this unless renewed (None: never, one process)

    @abstractmethod
    async def claim(self, channel: str, key: str) -> str | None:
        """A token for the first delivery of ``key`` (or after its holder's lease lapsed); None
        while someone holds it or once it is done."""

    @abstractmethod
    async def renew(self, channel: str, key: str, token: str) -> bool:
        """Extend our lease; False if it is no longer ours."""

    @abstractmethod
    async def release(self, channel: str, key: str, token: str) -> int:
        """Give up our claim after a failure; returns how many deliveries of ``key`` failed so far."""

    @abstractmethod
    async def remember(self, channel: str, key: str, reply: bytes) -> None:
        """Mark ``key`` done and keep the replies its retries get."""

    @abstractmethod
    async def recall(self, channel: str, key: str) -> bytes | None:
        """The remembered replies, once ``key`` is done."""

    async def once(self, channel: str, key: str) -> bool:
        """True the first time ``key`` is seen, then never again for the TTL (claim + done)."""
        if await self.claim(channel, key) is None:
            return False
        await self.remember(channel, key, b"")
        return True

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; most implementations have none."""
