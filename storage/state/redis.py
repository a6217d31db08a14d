"""State in Redis, shared by every process; idle conversations expire after ``ttl_s``."""

from __future__ import annotations

from redis.asyncio import Redis

from storage import keys
from storage.state.base import StateStore


class RedisStateStore(StateStore):
    def __init__(self, redis: Redis, ttl_s: int = 30 * 86400) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def get(self, key: str) -> bytes | None:
        value = await self.redis.get(keys.state(key))
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, data: bytes) -> None:
        await self.redis.set(keys.state(key), data, ex=self.ttl_s)

    async def delete(self, key: str) -> None:
        await self.redis.delete(keys.state(key))
