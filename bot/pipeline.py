"""The path of one message after its adapter: dedupe → per-user lock → state → dialog step →
save → replies. Platform-neutral (aiogram's ``Dispatcher.feed_update``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

import orjson

from bot.overload import Gate
from dialogs import Context, Conversation, Inbound, Port, Reply, UserRef, handle, texts
from dialogs.engine import needs_followups
from dialogs.types import Followups
from notifier import metrics
from notifier.held import Riding
from storage.backends import Backends
from storage.turns import Answered, Claim, Guard, InFlight, Refused, Turn

log = logging.getLogger(__name__)
Alive = Callable[[], bool]  # False once the client that sent the message has gone


class HeldNotices(Protocol):
    """What waits for a citizen, handed to their reply (``notifier.held.RideAlong``)."""

    async def __call__(self, user: UserRef, now: datetime) -> tuple[Riding | None, bool]:
        """The notices taken, and whether any notice of the citizen's was still on its way."""
        ...

    def wrote(self, user: UserRef, now: datetime) -> None:
        """The citizen wrote (they are reachable; written in batches)."""
        ...

    async def flush(self) -> None: ...

    async def aclose(self) -> None: ...

    async def give_back(self, riding: Riding, now: datetime) -> None: ...


Deliver = Callable[[list[Reply]], Awaitable[list[Reply]]]  # sends replies itself; returns the unsent


def encode_replies(replies: list[Reply]) -> bytes:
    return orjson.dumps([[r.text, list(r.choices), r.hint, r.turn] for r in replies])


def decode_replies(raw: bytes) -> list[Reply]:
    return [Reply(text, tuple(choices), hint, turn) for text, choices, hint, turn in orjson.loads(raw)]


@functools.cache
def _inbound(channel: str) -> Any:
    """The channel's inbound counter (labels looked up once)."""
    return metrics.INBOUND.labels(channel)


class StepFailed(RuntimeError):
    """The step did not happen (nothing saved); the platform should deliver the message again."""

    def __init__(self, failures: int) -> None:
        super().__init__(f"step failed ({failures} failed deliveries so far)")
        self.failures = failures


class ClientGone(RuntimeError):
    """The client gave up before the step began: it was not run."""


