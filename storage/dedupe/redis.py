"""Dedupe in Redis: ``SET NX EX`` claims atomically across processes."""

from __future__ import annotations

from redis.asyncio import Redis

from storage import keys
from storage.dedupe.base import Deduper


class RedisDeduper(Deduper):
    def __init__(self, redis: Redis, ttl_s: int = 86400) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def claim(self, channel: str, key: str) -> bool:
        return bool(await self.redis.set(keys.dedupe(channel, key), b"1", nx=True, ex=self.ttl_s))

    async def remember(self, channel: str, key: str, reply: bytes) -> None:
        await self.redis.set(keys.dedupe_reply(channel, key), reply, ex=self.ttl_s)

    async def recall(self, channel: str, key: str) -> bytes | None:
        value = await self.redis.get(keys.dedupe_reply(channel, key))
        return value.encode() if isinstance(value, str) else value
