"""Writes that may wait a moment, gathered and written together: the last value per key, flushed
by a background task every ``every_s`` (one round trip for many citizens instead of one each).

Used where a late write can only make something look older, never wrong: a citizen's last
message time, WeChat's customer-service window. A reader that must see a pending write calls
``flush`` (or ``flush_key``) first; ``aclose`` flushes what is left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Batcher(Generic[K, V]):
    def __init__(self, write: Callable[[dict[K, V]], Awaitable[None]], every_s: float, what: str) -> None:
        self.write = write
        self.every_s = every_s
        self.what = what
        self._pending: dict[K, V] = {}
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def note(self, key: K, value: V) -> None:
        """Write ``value`` for ``key`` soon (a later note for the same key replaces it)."""
        self._pending[key] = value
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._later())

    def pending(self, key: K) -> bool:
        return key in self._pending

    async def flush_key(self, key: K) -> None:
        """Make sure a pending write for ``key`` is written before the caller reads it."""
        if key in self._pending:
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                await self.write(batch)
            except Exception:  # kept for the next flush (newer notes win)
                log.exception("%s: %d write(s) not flushed, retried later", self.what, len(batch))
                self._pending = {**batch, **self._pending}
                raise

    async def _later(self) -> None:
        while self._pending:
            await asyncio.sleep(self.every_s)
            try:
                await self.flush()
            except Exception:
                await asyncio.sleep(self.every_s)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
        try:
            await self.flush()
        except Exception:
            log.warning("%s: %d write(s) lost at shutdown", self.what, len(self._pending))
