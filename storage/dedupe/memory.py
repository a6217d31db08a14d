"""In-process dedupe with a TTL (one process only: a claim dies with its process, so it needs
no lease)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from storage.dedupe.base import Deduper


@dataclass(slots=True)
class _Entry:
    at: float
    token: str | None  # while claimed
    reply: bytes | None = None  # once done
    failures: int = 0


class MemoryDeduper(Deduper):
    def __init__(self, ttl_s: int = 86400, max_entries: int = 200_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._seen: dict[tuple[str, str], _Entry] = {}

    def _expire(self, now: float) -> None:
        if len(self._seen) < self.max_entries:
            return
        for k in [k for k, e in self._seen.items() if now - e.at > self.ttl_s]:
            del self._seen[k]
        while len(self._seen) >= self.max_entries:  # oldest first: dicts keep insertion order
            del self._seen[next(iter(self._seen))]

    def _live(self, channel: str, key: str, now: float) -> _Entry | None:
        entry = self._seen.get((channel, key))
        return entry if entry is not None and now - entry.at <= self.ttl_s else None

    async def claim(self, channel: str, key: str) -> str | None:
        now = time.monotonic()
        entry = self._live(channel, key, now)
        if entry is not None and (entry.token is not None or entry.reply is not None):
            return None
        self._expire(now)
        token = secrets.token_hex(8)
        failures = entry.failures if entry is not None else 0
        self._seen[(channel, key)] = _Entry(now, token, None, failures)
        return token

    async def renew(self, channel: str, key: str, token: str) -> bool:
        entry = self._seen.get((channel, key))
        return entry is not None and entry.token == token

    async def release(self, channel: str, key: str, token: str) -> int:
        entry = self._seen.get((channel, key))
        if entry is None or entry.token != token:
            return 0
        entry.token, entry.failures = None, entry.failures + 1
        return entry.failures

    async def remember(self, channel: str, key: str, reply: bytes) -> None:
        entry = self._seen.get((channel, key))
        self._seen[(channel, key)] = _Entry(entry.at if entry else time.monotonic(), None, reply)

    async def recall(self, channel: str, key: str) -> bytes | None:
        entry = self._live(channel, key, time.monotonic())
        return entry.reply if entry else None
