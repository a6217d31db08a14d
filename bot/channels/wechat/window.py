"""The customer-service window: after a citizen's message the account may send ``quota``
customer-service messages within ``hours`` (5 in 48 h today; both configurable).

``opened`` is called for every citizen message (not for events: a menu click or a subscribe
does not open the 48-h window), ``reserve`` takes one message from the quota, ``can_send``
asks without taking. Redis when configured (shared with the notifier), this process otherwise.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime

from redis.asyncio import Redis

from storage import citizens, keys

_OPEN = """
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'used', 0)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
_RESERVE = """
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if not at or tonumber(ARGV[1]) - at >= tonumber(ARGV[2]) then return 0 end
local used = redis.call('HINCRBY', KEYS[1], 'used', 1)
if used > tonumber(ARGV[3]) then redis.call('HINCRBY', KEYS[1], 'used', -1) return 0 end
return 1
"""


class Window(ABC):
    def __init__(self, hours: int = 48, quota: int = 5, clock: Callable[[], float] = time.time) -> None:
        self.span_s = hours * 3600
        self.quota = quota
        self.clock = clock

    @abstractmethod
    async def opened(self, openid: str) -> None:
        """The citizen just wrote to us: a fresh window with a full quota."""

    @abstractmethod
    async def state(self, openid: str) -> tuple[float, int] | None:
        """``(opened_at, used)`` or None when no window is known."""

    @abstractmethod
    async def reserve(self, openid: str) -> bool:
        """Take one customer-service message from the quota; False when the window is shut."""

    @abstractmethod
    async def closed(self, openid: str) -> None:
        """Forget the window (the citizen unsubscribed)."""

    async def can_send(self, openid: str) -> bool:
        """Whether a customer-service message to ``openid`` is allowed now."""
        known = await self.state(openid)
        if known is None:
            return False
        at, used = known
        return self.clock() - at < self.span_s and used < self.quota


class MemoryWindow(Window):
    """One process only (a notifier in another process cannot see it: configure Redis)."""

    def __init__(self, hours: int = 48, quota: int = 5, clock: Callable[[], float] = time.time) -> None:
        super().__init__(hours, quota, clock)
        self._windows: dict[str, tuple[float, int]] = {}

    async def opened(self, openid: str) -> None:
        self._windows[openid] = (self.clock(), 0)

    async def state(self, openid: str) -> tuple[float, int] | None:
        return self._windows.get(openid)

    async def reserve(self, openid: str) -> bool:
        if not await self.can_send(openid):
            return False
        at, used = self._windows[openid]
        self._windows[openid] = (at, used + 1)
        return True

    async def closed(self, openid: str) -> None:
        self._windows.pop(openid, None)


class DatabaseWindow(Window):
    """Without Redis: ``Citizen.last_inbound_at``, and as ``used`` the larger of the outbox rows sent
    by customer service since then and this process's own reservations (a notice reserved here
    becomes such a row; reply overflow does not). Approximate across processes: WeChat's 45047
    (``QuotaExceeded``) is the backstop. With Redis, ``RedisWindow`` is exact."""

    VIA = "customer_service"

    def __init__(self, hours: int = 48, quota: int = 5, clock: Callable[[], float] = time.time) -> None:
        super().__init__(hours, quota, clock)
        self._reserved: dict[str, tuple[float, int]] = {}  # openid → (window opened at, reservations)

    async def opened(self, openid: str) -> None:
        self._reserved.pop(openid, None)
        await citizens.touch_inbound("wechat", openid, datetime.fromtimestamp(self.clock(), UTC), create=True)

    async def state(self, openid: str) -> tuple[float, int] | None:
        known = await citizens.inbound_window("wechat", openid, self.VIA)
        if known is None:
            return None
        at = known[0].timestamp()
        mine_at, mine = self._reserved.get(openid, (at, 0))
        return at, max(known[1], mine if mine_at == at else 0)

    async def reserve(self, openid: str) -> bool:
        known = await self.state(openid)
        if known is None or self.clock() - known[0] >= self.span_s or known[1] >= self.quota:
            return False
        self._reserved[openid] = (known[0], known[1] + 1)
        return True

    async def closed(self, openid: str) -> None:
        self._reserved.pop(openid, None)
        await citizens.forget_inbound("wechat", openid)


class RedisWindow(Window):
    """A hash per citizen (``at``, ``used``) that expires with the window.

    A citizen in a conversation writes every few seconds; renewing the window in Redis at most
    every ``refresh_s`` per process saves a round trip per message. The stored window is then at
    most ``refresh_s`` older than the truth: it shuts a little early, never late."""

    def __init__(
        self,
        redis: Redis,
        hours: int = 48,
        quota: int = 5,
        clock: Callable[[], float] = time.time,
        refresh_s: float = 30.0,
    ) -> None:
        super().__init__(hours, quota, clock)
        self.redis = redis
        self.refresh_s = refresh_s
        self._open = redis.register_script(_OPEN)
        self._reserve = redis.register_script(_RESERVE)
        self._renewed: dict[str, float] = {}

    async def opened(self, openid: str) -> None:
        now = self.clock()
        if now - self._renewed.get(openid, float("-inf")) < self.refresh_s:
            return
        if len(self._renewed) > 100_000:
            self._renewed.clear()
        await self._open(keys=[keys.wechat_window(openid)], args=[repr(now), self.span_s])
        self._renewed[openid] = now

    async def state(self, openid: str) -> tuple[float, int] | None:
        at, used = await self.redis.hmget(keys.wechat_window(openid), ["at", "used"])
        if at is None:
            return None
        return float(at), int(used or 0)

    async def reserve(self, openid: str) -> bool:
        key = keys.wechat_window(openid)
        return bool(await self._reserve(keys=[key], args=[repr(self.clock()), self.span_s, self.quota]))

    async def closed(self, openid: str) -> None:
        self._renewed.pop(openid, None)
        await self.redis.delete(keys.wechat_window(openid))
