"""Rendered public pages kept in this process's memory, so that a front page under load costs no
database query per request.

How a page stays fresh after a staff change (exact):

- Every change staff make to an item (publish, adopt, showcase, 金点子…) writes an audit event
  (``ItemEvent``) in the same transaction, and every campaign or department added or closed writes
  a ``StaffEvent``. ``version`` (``storage.public.version``) reads the largest id of both: two
  ``MAX(id)`` queries on primary keys.
- The cache reads that version at most once every ``check_every`` seconds (1 s by default),
  whatever the number of requests (concurrent requests share one read). When it differs from
  the version the pages were rendered at, every page is dropped.
- A page is also dropped ``ttl`` seconds (30 s by default) after it was rendered, whatever the
  version: the backstop for a change that writes no event (a database edited by hand).

So after a staff change, every process shows it at the latest ``check_every`` seconds later (plus
the time to render); between two checks, requests cost no query at all. Concurrent misses of one
page render it once (one lock per page). A page whose rendering overlapped a version change is
served to its request but not kept (it may have read the rows before the change). At most
``max_entries`` pages are kept. Each process has its own cache: nothing is shared, the database
is the truth and the version is read from it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
Loader = Callable[[], Awaitable[T]]


@dataclass(slots=True)
class _Entry(Generic[T]):
    value: T
    at: float


class PageCache(Generic[T]):
    def __init__(
        self,
        version: Callable[[], Awaitable[Hashable]],
        *,
        ttl: float = 30.0,
        check_every: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 2000,
    ) -> None:
        self._version = version
        self.ttl = ttl
        self.check_every = check_every
        self._clock = clock
        self.max_entries = max_entries  # a bound on memory, whatever query strings visitors send
        self._entries: dict[Hashable, _Entry[T]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._seen: Hashable = None
        self._checked_at: float | None = None
        self._checking = asyncio.Lock()
        self._generation = 0  # bumped whenever the pages are dropped for a new version

    async def _fresh_version(self) -> None:
        """Read the version if the last read is older than ``check_every``; drop all on a change."""
        if self._checked_at is not None and self._clock() - self._checked_at < self.check_every:
            return
        async with self._checking:
            if self._checked_at is not None and self._clock() - self._checked_at < self.check_every:
                return  # another request read it meanwhile
            current = await self._version()
            self._checked_at = self._clock()
            if current != self._seen:
                self._entries.clear()
                self._generation += 1
                self._seen = current

    async def get(self, key: Hashable, load: Loader[T]) -> T:
        """The page under ``key``, rendered by ``load`` when missing, expired or outdated."""
        await self._fresh_version()
        if (hit := self._hit(key)) is not None:
            return hit.value
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if (hit := self._hit(key)) is not None:
                return hit.value
            generation = self._generation
            value = await load()
            if generation != self._generation:
                return value  # the version moved while rendering: this page may predate it
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            self._entries[key] = _Entry(value, self._clock())
            return value

    def _hit(self, key: Hashable) -> _Entry[T] | None:
        entry = self._entries.get(key)
        if entry is None or self._clock() - entry.at >= self.ttl:
            return None
        return entry

    def clear(self) -> None:
        self._entries.clear()
