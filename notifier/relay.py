"""The outbox relay: claim a batch of due notices under a lease, send each through its
channel's sender outside any transaction (several citizens at once, one citizen's notices in
order), and write the outcome as soon as it is known.

Outcomes by error type (``storage.errors``): success → ``sent``; ``RateLimited`` → again after
``retry_after`` (not counted as an attempt); ``QuotaExceeded`` → the window is treated as closed
and the notice re-routed (template or held); ``RecipientUnreachable`` / ``ConfigurationError`` →
``failed`` at once with the reason; any other error → again after an exponential backoff with
jitter, ``failed`` after ``max_attempts``. A relay that dies leaves its rows ``sending``; they
are taken over when the lease expires and counted as unknown outcomes (possible duplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from notifier import metrics
from notifier.merge import by_citizen, groups, head, together
from notifier.policy import HOLD_WINDOW, Policy, Route, Situation
from notifier.sender import Delivery, Notice, Sender
from storage import outbox
from storage.errors import (
    ConfigurationError,
    PlatformError,
    QuotaExceeded,
    RateLimited,
    RecipientUnreachable,
)
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
        rows = await outbox.claim(self.token, limit=self.batch, lease_s=self.lease_s, now=self.clock())
        if not rows:
            return 0
        metrics.TAKEOVERS.inc(sum(r.took_over for r in rows))
        marks = Marks(self.token, self.clock)
        done = asyncio.Event()
        flusher = asyncio.create_task(marks.run(done))
        gate = asyncio.Semaphore(self.concurrency)
        try:
            await asyncio.gather(*(self._citizen(rs, marks, gate) for rs in by_citizen(rows).values()))
        finally:
            done.set()
            marks.wake.set()
            await flusher
        return len(rows)

    def _rank(self, r: Claimed) -> int:
        return r.priority - (100 if self.policy.is_satisfaction(r.kind) else 0)

    async def _citizen(self, rows: list[Claimed], marks: Marks, gate: asyncio.Semaphore) -> None:
        """One citizen's notices, most important first, about one item in creation order."""
        async with gate:
            channel = rows[0].channel
            state = {"window_sent": rows[0].window_sent, "reachable": rows[0].reachable}
            ids = [r.id for r in rows]
            try:
                for group in groups(rows, merge=self.policy.counts_messages(channel), rank=self._rank):
                    await self._group(group, ids, marks, state)
            except Exception as exc:  # e.g. the database failed mid-way: the unmarked rows retry
                log.exception("notices %s: could not finish", ids)
                at = self.clock() + timedelta(seconds=self.backoff.delay(1))
                reason = f"{type(exc).__name__}: {exc}"
                marks.add(lambda: outbox.mark_retry(self.token, ids, at, reason))

    async def _situation(self, h: Claimed, batch_ids: list[int], state: dict[str, int]) -> Situation:
        s = Situation(
            h.channel, h.kind, h.priority, bool(state["reachable"]), h.last_inbound_at, state["window_sent"]
        )
        if h.channel == "wechat" and self.policy.slots_left(s, self.clock()) == 1:
            kinds = self.policy.satisfaction_kinds
            waiting = await outbox.waiting_kinds(h.citizen_id, kinds, batch_ids)
            s = replace(s, satisfaction_waiting=waiting)
        return s

    async def _group(self, group: list[Claimed], batch_ids: list[int], marks: Marks, state: dict) -> None:
        h = head(group, self._rank)
        ids = [r.id for r in group]
        notice = Notice(
            h.id, h.channel, h.recipient, h.kind, together([r.text for r in group]), h.priority, h.ticket
        )
        route = self.policy.route(await self._situation(h, batch_ids, state), self.clock())
        for _ in range(2):  # a QuotaExceeded re-routes once
            if route.action == "send" and route.via == "customer_service":
                if not await outbox.reserve_window_slot(h.citizen_id, self._opened(), self.policy.quota):
                    state["window_sent"] = self.policy.quota
                    route = self.policy.route(await self._situation(h, batch_ids, state), self.clock())
                    continue
                state["window_sent"] += 1
            outcome = await self._deliver(route, notice, group, marks, state)
            if outcome is None:
                return
            route = outcome
        self._hold(marks, h.channel, ids, HOLD_WINDOW)

    def _opened(self) -> datetime:
        return self.policy.window_opened_after(self.clock())

    async def _deliver(
        self, route: Route, notice: Notice, group: list[Claimed], marks: Marks, state: dict
    ) -> Route | None:
        """Carry out ``route``; returns a new route when the platform says the window is closed."""
        ids, channel, h = [r.id for r in group], notice.channel, group[0]
        if route.action in ("fail", "hold"):
            (self._fail if route.action == "fail" else self._hold)(marks, channel, ids, route.reason)
            return None
        if route.action == "wait":
            until = route.until or self.clock()
            marks.add(lambda: outbox.mark_retry(self.token, ids, until, route.reason, count_attempt=False))
            return None
        sender = self.senders[channel]
        if route.action == "template" and getattr(sender, "send_template", None) is None:
            self._hold(marks, channel, ids, HOLD_WINDOW)  # this channel's sender has no templates
            return None
        reserved = route.via == "customer_service"
        try:
            started = time.perf_counter()
            delivery = await self._send(sender, route, notice)
            metrics.SEND_LATENCY.labels(channel).observe(time.perf_counter() - started)
        except QuotaExceeded as exc:
            if not reserved:  # a template quota: nothing else to try now
                self._hold(marks, channel, ids, f"{HOLD_WINDOW}（{exc}）")
                return None
            await outbox.close_window(h.citizen_id, self.policy.quota)
            state["window_sent"] = self.policy.quota
            return self.policy.route(await self._situation(h, [], state), self.clock())
        except RecipientUnreachable as exc:
            await outbox.mark_unreachable(h.citizen_id, self.clock())
            state["reachable"] = 0
            self._fail(marks, channel, ids, f"unreachable: {exc}")
            return None
        except ConfigurationError as exc:
            self._fail(marks, channel, ids, f"configuration: {exc}")
            return None
        except Exception as exc:  # TransientError, RateLimited, or a bug: retry later
            if reserved:
                await outbox.refund_window_slot(h.citizen_id)
                state["window_sent"] -= 1
            self._retry(marks, channel, group, exc)
            return None
        marks.add_sent(ids, delivery.via or route.via)
        metrics.DELIVERED.labels(channel, "sent").inc(len(ids))
        return None

    async def _send(self, sender: Sender, route: Route, notice: Notice) -> Delivery:
        if route.action == "template" and route.template is not None:
            send_template = sender.send_template  # type: ignore[attr-defined]  # a TemplateSender
            values = {"text": notice.text, "ticket": notice.ticket, "kind": notice.kind}
            result: Delivery = await send_template(notice, route.template.id, route.template.data(values))
            return result
        return await sender.send(notice)

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
