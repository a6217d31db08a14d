"""The access token: fetched from ``/cgi-bin/stable_token``, cached, refreshed by one caller at a time.

With Redis every process shares one token and one refresher (a Redis lock); without it the
token lives in this process behind an ``asyncio.Lock``. ``refresh(stale=...)`` refreshes only
if the stored token is still the one that failed, so a burst of 40001s costs one refresh.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from storage import keys

Fetch = Callable[[bool], Awaitable[tuple[str, int]]]  # force_refresh → (token, expires_in)
EARLY_S = 120  # stop using a token this long before WeChat says it expires


class TokenStore(ABC):
    @abstractmethod
    async def get(self) -> str | None:
        """The cached token, if still fresh."""

    @abstractmethod
    async def refresh(self, fetch: Fetch, stale: str | None = None) -> str:
        """A fresh token: fetched under the lock unless someone else already replaced ``stale``."""


class MemoryTokenStore(TokenStore):
    def __init__(self) -> None:
        self._token: str | None = None
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str | None:
        return self._token if self._token and time.monotonic() < self._until else None

    async def refresh(self, fetch: Fetch, stale: str | None = None) -> str:
        async with self._lock:
            current = await self.get()
            if current is not None and current != stale:
                return current
            token, expires_in = await fetch(stale is not None)
            self._token, self._until = token, time.monotonic() + max(expires_in - EARLY_S, 30)
            return token


class RedisTokenStore(TokenStore):
    def __init__(self, redis: Redis, appid: str, lock_timeout_s: float = 30.0) -> None:
        self.redis = redis
        self.key = keys.wechat_token(appid)
        self.lock_key = keys.wechat_token_lock(appid)
        self.lock_timeout_s = lock_timeout_s

    async def get(self) -> str | None:
        value = await self.redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    async def refresh(self, fetch: Fetch, stale: str | None = None) -> str:
        lock = self.redis.lock(
            self.lock_key, timeout=self.lock_timeout_s, blocking_timeout=self.lock_timeout_s, sleep=0.02
        )
        async with lock:
            current = await self.get()
            if current is not None and current != stale:
                return current
            token, expires_in = await fetch(stale is not None)
            await self.redis.set(self.key, token, ex=max(expires_in - EARLY_S, 30))
            return token
