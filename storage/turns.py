"""A citizen's turn: exclusive access to their conversation state for one dialog step.

A turn may carry the platform message it runs (a ``Claim``). ``LockedTurns`` composes any
``UserLocks``, ``StateStore`` and ``Deduper``. ``RedisTurns`` fuses them: one Lua call claims the
message, takes the lock and loads the state and the citizen's waits mark (``storage.waits``);
one saves the state, marks the message done with its replies, settles the mark and releases
the lock — all or nothing, and only while the lock is still ours (a step that outlived its lock
cannot overwrite a newer state: ``LockLost``). So a message
is done exactly when its new state is saved; a crash before that leaves both as they were and
the platform's redelivery runs the step again. The lock lapses after a few seconds unless its
holder renews it, so a killed process blocks its citizens only briefly.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

import orjson
from redis.asyncio import Redis

from storage import keys
from storage.dedupe import Deduper, RedisDeduper
from storage.leases import kept
from storage.locks import MemoryUserLocks, UserLocks
from storage.locks.redis import retry_until
from storage.resp import Multiplexed, Script
from storage.state import StateStore
from storage.waits import MemoryWaits

log = logging.getLogger(__name__)

_ENTER = """
if KEYS[6] ~= '' and not redis.call('set', KEYS[6], ARGV[5], 'NX', 'EX', ARGV[6]) then
  if redis.call('get', KEYS[6]) ~= ARGV[5] then return {4} end
end
if ARGV[3] == '1' then
  local d = redis.call('get', KEYS[4])
  if d == 'done' then return {3, redis.call('get', KEYS[5])} end
  if d and d ~= ARGV[1] then return {2} end
  redis.call('set', KEYS[4], ARGV[1], 'PX', ARGV[4])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('get', KEYS[2]), redis.call('get', KEYS[3])}
end
return {0}
"""
_END = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('set', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
if ARGV[5] == '1' then
  redis.call('set', KEYS[4], 'done', 'EX', ARGV[7])
  redis.call('set', KEYS[5], ARGV[6], 'EX', ARGV[7])
end
if ARGV[8] == '1' and redis.call('get', KEYS[3]) == ARGV[9] then redis.call('del', KEYS[3]) end
redis.call('del', KEYS[1])
return 1
"""
_RENEW = """
local mine = 0
if redis.call('get', KEYS[1]) == ARGV[1] then mine = redis.call('pexpire', KEYS[1], ARGV[2]) end
if KEYS[2] ~= '' and redis.call('get', KEYS[2]) == ARGV[1] then redis.call('pexpire', KEYS[2], ARGV[3]) end
return mine
"""
_ABANDON = """
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
if KEYS[2] == '' or redis.call('get', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('del', KEYS[2])
local n = redis.call('incr', KEYS[3])
redis.call('expire', KEYS[3], ARGV[2])
return n
"""


class LockLost(RuntimeError):
    """The citizen's lock lapsed during the step: its new state was not saved (retry the step)."""


class Answered(Exception):
    """The message was done already (a retry): here are its replies, run nothing."""

    def __init__(self, replies: bytes) -> None:
        super().__init__("done already")
        self.replies = replies


class Refused(Exception):
    """The message's ``Guard`` key held another value: nothing was claimed or run."""


class InFlight(Exception):
    """Another delivery of the message still runs after the wait (or it is done, without replies)."""


def _token() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Guard:
    """Checked in the same call that claims the message: ``key`` must be new (it is then set to
    ``value`` for ``ttl_s``) or already hold ``value``; otherwise the message is ``Refused``
    (e.g. a signed WeChat nonce reused for other content)."""

    key: str
    value: str
    ttl_s: int


@dataclass(slots=True)
class Claim:
    """A platform message taken together with the turn: its effects happen once; a failed step
    releases it so that the platform's retry runs it again."""

    channel: str
    key: str
    wait_s: float = 0.0  # how long a retry waits for a first delivery still running
    token: str = field(default_factory=_token)
    failures: int = 0  # after a failed step: how many deliveries of it failed so far
    guard: Guard | None = None  # only where the turns can check it in the same call (Redis)


@dataclass(slots=True)
class Turn:
    """The state as loaded; ``save`` it (and ``finish`` the message) to have both written
    together when the turn ends. ``seen``: the citizen's waits mark as read (None: nothing
    waits, no lookup needed); ``settle`` after a lookup found nothing."""

    state: bytes | None
    saved: bytes | None = None
    done: tuple[str, str, bytes] | None = None  # (channel, dedupe key, replies)
    last: tuple[str, str, bytes] | None = None  # the last message done, as stored with the state
    seen: bytes | None = b""
    settled: bool = False

    @property
    def may_wait(self) -> bool:
        """Whether something may wait for the citizen (look it up): marked, or no state yet."""
        return self.seen is not None or self.state is None

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

    def settle(self) -> None:
        """Nothing waited: clear the mark as read (kept if it was bumped meanwhile)."""
        self.settled = True


