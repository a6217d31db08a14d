"""Whether something may wait for a citizen — a notice to ride along with their next reply, a
staff question or a rating they may be answering — known without a database query.

A citizen's *mark* is a counter. Whoever commits an outbox row that may wait for them (the
workflow service, a notice given back or retried) bumps it after the commit (``mark``). A step
that finds the counter set looks in the database; when it finds nothing waiting there it
*settles* the mark, but only if the counter is still what it read (a notice committed while it
looked keeps it set). So a plain step of a citizen with nothing waiting reads no table.

Every process that writes to the database marks through the store ``install``ed by the
composition root: Redis when configured (every process sees it, and ``RedisTurns`` reads it in
the same call that takes the citizen's turn), else this process's memory. On the embedded
default another process (a staff member's ``minyi-admin``) cannot reach that memory, so the
in-process store asks SQLite whether another connection committed since it last looked
(``PRAGMA data_version``, no table read); if one did, every citizen is looked up once more.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable

from redis.asyncio import Redis

from storage import keys

log = logging.getLogger(__name__)
Seen = bytes | None  # what a step read: None means nothing waits (no lookup needed)


class Waits(ABC):
    @abstractmethod
    async def mark(self, user_keys: Iterable[str]) -> None:
        """Something may wait for these citizens now (call after the commit that made it so)."""


class RedisWaits(Waits):
    """A counter per citizen (``keys.waits``); no expiry is needed while it is set (it is only
    set while something waits), but a long one keeps a forgotten mark from living forever."""

    def __init__(self, redis: Redis, ttl_s: int = 90 * 86400) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def mark(self, user_keys: Iterable[str]) -> None:
        names = [keys.waits(k) for k in set(user_keys)]
        if not names:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.incr(name)
                pipe.expire(name, self.ttl_s)
            await pipe.execute()


class MemoryWaits(Waits):
    """This process's marks; ``elsewhere`` tells whether another process wrote to the database
    since the last call (then every citizen is looked up once more)."""

    def __init__(self, max_marks: int = 200_000) -> None:
        self.max_marks = max_marks
        self.elsewhere: Callable[[], Awaitable[bool]] | None = None
        self._marks: dict[str, int] = {}
        self._epoch = 1  # bumped when another process wrote
        self._looked: dict[str, int] = {}  # the epoch in which a citizen was last found settled
        self._counter = 0

    async def mark(self, user_keys: Iterable[str]) -> None:
        for key in user_keys:
            self._counter += 1
            self._marks[key] = self._counter
            if len(self._marks) > self.max_marks:  # forgetting a mark only costs a lookup
                self._epoch += 1
                self._marks.clear()
                self._looked.clear()

    async def seen(self, key: str, fresh: bool) -> Seen:
        """What waits for ``key`` as far as marks tell (``fresh``: the citizen has no state in
        memory yet — a restart or a first message — so look)."""
        if self.elsewhere is not None:
            try:
                if await self.elsewhere():
                    self._epoch += 1
            except Exception:  # cannot tell: look
                log.exception("could not ask the database whether another process wrote")
                self._epoch += 1
        if fresh or key in self._marks or self._looked.get(key) != self._epoch:
            return f"{self._marks.get(key, 0)}:{self._epoch}".encode()
        return None

    def settle(self, key: str, seen: Seen) -> None:
        """Nothing waited when ``seen`` was read: clear the mark unless it changed since."""
        if seen is None:
            return
        mark, epoch = (int(part) for part in seen.decode().split(":"))
        if self._marks.get(key, 0) == mark:
            self._marks.pop(key, None)
        if len(self._looked) > self.max_marks:
            self._looked.clear()
        self._looked[key] = epoch


_installed: Waits = MemoryWaits()


def install(waits: Waits) -> None:
    """The store every mark goes to in this process (``bot.root.database`` installs it)."""
    global _installed
    _installed = waits


def installed() -> Waits:
    return _installed


async def mark(user_keys: Iterable[str]) -> None:
    """After a commit: something may wait for these citizens. A failure is logged, not raised:
    the commit stands, and the citizen's next step after a restart or a Redis loss looks anyway."""
    try:
        await _installed.mark(user_keys)
    except Exception:
        log.exception("could not mark citizens as having something waiting")
