"""Choose the state, lock and dedupe backends once, from the settings (Redis or in-process)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, Redis

from storage import waits
from storage.config import Settings
from storage.dedupe import Deduper, MemoryDeduper, RedisDeduper
from storage.locks import MemoryUserLocks, RedisUserLocks, UserLocks
from storage.resp import Multiplexed
from storage.state import CachedStateStore, DatabaseStateStore, RedisStateStore, StateStore
from storage.turns import LockedTurns, RedisTurns, Turns
from storage.waits import MemoryWaits


@dataclass(slots=True)
class Backends:
    state: StateStore
    locks: UserLocks
    dedupe: Deduper
    redis: Redis | None = None
    turns: Turns | None = None  # defaults to ``locks`` + ``state``; Redis fuses them

    def __post_init__(self) -> None:
        if self.turns is None:
            self.turns = LockedTurns(self.locks, self.state, self.dedupe)

    async def close(self) -> None:
        await self.state.close()
        if isinstance(self.turns, RedisTurns) and self.turns.fast is not None:
            await self.turns.fast.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def redis_client(url: str, max_connections: int = 256) -> Redis:
    """One client per process. Its pool *waits* for a free connection when all are busy (the
    default pool raises ``MaxConnectionsError`` under load); timeouts are explicit. No periodic
    health check: it cost ~100 µs per command here, and a dropped connection is retried anyway."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=10, socket_timeout=5.0, socket_connect_timeout=3.0
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose() closes both


def build_backends(settings: Settings) -> Backends:
    if settings.redis_url:
        redis = redis_client(settings.redis_url)
        dedupe = RedisDeduper(redis, ttl_s=settings.dedupe_ttl_seconds)
        return Backends(
            state=RedisStateStore(redis, ttl_s=settings.state_ttl_days * 86400),
            locks=RedisUserLocks(redis, timeout_s=6.0),
            dedupe=dedupe,
            redis=redis,
            turns=RedisTurns(
                redis,
                state_ttl_s=settings.state_ttl_days * 86400,
                done_ttl_s=settings.dedupe_ttl_seconds,
                dedupe=dedupe,
                fast=Multiplexed(settings.redis_url),
            ),
        )
    state, locks = CachedStateStore(DatabaseStateStore()), MemoryUserLocks()
    memory_dedupe = MemoryDeduper(ttl_s=settings.dedupe_ttl_seconds)
    marks = waits.installed()
    memory = marks if isinstance(marks, MemoryWaits) else None
    turns = LockedTurns(locks, state, memory_dedupe, memory)
    return Backends(state, locks, memory_dedupe, turns=turns)
