"""A citizen's turn: exclusive access to their conversation state for one dialog step.

``LockedTurns`` composes any ``UserLocks`` and ``StateStore``. ``RedisTurns`` fuses them: one
Lua call takes the lock and loads the state, one saves the state and releases the lock, and the
save happens only while the lock is still ours (a step that outlived the lock's expiry cannot
overwrite a newer state). Two round trips per step instead of four.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis

from storage import keys
from storage.locks import MemoryUserLocks, UserLocks
from storage.locks.redis import retry_until
from storage.state import StateStore

log = logging.getLogger(__name__)

_TAKE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('get', KEYS[2])}
end
return {0}
"""
_GIVE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('set', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
redis.call('del', KEYS[1])
return 1
"""


@dataclass(slots=True)
class Turn:
    """The state as loaded; ``save`` it to have it written when the turn ends."""

    state: bytes | None
    saved: bytes | None = None

    def save(self, data: bytes) -> None:
        self.saved = data


class Turns:
    """Base: ``async with turns.turn(key) as turn`` — one citizen, one step at a time."""

    def turn(self, key: str) -> AbstractAsyncContextManager[Turn]:
        raise NotImplementedError


class LockedTurns(Turns):
    def __init__(self, locks: UserLocks, state: StateStore) -> None:
        self.locks = locks
        self.state = state

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Turn]:
        async with self.locks.lock(key):
            turn = Turn(await self.state.get(key))
            try:
                yield turn
            finally:  # a step that saved keeps its state even if what follows (sending) fails
                if turn.saved is not None:
                    await self.state.set(key, turn.saved)


class RedisTurns(Turns):
    def __init__(
        self, redis: Redis, *, lock_ms: int = 30_000, wait_s: float = 10.0, state_ttl_s: int = 30 * 86400
    ):
        self.redis = redis
        self.lock_ms = lock_ms
        self.wait_s = wait_s
        self.state_ttl_s = state_ttl_s
        self._local = MemoryUserLocks()  # FIFO within this process (Redis locks are polled)
        self._take = redis.register_script(_TAKE)
        self._give = redis.register_script(_GIVE)

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Turn]:
        async with self._local.lock(key):
            names, token = [keys.lock(key), keys.state(key)], secrets.token_hex(8)
            turn = Turn(await self._acquire(names, token))
            try:
                yield turn
            finally:
                save = turn.saved is not None
                args = [token, "1" if save else "0", turn.saved or b"", self.state_ttl_s]
                if not await self._give(keys=names, args=args) and save:
                    log.error("lock for %s expired during a step: its new state was not saved", key)

    async def _acquire(self, names: list[str], token: str) -> bytes | None:
        (state,) = await retry_until(lambda: self._try(names, token), self.wait_s, names[0])
        return state

    async def _try(self, names: list[str], token: str) -> tuple[bytes | None] | None:
        """``(state,)`` when the lock was taken (truthy even without a state), None when busy."""
        got = await self._take(keys=names, args=[token, self.lock_ms])
        return (got[1] if len(got) > 1 else None,) if got[0] == 1 else None
