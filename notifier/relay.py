"""The outbox relay: claim a batch of due notices under a lease, send each through its
channel's sender outside any transaction (several citizens at once, one citizen's notices in
order), and write the outcome as soon as it is known.

Outcomes by error type (``notifier.errors``): success → ``sent``; ``RateLimited`` → again after
``retry_after`` (not counted as an attempt); ``QuotaExceeded`` → ``held`` (the channel cannot
reach the citizen now: it rides along with their next message); ``RecipientUnreachable`` and
``ConfigurationError`` → ``failed`` at once with the reason; any other error → again after an
exponential backoff with jitter, ``failed`` after ``max_attempts``. A relay that dies leaves its
rows ``sending``; they are taken over when the lease expires and counted as unknown outcomes
(possible duplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from notifier import metrics
from notifier.errors import (
    ConfigurationError,
    PlatformError,
    QuotaExceeded,
    RateLimited,
    RecipientUnreachable,
)
from notifier.merge import by_citizen, groups, head, together
from notifier.policy import HOLD_NO_PUSH, Policy
from notifier.sender import Notice, Sender
from storage import outbox
from storage.outbox import Claimed

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with "equal jitter": attempt n waits between d/2 and d, d = base·2ⁿ⁻¹."""

    base: float = 5.0
    cap: float = 3600.0
    rand: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        d = min(self.cap, self.base * 2 ** max(0, attempt - 1))
        return d / 2 + self.rand() * d / 2


