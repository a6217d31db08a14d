"""The customer-service window, counted once, here: after a citizen's message the account may send
``quota`` customer-service messages within ``hours`` (5 in 48 h today; both configurable).

``opened`` is called for every citizen message (not for events: a menu click or a subscribe
does not open the 48-h window); ``reserve`` takes one message from the quota — the passive
reply's overflow and the notifier's notices alike — and ``refund`` gives it back when the send
failed; ``shut`` believes the platform when it says the window is closed. The last slot can be
kept back (``last_ok=False``) for a more important message that waits.

One store for every process that sends: Redis when configured, else the citizen's row in the
database (a separate ``minyi notifier`` on SQLite sees what ``minyi serve`` opened).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime

from redis.asyncio import Redis
from tortoise.transactions import in_transaction

from storage import citizens, keys
from storage.batch import Batcher

CHANNEL = "wechat"
_OPEN_ALL = """
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'at', ARGV[i + 1], 'used', 0)
  redis.call('EXPIRE', key, ARGV[1])
end
return #KEYS
"""
_RESERVE = """
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if not at or tonumber(ARGV[1]) - at >= tonumber(ARGV[2]) then return 0 end
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
if used >= tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'used', 1)
return 1
"""
_REFUND = """
if tonumber(redis.call('HGET', KEYS[1], 'used') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'used', -1)
end
return 1
"""


class Window(ABC):
    def __init__(
        self,
        hours: int = 48,
        quota: int = 5,
        clock: Callable[[], float] = time.time,
        batch_s: float = 0.2,
    ) -> None:
        self.span_s = hours * 3600
        self.quota = quota
        self.clock = clock
        self._opens: Batcher[str, float] = Batcher(self._open_many, batch_s, "wechat window")

    async def opened(self, openid: str) -> None:
        """The citizen just wrote to us: a fresh window with a full quota.

        Every message renews it (WeChat grants a full quota after each citizen message): a renewal
        skipped to save a write would keep the slots of the earlier window spent, and hold the
        next notices. Renewals are written in batches (every ``batch_s``, many citizens in one
        round trip); this process reads its own pending renewal first, another process sees it
        at most ``batch_s`` late (a window that looks shut a moment longer holds a notice for
        the next reply; it is never sent outside the window)."""
        self._opens.note(openid, self.clock())

    async def reserve(self, openid: str, last_ok: bool = True) -> bool:
        """Take one customer-service message; False when the window is shut or its quota spent
        (or only the last slot is left and ``last_ok`` is False)."""
        await self._opens.flush_key(openid)
        return await self._take(openid, self.clock(), self.quota if last_ok else self.quota - 1)

    async def shut(self, openid: str) -> None:
        await self._opens.flush_key(openid)
        await self._shut(openid)

    async def refund(self, openid: str) -> None:
        """A reserved message was not sent after all."""
        await self._refund(openid)

    async def state(self, openid: str) -> tuple[float, int] | None:
        """``(opened_at, used)`` or None when no window is known."""
        await self._opens.flush_key(openid)
        return await self._state(openid)

    async def flush(self) -> None:
        """Write the pending renewals now (the batch's own task does it every ``batch_s``)."""
        await self._opens.flush()

    async def aclose(self) -> None:
        """Write the renewals still pending (at shutdown)."""
        await self._opens.aclose()

    async def _open_many(self, opens: dict[str, float]) -> None:
        for openid, now in opens.items():
            await self._open(openid, now)

    @abstractmethod
    async def _open(self, openid: str, now: float) -> None: ...

    @abstractmethod
    async def _take(self, openid: str, now: float, below: int) -> bool: ...

    @abstractmethod
    async def _refund(self, openid: str) -> None: ...

    @abstractmethod
    async def _shut(self, openid: str) -> None: ...

    @abstractmethod
    async def _state(self, openid: str) -> tuple[float, int] | None: ...


class MemoryWindow(Window):
    """One process only (tests)."""

    def __init__(
        self, hours: int = 48, quota: int = 5, clock: Callable[[], float] = time.time, batch_s: float = 0.2
    ) -> None:
        super().__init__(hours, quota, clock, batch_s)
        self._windows: dict[str, tuple[float, int]] = {}

    async def _open(self, openid: str, now: float) -> None:
        self._windows[openid] = (now, 0)

    async def _take(self, openid: str, now: float, below: int) -> bool:
        at, used = self._windows.get(openid, (float("-inf"), 0))
        if now - at >= self.span_s or used >= below:
            return False
        self._windows[openid] = (at, used + 1)
        return True

    async def _refund(self, openid: str) -> None:
        if openid in self._windows:
            at, used = self._windows[openid]
            self._windows[openid] = (at, max(0, used - 1))

    async def _shut(self, openid: str) -> None:
        self._windows.pop(openid, None)

    async def _state(self, openid: str) -> tuple[float, int] | None:
        return self._windows.get(openid)


class DatabaseWindow(Window):
    """On the citizen's row (``window_opened_at``, ``window_sent``): one counter per window."""

    async def _open(self, openid: str, now: float) -> None:
        await citizens.open_window(CHANNEL, openid, datetime.fromtimestamp(now, UTC))

    async def _open_many(self, opens: dict[str, float]) -> None:
        """Every renewal of a batch in one transaction."""
        async with in_transaction():
            for openid, now in opens.items():
                await self._open(openid, now)

    async def _take(self, openid: str, now: float, below: int) -> bool:
        opened_after = datetime.fromtimestamp(now - self.span_s, UTC)
        return await citizens.take_window_slot(CHANNEL, openid, opened_after, below)

    async def _refund(self, openid: str) -> None:
        await citizens.give_window_slot(CHANNEL, openid)

    async def _shut(self, openid: str) -> None:
        await citizens.shut_window(CHANNEL, openid)

    async def _state(self, openid: str) -> tuple[float, int] | None:
        known = await citizens.window_of(CHANNEL, openid)
        return (known[0].timestamp(), known[1]) if known else None


class RedisWindow(Window):
    """A hash per citizen (``at``, ``used``) that expires with the window."""

    def __init__(
        self,
        redis: Redis,
        hours: int = 48,
        quota: int = 5,
        clock: Callable[[], float] = time.time,
        batch_s: float = 0.2,
    ) -> None:
        super().__init__(hours, quota, clock, batch_s)
        self.redis = redis
        self._reserve = redis.register_script(_RESERVE)
        self._refund_script = redis.register_script(_REFUND)
        self._open_all = redis.register_script(_OPEN_ALL)

    async def _open(self, openid: str, now: float) -> None:
        await self._open_many({openid: now})

    async def _open_many(self, opens: dict[str, float]) -> None:
        """Every renewal of a batch in one call."""
        names = [keys.wechat_window(openid) for openid in opens]
        await self._open_all(keys=names, args=[self.span_s, *(repr(now) for now in opens.values())])

    async def _take(self, openid: str, now: float, below: int) -> bool:
        key = keys.wechat_window(openid)
        return bool(await self._reserve(keys=[key], args=[repr(now), self.span_s, below]))

    async def _refund(self, openid: str) -> None:
        await self._refund_script(keys=[keys.wechat_window(openid)])

    async def _shut(self, openid: str) -> None:
        await self.redis.delete(keys.wechat_window(openid))

    async def _state(self, openid: str) -> tuple[float, int] | None:
        at, used = await self.redis.hmget(keys.wechat_window(openid), ["at", "used"])
        if at is None:
            return None
        return float(at), int(used or 0)
