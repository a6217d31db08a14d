"""Where the ``limits`` library keeps its counters: Redis (the app's connection pool, shared by
every process) when configured, else this process's memory."""

from __future__ import annotations

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from redis.asyncio import Redis

from storage import keys


def limiter_storage(redis: Redis | None, scope: str) -> Storage:
    """Counters under ``keys.ratelimit(scope)`` in Redis, or in memory without Redis."""
    if redis is not None:
        return RedisStorage(
            "async+redis://",
            implementation="redispy",
            key_prefix=keys.ratelimit(scope),
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]  # typed as scalars only
        )
    return MemoryStorage()
