"""Choose the state, lock and dedupe backends once, from the settings (Redis or in-process)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from storage.config import Settings
from storage.dedupe import Deduper, MemoryDeduper, RedisDeduper
from storage.locks import MemoryUserLocks, RedisUserLocks, UserLocks
from storage.state import DatabaseStateStore, RedisStateStore, StateStore


@dataclass(slots=True)
class Backends:
    state: StateStore
    locks: UserLocks
    dedupe: Deduper
    redis: Redis | None = None

    async def close(self) -> None:
        await self.state.close()
        if self.redis is not None:
            await self.redis.aclose()


def redis_client(url: str) -> Redis:
    """One client (and pool) per process; socket timeout explicit (redis-py 8 defaults to 5 s)."""
    return Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=3.0, health_check_interval=30)


def build_backends(settings: Settings) -> Backends:
    if settings.redis_url:
        redis = redis_client(settings.redis_url)
        return Backends(
            state=RedisStateStore(redis, ttl_s=settings.state_ttl_days * 86400),
            locks=RedisUserLocks(redis),
            dedupe=RedisDeduper(redis, ttl_s=settings.dedupe_ttl_seconds),
            redis=redis,
        )
    return Backends(
        state=DatabaseStateStore(),
        locks=MemoryUserLocks(),
        dedupe=MemoryDeduper(ttl_s=settings.dedupe_ttl_seconds),
    )
