"""Per-user locks in Redis, so several ``minyi serve`` processes take turns on one citizen.

Redis locks are polled, so on their own they are exclusive but not fair. Waiters in the same
process therefore queue first on an in-process FIFO lock, and only the head of that queue
competes for the Redis lock: arrival order within a process, mutual exclusion across them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from storage import keys
from storage.locks.base import UserLocks
from storage.locks.memory import MemoryUserLocks


class RedisUserLocks(UserLocks):
    def __init__(self, redis: Redis, timeout_s: float = 30.0, wait_s: float = 10.0) -> None:
        self.redis = redis
        self.timeout_s = timeout_s  # a crashed holder's lock expires after this
        self.wait_s = wait_s
        self._local = MemoryUserLocks()

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        async with self._local.lock(key):
            lock = self.redis.lock(
                keys.lock(key), timeout=self.timeout_s, sleep=0.005, blocking_timeout=self.wait_s
            )
            async with lock:
                yield