@dataclass
class Marks:
    """Outcomes waiting to be written; a flusher writes them as soon as they arrive, coalescing
    the ``sent`` marks of concurrent sends into one statement (this keeps the window between a
    platform accepting a message and the row saying so as short as one database round trip)."""

    token: str
    clock: Callable[[], datetime]
    sent: dict[str, list[int]] = field(default_factory=dict)
    other: list[Callable[[], Awaitable[int]]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def add_sent(self, ids: Sequence[int], via: str) -> None:
        self.sent.setdefault(via, []).extend(ids)
        self.wake.set()

    def add(self, op: Callable[[], Awaitable[int]]) -> None:
        self.other.append(op)
        self.wake.set()

    async def flush(self) -> None:
        while self.sent or self.other:
            sent, self.sent = self.sent, {}
            other, self.other = self.other, []
            for via, ids in sent.items():
                await outbox.mark_sent(self.token, ids, via, self.clock())
            for op in other:
                await op()

    async def run(self, done: asyncio.Event) -> None:
        while not done.is_set():
            await self.wake.wait()
            self.wake.clear()
            await self.flush()
        await self.flush()


class Relay:
    def __init__(
        self,
        senders: Mapping[str, Sender],
        policy: Policy,
        *,
        batch: int = 200,
        concurrency: int = 64,
        lease_s: float = 60.0,
        poll_s: float = 1.0,
        max_attempts: int = 8,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = utcnow,
        token: str | None = None,
    ) -> None:
        self.senders = dict(senders)
        self.policy = policy
        self.batch = batch
        self.concurrency = concurrency
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.token = token or outbox.new_token()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch in hand (its sends and marks), then return from ``run``."""
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("relay batch failed; its rows are retried after their lease")
                claimed = 0
            if claimed < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.poll_s)

    async def drain(self) -> int:
        """Run batches until none is due (tests and one-shot runs); returns rows handled."""
        total = 0
        while n := await self.run_once():
            total += n
        return total

    async def run_once(self) -> int:
        """Claim one batch and see every row of it to an outcome; returns how many were claimed."""
        parking = outbox.Parking(self.policy.push_channels, HOLD_NO_PUSH)
        rows = await outbox.claim(
            self.token, limit=self.batch, lease_s=self.lease_s, now=self.clock(), parking=parking
        )
        for channel, n in parking.parked.items():
            metrics.DELIVERED.labels(channel, "held").inc(n)
        if not rows:
            return sum(parking.parked.values())
        metrics.TAKEOVERS.inc(sum(r.took_over for r in rows))
        marks = Marks(self.token, self.clock)
        done = asyncio.Event()
        flusher = asyncio.create_task(marks.run(done))
        gate = asyncio.Semaphore(self.concurrency)
        per_citizen = by_citizen(rows)
        counted = [c for c, rs in per_citizen.items() if (s := self.senders.get(rs[0].channel)) and s.merges]
        elsewhere = await outbox.important_waiting(
            counted, self.policy.satisfaction_kinds, [r.id for r in rows]
        )
        try:
            await asyncio.gather(
                *(self._citizen(rs, marks, gate, c in elsewhere) for c, rs in per_citizen.items())
            )
        finally:
            done.set()
            marks.wake.set()
            await flusher
        return len(rows)

    def _rank(self, r: Claimed) -> int:
        return r.priority - (100 if self.policy.is_satisfaction(r.kind) else 0)

    def _important(self, r: Claimed) -> bool:
        return self.policy.important(r.kind, r.priority)

    async def _citizen(
        self, rows: list[Claimed], marks: Marks, gate: asyncio.Semaphore, elsewhere: bool
    ) -> None:
        """One citizen's notices, most important first, about one item in creation order.

        ``elsewhere``: an important notice for this citizen waits outside this batch."""
        async with gate:
            sender = self.senders.get(rows[0].channel)
            ids = [r.id for r in rows]
            important = {r.id for r in rows if self._important(r)}
            reachable = rows[0].reachable
            try:
                for group in groups(rows, merge=bool(sender and sender.merges), rank=self._rank):
                    important -= {r.id for r in group}
                    waiting = elsewhere or bool(important)
                    reachable = await self._group(group, sender, marks, reachable, waiting)
            except Exception as exc:  # e.g. the database failed mid-way: the unmarked rows retry
                log.exception("notices %s: could not finish", ids)
                at = self.clock() + timedelta(seconds=self.backoff.delay(1))
                reason = f"{type(exc).__name__}: {exc}"
                marks.add(lambda: outbox.mark_retry(self.token, ids, at, reason))

    async def _group(
        self, group: list[Claimed], sender: Sender | None, marks: Marks, reachable: bool, waiting: bool
    ) -> bool:
        """Route and send one message (one notice, or several merged); returns reachability."""
        h = head(group, self._rank)
        ids, channel = [r.id for r in group], h.channel
        route = self.policy.route(channel, h.priority, reachable, self.clock())
        if route.action in ("fail", "hold"):
            (self._fail if route.action == "fail" else self._hold)(marks, channel, ids, route.reason)
            return reachable
        if route.action == "wait":
            until = route.until or self.clock()
            marks.add(lambda: outbox.mark_retry(self.token, ids, until, route.reason, count_attempt=False))
            return reachable
        assert sender is not None  # the policy routes only channels with a sender to "send"
        notice = Notice(
            h.id,
            channel,
            h.recipient,
            h.kind,
            together([r.text for r in group]),
            h.priority,
            h.ticket,
            important=any(self._important(r) for r in group),
            important_waiting=waiting,
        )
        return await self._deliver(sender, notice, group, marks)

    async def _deliver(self, sender: Sender, notice: Notice, group: list[Claimed], marks: Marks) -> bool:
        """Send through the channel's sender and mark the outcome; returns reachability."""
        ids, channel, h = [r.id for r in group], notice.channel, group[0]
        try:
            started = time.perf_counter()
            delivery = await sender.send(notice)
            metrics.SEND_LATENCY.labels(channel).observe(time.perf_counter() - started)
        except QuotaExceeded as exc:  # the channel cannot reach the citizen now (e.g. window shut)
            self._hold(marks, channel, ids, str(exc))
            return True
        except RecipientUnreachable as exc:
            await outbox.mark_unreachable(h.citizen_id, self.clock())
            self._fail(marks, channel, ids, f"unreachable: {exc}")
            return False
        except ConfigurationError as exc:
            self._fail(marks, channel, ids, f"configuration: {exc}")
            return True
        except Exception as exc:  # TransientError, RateLimited, or a bug: retry later
            self._retry(marks, channel, group, exc)
            return True
        marks.add_sent(ids, delivery.via)
        metrics.DELIVERED.labels(channel, "sent").inc(len(ids))
        return True

    def _retry(self, marks: Marks, channel: str, group: list[Claimed], exc: Exception) -> None:
        ids, now = [r.id for r in group], self.clock()
        reason = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, RateLimited):
            at = now + timedelta(seconds=exc.retry_after)
            marks.add(lambda: outbox.mark_retry(self.token, ids, at, reason, count_attempt=False))
            metrics.DELIVERED.labels(channel, "rate_limited").inc(len(ids))
            return
        attempts = max(r.attempts for r in group)
        if attempts >= self.max_attempts:
            self._fail(marks, channel, ids, f"{attempts} attempts; last: {reason}")
            return
        if not isinstance(exc, PlatformError):
            log.exception("sending notices %s failed unexpectedly", ids, exc_info=exc)
        at = now + timedelta(seconds=self.backoff.delay(attempts))
        marks.add(lambda: outbox.mark_retry(self.token, ids, at, reason))
        metrics.DELIVERED.labels(channel, "retry").inc(len(ids))

    def _fail(self, marks: Marks, channel: str, ids: list[int], reason: str) -> None:
        marks.add(lambda: outbox.mark_failed(self.token, ids, reason))
        metrics.DELIVERED.labels(channel, "failed").inc(len(ids))

    def _hold(self, marks: Marks, channel: str, ids: list[int], reason: str) -> None:
        marks.add(lambda: outbox.mark_held(self.token, ids, reason))
        metrics.DELIVERED.labels(channel, "held").inc(len(ids))
