"""Dedupe in Redis, across processes. One key per message: the claimant's token with a short
``PX`` lease while its step runs (renewed by the step), then ``done`` for the TTL beside the
replies. A crashed claimant's lease lapses in seconds and the platform's redelivery takes over."""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

from storage import keys
from storage.dedupe.base import Deduper

DONE = b"done"
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
local n = redis.call('incr', KEYS[2])
redis.call('expire', KEYS[2], ARGV[2])
return n
"""


class RedisDeduper(Deduper):
    def __init__(self, redis: Redis, ttl_s: int = 86400, lease_s: float = 6.0) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self.lease_ms = int(lease_s * 1000)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    async def claim(self, channel: str, key: str) -> str | None:
        token = secrets.token_hex(8)
        got = await self.redis.set(keys.dedupe(channel, key), token, nx=True, px=self.lease_ms)
        return token if got else None

    async def renew(self, channel: str, key: str, token: str) -> bool:
        return bool(await self._renew(keys=[keys.dedupe(channel, key)], args=[token, self.lease_ms]))

    async def release(self, channel: str, key: str, token: str) -> int:
        names = [keys.dedupe(channel, key), keys.dedupe_failures(channel, key)]
        return int(await self._release(keys=names, args=[token, 3600]))

    async def remember(self, channel: str, key: str, reply: bytes) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.dedupe(channel, key), DONE, ex=self.ttl_s)
            pipe.set(keys.dedupe_reply(channel, key), reply, ex=self.ttl_s)
            await pipe.execute()

    async def recall(self, channel: str, key: str) -> bytes | None:
        value = await self.redis.get(keys.dedupe_reply(channel, key))
        return value.encode() if isinstance(value, str) else value

    async def once(self, channel: str, key: str) -> bool:
        return bool(await self.redis.set(keys.dedupe(channel, key), DONE, nx=True, ex=self.ttl_s))
