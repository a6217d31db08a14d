"""Replay guard: a signed ``timestamp``+``nonce`` pair is good for one request body.

WeChat's signature over ``token``/``timestamp``/``nonce`` does not cover a plaintext body, so a
pair read off a log could carry any body within the clock-skew window. Each pair is remembered
with a fingerprint of what it carried: the same pair with the same content again is WeChat
retrying a push it got no answer to (let through: the dedupe answers it), with other content it
is a replay (refused). Whether the platform's retries reuse the pair or sign anew, both pass.

Across processes the store is Redis (``SET NX EX``); without Redis it is a bounded in-process map.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from storage import keys
from storage.turns import Guard

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """The store cannot answer (Redis down): the request is neither accepted nor refused."""


def fingerprint(content: bytes | str) -> str:
    """A short digest of what a pair carried (the plaintext XML, or ``GET`` and the echostr)."""
    raw = content.encode() if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()[:32]


def _pair(timestamp: str, nonce: str) -> str:
    return hashlib.sha256(f"{timestamp}\x00{nonce}".encode()).hexdigest()[:32]


class Replays(Protocol):
    async def admit(self, timestamp: str, nonce: str, fingerprint: str, ttl_s: int) -> bool:
        """True when the pair is new (now remembered for ``ttl_s``) or came with this fingerprint."""
        ...


class MemoryReplays:
    """One process's pairs; the oldest are forgotten beyond ``max_pairs`` (memory stays bounded)."""

    def __init__(self, max_pairs: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_pairs = max_pairs
        self.clock = clock
        self._seen: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._warned = False

    async def admit(self, timestamp: str, nonce: str, fingerprint: str, ttl_s: int) -> bool:
        now, pair = self.clock(), _pair(timestamp, nonce)
        self._forget_expired(now)
        seen = self._seen.get(pair)
        if seen is not None and seen[0] > now:
            return seen[1] == fingerprint
        self._seen[pair] = (now + ttl_s, fingerprint)
        self._seen.move_to_end(pair)
        while len(self._seen) > self.max_pairs:
            self._seen.popitem(last=False)
            if not self._warned:
                self._warned = True
                log.warning("wechat: over %d signed requests in the window, oldest forgotten", self.max_pairs)
        return True

    def _forget_expired(self, now: float) -> None:
        while self._seen:
            pair, (expires, _) = next(iter(self._seen.items()))
            if expires > now:
                return
            del self._seen[pair]


class RedisReplays:
    """Every process's pairs, in Redis: ``SET NX EX``, and on a clash the stored fingerprint.
    For a message step the same check rides in the call that claims the message (``guard``)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def guard(self, timestamp: str, nonce: str, fingerprint: str, ttl_s: int) -> Guard:
        """``admit`` as a ``Guard``, checked by the turn's first call (no round trip of its own)."""
        return Guard(keys.wechat_replay(_pair(timestamp, nonce)), fingerprint, ttl_s)

    async def admit(self, timestamp: str, nonce: str, fingerprint: str, ttl_s: int) -> bool:
        key = keys.wechat_replay(_pair(timestamp, nonce))
        try:
            if await self.redis.set(key, fingerprint.encode(), nx=True, ex=ttl_s):
                return True
            stored = await self.redis.get(key)
        except (RedisError, OSError) as exc:
            raise Unavailable(f"Redis: {exc}") from exc
        # None: expired in between, which happens only after the timestamp went stale: refuse
        if isinstance(stored, bytes):
            stored = stored.decode()
        return stored == fingerprint
