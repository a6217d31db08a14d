"""A citizen's turn: exclusive access to their conversation state for one dialog step.

``LockedTurns`` composes any ``UserLocks``, ``StateStore`` and ``Deduper``. ``RedisTurns`` fuses
them: one Lua call takes the lock and loads the state; one saves the state, marks the message
done with its replies, and releases the lock — all or nothing, and only while the lock is still
ours (a step that outlived its lock cannot overwrite a newer state: ``LockLost``). So a message
is done exactly when its new state is saved; a crash before that leaves both as they were and
the platform's redelivery runs the step again. The lock lapses after a few seconds unless its
holder renews it, so a killed process blocks its citizens only briefly.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import orjson
from redis.asyncio import Redis

from storage import keys
from storage.dedupe import Deduper
from storage.leases import kept
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
if ARGV[5] == '1' then
  redis.call('set', KEYS[3], 'done', 'EX', ARGV[7])
  redis.call('set', KEYS[4], ARGV[6], 'EX', ARGV[7])
end
redis.call('del', KEYS[1])
return 1
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class LockLost(RuntimeError):
    """The citizen's lock lapsed during the step: its new state was not saved (retry the step)."""


@dataclass(slots=True)
class Turn:
    """The state as loaded; ``save`` it (and ``finish`` the message) to have both written
    together when the turn ends."""

    state: bytes | None
    saved: bytes | None = None
    done: tuple[str, str, bytes] | None = None  # (channel, dedupe key, replies)
    last: tuple[str, str, bytes] | None = None  # the last message done, as stored with the state

    def replies_if_done(self, channel: str, key: str) -> bytes | None:
        """The replies of ``key`` if it is the message this state was saved for (a redelivery
        after a restart lost the in-process dedupe)."""
        if self.last is not None and self.last[:2] == (channel, key):
            return self.last[2]
        return None

    def save(self, data: bytes) -> None:
        self.saved = data

    def finish(self, channel: str, key: str, replies: bytes) -> None:
        """Mark the platform message ``key`` done with ``replies``, with the state's write."""
        self.done = (channel, key, replies)


class Turns:
    """Base: ``async with turns.turn(key) as turn`` — one citizen, one step at a time."""

    def turn(self, key: str) -> AbstractAsyncContextManager[Turn]:
        raise NotImplementedError


class LockedTurns(Turns):
    def __init__(self, locks: UserLocks, state: StateStore, dedupe: Deduper) -> None:
        self.locks = locks
        self.state = state
        self.dedupe = dedupe

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Turn]:
        async with self.locks.lock(key):
            state = await self.state.get(key)
            turn = Turn(state, last=_last_done(state))
            try:
                yield turn
            finally:  # a step that saved keeps its state even if what follows (sending) fails
                if turn.saved is not None:
                    await self.state.set(key, _with_done(turn.saved, turn.done))
                if turn.done is not None:
                    await self.dedupe.remember(*turn.done)


_DONE = "_done"  # beside the conversation in the stored document (the dialogs ignore it)


def _with_done(saved: bytes, done: tuple[str, str, bytes] | None) -> bytes:
    """The state with the message it was saved for: one write keeps both (an in-process dedupe
    does not survive a restart; the state in the database does)."""
    if done is None:
        return saved
    doc = orjson.loads(saved)
    doc[_DONE] = [done[0], done[1], done[2].decode()]
    return orjson.dumps(doc)


def _last_done(state: bytes | None) -> tuple[str, str, bytes] | None:
    if not state:
        return None
    try:
        channel, key, replies = orjson.loads(state)[_DONE]
        return (str(channel), str(key), str(replies).encode())
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class RedisTurns(Turns):
    def __init__(
        self,
        redis: Redis,
        *,
        lock_ms: int = 6_000,
        wait_s: float = 10.0,
        state_ttl_s: int = 30 * 86400,
        done_ttl_s: int = 86400,
    ):
        self.redis = redis
        self.lock_ms = lock_ms  # a killed holder's lock lapses after this; a live one renews it
        self.wait_s = wait_s
        self.state_ttl_s = state_ttl_s
        self.done_ttl_s = done_ttl_s
        self._local = MemoryUserLocks()  # FIFO within this process (Redis locks are polled)
        self._take = redis.register_script(_TAKE)
        self._give = redis.register_script(_GIVE)
        self._renew = redis.register_script(_RENEW)

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Turn]:
        async with self._local.lock(key):
            names, token = [keys.lock(key), keys.state(key)], secrets.token_hex(8)
            turn = Turn(await self._acquire(names, token))
            try:
                async with kept(lambda: self._renewed(names[0], token), self.lock_ms / 3000, f"lock {key}"):
                    yield turn
            finally:
                await self._end(key, names, token, turn)

    async def _renewed(self, name: str, token: str) -> bool:
        return bool(await self._renew(keys=[name], args=[token, self.lock_ms]))

    async def _end(self, key: str, names: list[str], token: str, turn: Turn) -> None:
        """Save, mark done and release in one call; ``LockLost`` if a save came too late."""
        save, done = turn.saved is not None, turn.done
        all_keys = (
            [*names, keys.dedupe(*done[:2]), keys.dedupe_reply(*done[:2])] if done else [*names, "", ""]
        )
        args = [token, "1" if save else "0", turn.saved or b"", self.state_ttl_s]
        args += ["1", done[2], self.done_ttl_s] if done else ["0", b"", 0]
        if not await self._give(keys=all_keys, args=args) and (save or done):
            raise LockLost(f"lock for {key} lapsed during a step: its new state was not saved")

    async def _acquire(self, names: list[str], token: str) -> bytes | None:
        (state,) = await retry_until(lambda: self._try(names, token), self.wait_s, names[0])
        return state

    async def _try(self, names: list[str], token: str) -> tuple[bytes | None] | None:
        """``(state,)`` when the lock was taken (truthy even without a state), None when busy."""
        got = await self._take(keys=names, args=[token, self.lock_ms])
        return (got[1] if len(got) > 1 else None,) if got[0] == 1 else None
