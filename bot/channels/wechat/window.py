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

from storage import citizens, keys

CHANNEL = "wechat"
_OPEN = """
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'used', 0)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
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
    def __init__(self, hours: int = 48, quota: int = 5, clock: Callable[[], float] = time.time) -> None:
        self.span_s = hours * 3600
        self.quota = quota
        self.clock = clock

    async def opened(self, openid: str) -> None:
        """The citizen just wrote to us: a fresh window with a full quota.

        Every message renews it (WeChat grants a full quota after each citizen message): a renewal
        skipped to save a write would keep the slots of the earlier window spent, and hold the
        next notices."""
        await self._open(openid, self.clock())

    async def reserve(self, openid: str, last_ok: bool = True) -> bool:
        """Take one customer-service message; False when the window is shut or its quota spent
        (or only the last slot is left and ``last_ok`` is False)."""
        return await self._take(openid, self.clock(), self.quota if last_ok else self.quota - 1)

    async def shut(self, openid: str) -> None:
        await self._shut(openid)

    @abstractmethod
    async def _open(self, openid: str, now: float) -> None: ...

    @abstractmethod
    async def _take(self, openid: str, now: float, below: int) -> bool: ...

    @abstractmethod
    async def refund(self, openid: str) -> None:
        """A reserved message was not sent after all."""

    @abstractmethod
    async def _shut(self, openid: str) -> None: ...

    @abstractmethod
    async def state(self, openid: str) -> tuple[float, int] | None:
        """``(opened_at, used)`` or None when no window is known."""


class MemoryWindow(Window):
    """One process only (tests)."""

    def __init__(self, hours: int = 48, quota: int = 5, clock: Callable[[], float] = time.time) -> None:
        super().__init__(hours, quota, clock)
        self._windows: dict[str, tuple[float, int]] = {}

    async def _open(self, openid: str, now: float) -> None:
        self._windows[openid] = (now, 0)

    async def _take(self, openid: str, now: float, below: int) -> bool:
        at, used = self._windows.get(openid, (float("-inf"), 0))
        if now - at >= self.span_s or used >= below:
            return False
        self._windows[openid] = (at, used + 1)
        return True

    async def refund(self, openid: str) -> None:
        if openid in self._windows:
            at, used = self._windows[openid]
            self._windows[openid] = (at, max(0, used - 1))

    async def _shut(self, openid: str) -> None:
        self._windows.pop(openid, None)

    async def state(self, openid: str) -> tuple[float, int] | None:
        return self._windows.get(openid)


class DatabaseWindow(Window):
    """On the citizen's row (``window_opened_at``, ``window_sent``): one counter per window."""

    async def _open(self, openid: str, now: float) -> None:
        await citizens.open_window(CHANNEL, openid, datetime.fromtimestamp(now, UTC))

    async def _take(self, openid: str, now: float, below: int) -> bool:
        opened_after = datetime.fromtimestamp(now - self.span_s, UTC)
        return await citizens.take_window_slot(CHANNEL, openid, opened_after, below)

    async def refund(self, openid: str) -> None:
        await citizens.give_window_slot(CHANNEL, openid)

    async def _shut(self, openid: str) -> None:
        await citizens.shut_window(CHANNEL, openid)

    async def state(self, openid: str) -> tuple[float, int] | None:
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
    ) -> None:
        super().__init__(hours, quota, clock)
        self.redis = redis
        self._open_script = redis.register_script(_OPEN)
        self._reserve = redis.register_script(_RESERVE)
        self._refund = redis.register_script(_REFUND)

    async def _open(self, openid: str, now: float) -> None:
        await self._open_script(keys=[keys.wechat_window(openid)], args=[repr(now), self.span_s])

    async def _take(self, openid: str, now: float, below: int) -> bool:
        key = keys.wechat_window(openid)
        return bool(await self._reserve(keys=[key], args=[repr(now), self.span_s, below]))

    async def refund(self, openid: str) -> None:
        await self._refund(keys=[keys.wechat_window(openid)])

    async def _shut(self, openid: str) -> None:
        await self.redis.delete(keys.wechat_window(openid))

    async def state(self, openid: str) -> tuple[float, int] | None:
        at, used = await self.redis.hmget(keys.wechat_window(openid), ["at", "used"])
        if at is None:
            return None
        return float(at), int(used or 0)