class Pipeline:
    """Feeds inbound messages through the dialogs, one citizen at a time."""

    def __init__(
        self,
        backends: Backends,
        port: Port,
        *,
        resume_after_s: int = 1800,
        held: HeldNotices | None = None,
        max_attempts: int = 3,
        gate: Gate | None = None,
    ) -> None:
        self.backends = backends
        self.gate = gate or Gate()
        self.max_attempts = max_attempts
        self.port = port
        self.resume_after_s = resume_after_s
        self.errors = 0
        self.held = held

    async def feed(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Reply]:
        """Handle one message without dedupe (the console); a failing step is answered with an
        apology and changes nothing. ``deliver``: see ``feed_once``."""
        try:
            return await self._run(inbound, deliver)
        except Exception:
            log.exception("%s message %s not handled", inbound.user.channel, inbound.message_id)
            return [Reply(texts.STEP_FAILED)]

    async def feed_once(
        self,
        inbound: Inbound,
        dedupe_key: str,
        wait_s: float = 0.0,
        deliver: Deliver | None = None,
        alive: Alive | None = None,
        first: Callable[[], Awaitable[None]] | None = None,
        guard: Guard | None = None,
    ) -> list[Reply] | None:
        """Handle a platform message at least once and its effects exactly once.

        The first delivery of ``dedupe_key`` claims it and runs the step; the message is done
        when its new state is saved, with its replies (with ``deliver``, a channel that sends
        its replies itself inside the citizen's turn, e.g. Telegram: the replies it could not
        send). A retry gets those replies. A failed step releases the claim and raises
        ``StepFailed`` so that the platform delivers it again; after ``max_attempts`` failed
        deliveries it is answered with an apology instead (and done). Returns None for a retry
        whose first delivery is still running after ``wait_s``; a first delivery whose holder
        died is taken over once its lease lapses. ``alive`` False (the client has gone) before
        the step starts: the step is not run (``ClientGone``). ``first``: what the first delivery
        does before its step, once per message (e.g. open WeChat's window: a retry must not).
        ``guard``: checked in the same call that claims the message (``Refused`` otherwise)."""
        claim = Claim(inbound.user.channel, dedupe_key, wait_s, guard=guard)
        try:
            return await self._run(inbound, deliver, claim, alive, first)
        except Answered as done:  # a retry of a message done already
            return decode_replies(done.replies)
        except InFlight:
            return None
        except Refused:
            raise
        except BaseException as exc:
            return await self._failed(inbound, claim, exc)

    async def _failed(self, inbound: Inbound, claim: Claim, exc: BaseException) -> list[Reply]:
        """The turn released the claim so the platform's retry runs the step again; the last
        retry gets an apology (and the message is done), so a step that always fails does not
        loop. An error before the message was claimed (Redis away) counts no failure."""
        if not isinstance(exc, Exception):  # cancelled, or the process is stopping
            raise exc
        if isinstance(exc, ClientGone):
            raise exc
        if not isinstance(exc, StepFailed):
            log.warning("%s message %s not handled: %r", claim.channel, claim.key, exc)
        if claim.failures >= self.max_attempts:
            log.error(
                "%s message %s failed %d times: answered with an apology",
                claim.channel,
                claim.key,
                claim.failures,
            )
            replies = [Reply(texts.STEP_FAILED_GAVE_UP)]
            await self.backends.dedupe.remember(claim.channel, claim.key, encode_replies(replies))
            return replies
        raise StepFailed(claim.failures) from exc

    async def _run(
        self,
        inbound: Inbound,
        deliver: Deliver | None,
        claim: Claim | None = None,
        alive: Alive | None = None,
        first: Callable[[], Awaitable[None]] | None = None,
    ) -> list[Reply]:
        """The citizen's turn (and the message's claim) around one dialog step; raises
        ``StepFailed`` when it did not happen (and notices taken to ride along with its reply
        wait again, unless they went out)."""
        taken: list[Riding] = []

        async def sending(replies: list[Reply]) -> list[Reply]:
            assert deliver is not None
            sent = await deliver(replies)
            taken.clear()  # handed to the platform: theirs now, whatever happens next
            return sent

        _inbound(inbound.user.channel).inc()
        if self.held is not None:
            self.held.wrote(inbound.user, inbound.time)
        assert self.backends.turns is not None
        try:
            async with self.backends.turns.turn(inbound.user.key, claim) as turn:
                if alive is not None and not alive():
                    raise ClientGone(inbound.message_id)
                if first is not None:
                    await first()
                replies = await self._step(inbound, turn, deliver and sending, taken)
                if claim is not None:
                    turn.finish(claim.channel, claim.key, encode_replies(replies))
                return replies
        except BaseException:
            for riding in taken:
                await self._give_back(riding, inbound)
            raise

    async def _step(
        self, inbound: Inbound, turn: Turn, deliver: Deliver | None, taken: list[Riding]
    ) -> list[Reply]:
        """The dialog step on the citizen's state (once per message: a retry of a message done
        already, or still running elsewhere, never gets here). The database is read only when
        their waits mark says something may wait for them (when nothing did, it is settled)."""
        conv = Conversation.from_bytes(turn.state)
        reads_followups, look = needs_followups(conv, inbound), turn.may_wait
        waiting: str | None = None
        saw = False
        try:
            if look:  # what arrives with this reply was not on screen: taken after the followups
                followups = await self.port.followups(inbound.user, inbound.time)
                if reads_followups:
                    waiting, saw = await self._held(inbound, taken)
            elif reads_followups:
                followups = Followups(campaigns=await self.port.campaigns())
            else:
                followups = Followups()
            context = Context(inbound.time, followups, self.resume_after_s, arriving=waiting is not None)
            conv, replies = await handle(conv, inbound, context, self.port)
        except Exception as exc:
            self.errors += 1
            metrics.DIALOG_ERRORS.inc()
            log.exception("dialog step failed for %s message %s", inbound.user.channel, inbound.message_id)
            raise StepFailed(0) from exc
        if look and not reads_followups:
            waiting, saw = await self._held(inbound, taken)
        if look and not (saw or followups.waiting or followups.rating_due or followups.later):
            turn.settle()
        replies = [Reply(waiting), *replies] if waiting else replies
        replies = [replace(r, turn=conv.turn) for r in replies]  # what a button on them answers
        if deliver is not None:
            replies = await deliver(replies)
        turn.save(conv.to_bytes())
        return replies

    async def _held(self, inbound: Inbound, taken: list[Riding]) -> tuple[str | None, bool]:
        """Notices waiting for this citizen, taken to ride along with the reply (marked sent),
        and whether one may still matter to a later step (so their mark stays)."""
        if self.held is None:
            return None, False
        try:
            riding, live = await self.held(inbound.user, inbound.time)
        except Exception:  # a notice stays held; the reply still goes
            log.exception("could not load held notices for %s", inbound.user.channel)
            return None, True
        if riding is not None:
            taken.append(riding)
        return (riding.text if riding else None), live

    async def _give_back(self, riding: Riding, inbound: Inbound) -> None:
        assert self.held is not None
        try:
            await self.held.give_back(riding, inbound.time)
        except Exception:  # the database away too: they stay marked sent (logged, with their ids)
            log.exception("notices %s rode with a failed step and could not be given back", riding.ids)

    async def flush(self) -> None:
        """Write what is batched now (it is written every second or so by itself)."""
        if self.held is not None:
            await self.held.flush()

    async def aclose(self) -> None:
        """Write what is batched (at shutdown)."""
        if self.held is not None:
            await self.held.aclose()

    async def forget(self, key: str) -> None:
        """Drop a citizen's conversation state (e.g. on WeChat unsubscribe)."""
        async with self.backends.locks.lock(key):
            await self.backends.state.delete(key)