class Turns:
    """Base: ``async with turns.turn(key, claim) as turn`` — one citizen, one step at a time.

    With a ``Claim``, entering raises ``Answered`` for a message done already and ``InFlight``
    when another delivery still holds it after ``claim.wait_s``; a step that raises releases the
    claim (``claim.failures`` counts the failed deliveries)."""

    def turn(self, key: str, claim: Claim | None = None) -> AbstractAsyncContextManager[Turn]:
        raise NotImplementedError


class LockedTurns(Turns):
    """Any ``UserLocks``, ``StateStore`` and ``Deduper`` composed (the embedded default: in-process
    locks and dedupe, the state in the database)."""

    def __init__(
        self, locks: UserLocks, state: StateStore, dedupe: Deduper, waits: MemoryWaits | None = None
    ) -> None:
        self.locks = locks
        self.state = state
        self.dedupe = dedupe
        self.waits = waits

    @asynccontextmanager
    async def turn(self, key: str, claim: Claim | None = None) -> AsyncIterator[Turn]:
        if claim is not None and claim.guard is not None:
            raise TypeError("a Guard needs RedisTurns (check it before the turn here)")
        if claim is not None:
            await self._claim(claim)
        try:
            every = self.dedupe.lease_s / 3 if claim is not None and self.dedupe.lease_s else None
            async with kept(lambda: self._renew(claim), every, f"message of {key}"), self.locks.lock(key):
                turn = await self._load(key, claim)
                yield turn
                await self._end(key, turn)
        except Answered:
            raise
        except BaseException:
            if claim is not None:
                claim.failures = await self._release(claim)
            raise

    async def _load(self, key: str, claim: Claim | None) -> Turn:
        state = await self.state.get(key)
        seen = b"" if self.waits is None else await self.waits.seen(key, fresh=state is None)
        turn = Turn(state, last=_last_done(state), seen=seen)
        if claim is not None and (raw := turn.replies_if_done(claim.channel, claim.key)) is not None:
            await self.dedupe.remember(claim.channel, claim.key, raw)
            raise Answered(raw)  # done before a restart: answered, not run again
        return turn

    async def _end(self, key: str, turn: Turn) -> None:
        if turn.saved is not None:
            await self.state.set(key, _with_done(turn.saved, turn.done))
        if turn.done is not None:
            await self.dedupe.remember(*turn.done)
        if turn.settled and self.waits is not None:
            self.waits.settle(key, turn.seen)

    async def _claim(self, claim: Claim) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + claim.wait_s
        while (token := await self.dedupe.claim(claim.channel, claim.key)) is None:
            if (raw := await self.dedupe.recall(claim.channel, claim.key)) is not None:
                raise Answered(raw)
            if loop.time() >= deadline:
                raise InFlight(claim.key)
            await asyncio.sleep(0.05)
        claim.token = token

    async def _renew(self, claim: Claim | None) -> bool:
        if claim is None:
            return True
        return await self.dedupe.renew(claim.channel, claim.key, claim.token)

    async def _release(self, claim: Claim) -> int:
        try:
            return await self.dedupe.release(claim.channel, claim.key, claim.token)
        except Exception:  # the store away too: a claim's lease lapses by itself
            log.exception("could not release %s message %s", claim.channel, claim.key)
            return 0


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
    """One Lua call enters (claims the message, takes the citizen's lock, reads their state and
    waits mark), one leaves (saves the state, marks the message done with its replies, settles
    the mark, releases the lock): two round trips per step."""

    def __init__(
        self,
        redis: Redis,
        *,
        lock_ms: int = 6_000,
        wait_s: float = 10.0,
        state_ttl_s: int = 30 * 86400,
        done_ttl_s: int = 86400,
        dedupe: RedisDeduper | None = None,
        fast: Multiplexed | None = None,
    ):
        self.redis = redis
        self.lock_ms = lock_ms  # a killed holder's lock lapses after this; a live one renews it
        self.wait_s = wait_s
        self.state_ttl_s = state_ttl_s
        self.done_ttl_s = done_ttl_s
        self.dedupe = dedupe or RedisDeduper(redis, ttl_s=done_ttl_s)
        self._local = MemoryUserLocks()  # FIFO within this process (Redis locks are polled)
        self.fast = fast  # the two calls of every step on one pipelined connection (storage.resp)
        self._enter = redis.register_script(_ENTER)
        self._leave = redis.register_script(_END)
        self._enter_lua, self._leave_lua = Script(_ENTER), Script(_END)
        self._renew = redis.register_script(_RENEW)
        self._abandon = redis.register_script(_ABANDON)

    @staticmethod
    def _names(key: str, claim: Claim | None) -> list[str]:
        message = ["", ""]
        if claim is not None:
            message = [keys.dedupe(claim.channel, claim.key), keys.dedupe_reply(claim.channel, claim.key)]
        guard = claim.guard.key if claim is not None and claim.guard is not None else ""
        return [keys.lock(key), keys.state(key), keys.waits(key), *message, guard]

    @asynccontextmanager
    async def turn(self, key: str, claim: Claim | None = None) -> AsyncIterator[Turn]:
        names, token = self._names(key, claim), claim.token if claim else _token()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (claim.wait_s if claim else 0.0)
        while True:
            async with self._local.lock(key):
                try:
                    got = await self._take(names, token, claim)
                except (Answered, InFlight, Refused):
                    raise
                except BaseException:
                    await self._give_up(names, token, claim)
                    raise
                if got is not None:
                    turn = Turn(got[0], seen=got[1])
                    try:
                        every = self.lock_ms / 3000
                        async with kept(lambda: self._renewed(names, token), every, f"lock {key}"):
                            yield turn
                    except BaseException:
                        await self._give_up(names, token, claim)
                        raise
                    await self._end(key, names, token, turn, claim)
                    return
            if loop.time() >= deadline:  # another delivery of the message holds it
                raise InFlight(claim.key if claim else key)
            await asyncio.sleep(0.05)

    async def _take(
        self, names: list[str], token: str, claim: Claim | None
    ) -> tuple[bytes | None, bytes | None] | None:
        """``(state, waits)`` once the turn is ours; None while another delivery holds the message."""
        lease = int((self.dedupe.lease_s or 6.0) * 1000)
        guard = claim.guard if claim is not None else None
        args: list[str | int] = [token, self.lock_ms, "1" if claim else "0", lease]
        args += [guard.value, guard.ttl_s] if guard is not None else ["", 0]
        outcome: list[tuple[bytes | None, bytes | None] | None] = []

        async def attempt() -> bool:
            if self.fast is not None:
                got = await self.fast.evalsha(self._enter_lua, names, args)
            else:
                got = await self._enter(keys=names, args=args)
            if got[0] == 4:
                raise Refused(names[5])
            if got[0] == 3:
                if got[1] is None:
                    raise InFlight(names[3])  # done, with nothing to answer (e.g. a notice's once)
                raise Answered(got[1])
            if got[0] == 2:
                outcome.append(None)
            elif got[0] == 1:
                outcome.append((got[1], got[2]))
            return bool(outcome)

        if not await attempt():  # the citizen's lock is busy (another process): poll for it
            await retry_until(attempt, self.wait_s, names[0])
        return outcome[0]

    async def _renewed(self, names: list[str], token: str) -> bool:
        lease = int((self.dedupe.lease_s or 6.0) * 1000)
        return bool(await self._renew(keys=[names[0], names[3]], args=[token, self.lock_ms, lease]))

    async def _give_up(self, names: list[str], token: str, claim: Claim | None) -> None:
        """After a failure: our lock released, our claim released (the platform's retry runs the
        step again; ``claim.failures`` counts the failed deliveries)."""
        try:
            failures = await self._abandon(
                keys=[names[0], names[3], keys.dedupe_failures(claim.channel, claim.key) if claim else ""],
                args=[token, 3600],
            )
        except Exception:  # Redis away: lock and claim lapse by themselves
            log.exception("could not release the turn of %s", names[0])
            failures = 0
        if claim is not None:
            claim.failures = int(failures)

    async def _end(self, key: str, names: list[str], token: str, turn: Turn, claim: Claim | None) -> None:
        """Save, mark done, settle and release in one call; ``LockLost`` if a save came too late."""
        save, done = turn.saved is not None, turn.done
        if done is not None and (claim is None or done[:2] != (claim.channel, claim.key)):
            names = [*names[:3], keys.dedupe(*done[:2]), keys.dedupe_reply(*done[:2])]
        settle = turn.settled and turn.seen is not None
        args = [token, "1" if save else "0", turn.saved or b"", self.state_ttl_s]
        args += ["1", done[2], self.done_ttl_s] if done else ["0", b"", 0]
        args += ["1" if settle else "0", turn.seen or b""]
        if self.fast is not None:
            left = await self.fast.evalsha(self._leave_lua, names, args)
        else:
            left = await self._leave(keys=names, args=args)
        if not left and (save or done):
            await self._give_up(names, token, claim)
            raise LockLost(f"lock for {key} lapsed during a step: its new state was not saved")
