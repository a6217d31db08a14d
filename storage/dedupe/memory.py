"""In-process dedupe with a TTL (one process only)."""

from __future__ import annotations

import time

from storage.dedupe.base import Deduper


class MemoryDeduper(Deduper):
    def __init__(self, ttl_s: int = 86400, max_entries: int = 200_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._seen: dict[tuple[str, str], tuple[float, bytes | None]] = {}

    def _expire(self, now: float) -> None:
        if len(self._seen) < self.max_entries:
            return
        for k in [k for k, (t, _) in self._seen.items() if now - t > self.ttl_s]:
            del self._seen[k]
        while len(self._seen) >= self.max_entries:  # oldest first: dicts keep insertion order
            del self._seen[next(iter(self._seen))]

    async def claim(self, channel: str, key: str) -> bool:
        now = time.monotonic()
        entry = self._seen.get((channel, key))
        if entry is not None and now - entry[0] <= self.ttl_s:
            return False
        self._expire(now)
        self._seen[(channel, key)] = (now, None)
        return True

    async def remember(self, channel: str, key: str, reply: bytes) -> None:
        t, _ = self._seen.get((channel, key), (time.monotonic(), None))
        self._seen[(channel, key)] = (t, reply)

    async def recall(self, channel: str, key: str) -> bytes | None:
        entry = self._seen.get((channel, key))
        return entry[1] if entry else None
