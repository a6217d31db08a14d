"""Per-user locks in Redis, so several ``minyi serve`` processes take turns on one citizen.

A lock is ``SET key token NX PX timeout``; release deletes it only if the token is still ours
(one registered Lua script). Redis locks are polled, so on their own they are exclusive but not
fair: waiters in one process therefore queue first on an in-process FIFO lock, and only the
head of that queue competes in Redis. Arrival order within a process, exclusion across them.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from redis.asyncio import Redis

from storage import keys
from storage.locks.base import UserLocks
from storage.locks.memory import MemoryUserLocks

T = TypeVar("T")
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class LockTimeout(TimeoutError):
    """Another process held the citizen's lock for longer than we may wait."""


class RedisUserLocks(UserLocks):
    def __init__(self, redis: Redis, timeout_s: float = 30.0, wait_s: float = 10.0) -> None:
        self.redis = redis
        self.timeout_ms = int(timeout_s * 1000)  # a crashed holder's lock expires after this
        self.wait_s = wait_s
        self._local = MemoryUserLocks()
        self._release = redis.register_script(_RELEASE)

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        async with self._local.lock(key):
            name, token = keys.lock(key), secrets.token_hex(8)
            await self._acquire(name, token)
            try:
                yield
            finally:
                await self._release(keys=[name], args=[token])

    async def _acquire(self, name: str, token: str) -> None:
        await retry_until(lambda: self.redis.set(name, token, nx=True, px=self.timeout_ms), self.wait_s, name)


async def retry_until(attempt: Callable[[], Awaitable[T | None]], wait_s: float, name: str) -> T:
    """Call ``attempt`` until it returns something truthy, backing off from 2 to 50 ms; after
    ``wait_s`` raise ``LockTimeout``. Redis locks are polled: this is the poll."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + wait_s, 0.002
    while True:
        got = await attempt()
        if got:
            return got
        if loop.time() >= deadline:
            raise LockTimeout(f"lock {name} busy for {wait_s}s")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)
