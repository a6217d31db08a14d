"""The path of one message after its adapter: dedupe → per-user lock → state → dialog step →
save → replies. Platform-neutral (aiogram's ``Dispatcher.feed_update``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

import orjson

from bot.overload import Gate
from dialogs import Context, Conversation, Inbound, Port, Reply, UserRef, handle, texts
from dialogs.engine import needs_followups
from dialogs.types import Followups
from notifier import metrics
from notifier.held import Riding
from storage.backends import Backends
from storage.leases import kept

log = logging.getLogger(__name__)
Alive = Callable[[], bool]  # False once the client that sent the message has gone


class HeldNotices(Protocol):
    """What waits for a citizen, handed to their reply (``notifier.held.RideAlong``)."""

    async def __call__(self, user: UserRef, now: datetime) -> Riding | None: ...

    async def give_back(self, riding: Riding, now: datetime) -> None: ...


Deliver = Callable[[list[Reply]], Awaitable[list[Reply]]]  # sends replies itself; returns the unsent


def encode_replies(replies: list[Reply]) -> bytes:
    return orjson.dumps([[r.text, list(r.choices), r.hint, r.turn] for r in replies])


def decode_replies(raw: bytes) -> list[Reply]:
    return [Reply(text, tuple(choices), hint, turn) for text, choices, hint, turn in orjson.loads(raw)]


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
            return await self._step(inbound, deliver, None)
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
        does before its step, once per message (e.g. open WeChat's window: a retry must not)."""
        channel, dedupe = inbound.user.channel, self.backends.dedupe
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        try:
            while (token := await dedupe.claim(channel, dedupe_key)) is None:
                if (raw := await dedupe.recall(channel, dedupe_key)) is not None:
                    return decode_replies(raw)
                if loop.time() >= deadline:
                    return None
                await asyncio.sleep(0.05)
        except Exception as exc:  # Redis away: nothing claimed, nothing done
            log.warning("%s message %s not claimed: %r", channel, dedupe_key, exc)
            raise StepFailed(0) from exc
        try:
            renew = lambda: dedupe.renew(channel, dedupe_key, token)  # noqa: E731
            async with kept(renew, dedupe.lease_s / 3 if dedupe.lease_s else None, f"message {dedupe_key}"):
                if first is not None:
                    await first()
                return await self._step(inbound, deliver, (dedupe_key, alive))
        except BaseException as exc:
            return await self._failed(inbound, dedupe_key, token, exc)

    async def _failed(self, inbound: Inbound, dedupe_key: str, token: str, exc: BaseException) -> list[Reply]:
        """Release the claim so the platform's retry runs the step again; the last retry gets
        an apology (and the message is done), so a step that always fails does not loop."""
        channel, dedupe = inbound.user.channel, self.backends.dedupe
        try:
            failures = await dedupe.release(channel, dedupe_key, token)
        except Exception:  # Redis away too: the claim's lease lapses by itself
            log.exception("could not release %s message %s", channel, dedupe_key)
            failures = 0
        if not isinstance(exc, Exception):  # cancelled, or the process is stopping
            raise exc
        if isinstance(exc, ClientGone):
            raise exc
        if failures >= self.max_attempts:
            log.error(
                "%s message %s failed %d times: answered with an apology", channel, dedupe_key, failures
            )
            replies = [Reply(texts.STEP_FAILED_GAVE_UP)]
            await dedupe.remember(channel, dedupe_key, encode_replies(replies))
            return replies
        raise StepFailed(failures) from exc

    async def _step(
        self, inbound: Inbound, deliver: Deliver | None, once: tuple[str, Alive | None] | None
    ) -> list[Reply]:
        """One dialog step in the citizen's turn; raises ``StepFailed`` when it did not happen
        (and notices taken to ride along with its reply wait again, unless they went out)."""
        taken: list[Riding] = []

        async def sending(replies: list[Reply]) -> list[Reply]:
            assert deliver is not None
            sent = await deliver(replies)
            taken.clear()  # handed to the platform: theirs now, whatever happens next
            return sent

        try:
            return await self._turn(inbound, deliver and sending, once, taken)
        except BaseException:
            for riding in taken:
                await self._give_back(riding, inbound)
            raise

    async def _turn(
        self,
        inbound: Inbound,
        deliver: Deliver | None,
        once: tuple[str, Alive | None] | None,
        taken: list[Riding],
    ) -> list[Reply]:
        metrics.INBOUND.labels(inbound.user.channel).inc()
        assert self.backends.turns is not None
        async with self.backends.turns.turn(inbound.user.key) as turn:
            if once is not None and once[1] is not None and not once[1]():
                raise ClientGone(inbound.message_id)
            if once is not None and (raw := turn.replies_if_done(inbound.user.channel, once[0])):
                return decode_replies(raw)  # done before a restart: answered, not run again
            conv = Conversation.from_bytes(turn.state)
            reads_followups, waiting = needs_followups(conv), None
            try:
                followups = Followups()
                if reads_followups:  # what arrives with this reply was not on screen: taken after
                    followups = await self.port.followups(inbound.user, inbound.time)
                    waiting = await self._held(inbound, taken)
                context = Context(inbound.time, followups, self.resume_after_s, arriving=waiting is not None)
                conv, replies = await handle(conv, inbound, context, self.port)
            except Exception as exc:
                self.errors += 1
                metrics.DIALOG_ERRORS.inc()
                log.exception(
                    "dialog step failed for %s message %s", inbound.user.channel, inbound.message_id
                )
                raise StepFailed(0) from exc
            if not reads_followups:
                waiting = await self._held(inbound, taken)
            replies = [Reply(waiting), *replies] if waiting else replies
            replies = [replace(r, turn=conv.turn) for r in replies]  # what a button on them answers
            if deliver is not None:
                replies = await deliver(replies)
            turn.save(conv.to_bytes())
            if once is not None:
                turn.finish(inbound.user.channel, once[0], encode_replies(replies))
        return replies

    async def _held(self, inbound: Inbound, taken: list[Riding]) -> str | None:
        """Notices waiting for this citizen, taken to ride along with the reply (marked sent)."""
        if self.held is None:
            return None
        try:
            riding = await self.held(inbound.user, inbound.time)
        except Exception:  # a notice stays held; the reply still goes
            log.exception("could not load held notices for %s", inbound.user.channel)
            return None
        if riding is None:
            return None
        taken.append(riding)
        return riding.text

    async def _give_back(self, riding: Riding, inbound: Inbound) -> None:
        assert self.held is not None
        try:
            await self.held.give_back(riding, inbound.time)
        except Exception:  # the database away too: they stay marked sent (logged, with their ids)
            log.exception("notices %s rode with a failed step and could not be given back", riding.ids)

    async def forget(self, key: str) -> None:
        """Drop a citizen's conversation state (e.g. on WeChat unsubscribe)."""
        async with self.backends.locks.lock(key):
            await self.backends.state.delete(key)
