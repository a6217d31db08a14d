"""The path of one message after its adapter: dedupe → per-user lock → state → dialog step →
save → replies. Platform-neutral (aiogram's ``Dispatcher.feed_update``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

import orjson

from dialogs import Context, Conversation, Inbound, Port, Reply, UserRef, handle, texts
from dialogs.engine import needs_followups
from dialogs.types import Followups
from notifier import metrics
from storage.backends import Backends

log = logging.getLogger(__name__)
HeldNotices = Callable[[UserRef, datetime], Awaitable[str | None]]  # notifier.held.RideAlong
Deliver = Callable[[list[Reply]], Awaitable[list[Reply]]]  # sends replies itself; returns the unsent


def encode_replies(replies: list[Reply]) -> bytes:
    return orjson.dumps([[r.text, list(r.choices), r.hint, r.turn] for r in replies])


def decode_replies(raw: bytes) -> list[Reply]:
    return [Reply(text, tuple(choices), hint, turn) for text, choices, hint, turn in orjson.loads(raw)]


class Pipeline:
    """Feeds inbound messages through the dialogs, one citizen at a time."""

    def __init__(
        self,
        backends: Backends,
        port: Port,
        *,
        resume_after_s: int = 1800,
        held: HeldNotices | None = None,
    ) -> None:
        self.backends = backends
        self.port = port
        self.resume_after_s = resume_after_s
        self.errors = 0
        self.held = held

    async def feed(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Reply]:
        """Handle one message; a failure inside the step is logged and answered with an apology.

        ``deliver`` (a channel that sends its replies itself, e.g. Telegram) runs inside the
        citizen's turn after the step, so one citizen's replies go out in order; it returns the
        replies it could not send, and those are what ``feed`` returns."""
        metrics.INBOUND.labels(inbound.user.channel).inc()
        assert self.backends.turns is not None
        async with self.backends.turns.turn(inbound.user.key) as turn:
            conv = Conversation.from_bytes(turn.state)
            reads_followups, waiting = needs_followups(conv), None
            try:
                followups = Followups()
                if reads_followups:  # what arrives with this reply was not on screen: taken after
                    followups = await self.port.followups(inbound.user, inbound.time)
                    waiting = await self._held(inbound)
                context = Context(inbound.time, followups, self.resume_after_s, arriving=waiting is not None)
                conv, replies = await handle(conv, inbound, context, self.port)
            except Exception:
                self.errors += 1
                metrics.DIALOG_ERRORS.inc()
                log.exception(
                    "dialog step failed for %s message %s", inbound.user.channel, inbound.message_id
                )
                replies = [Reply(texts.STEP_FAILED)]
            else:
                turn.save(conv.to_bytes())
                if not reads_followups:
                    waiting = await self._held(inbound)
            replies = [Reply(waiting), *replies] if waiting else replies
            replies = [replace(r, turn=conv.turn) for r in replies]  # what a button on them answers
            if deliver is not None:
                replies = await deliver(replies)
        return replies

    async def _held(self, inbound: Inbound) -> str | None:
        """Notices waiting for this citizen, taken to ride along with the reply (marked sent)."""
        if self.held is None:
            return None
        try:
            return await self.held(inbound.user, inbound.time)
        except Exception:  # a notice stays held; the reply still goes
            log.exception("could not load held notices for %s", inbound.user.channel)
            return None

    async def feed_once(
        self, inbound: Inbound, dedupe_key: str, wait_s: float = 0.0, deliver: Deliver | None = None
    ) -> list[Reply] | None:
        """Like ``feed``, but a platform retry of ``dedupe_key`` gets the first delivery's replies
        (with ``deliver``: the replies the first delivery could not send).

        Returns None for a retry whose first delivery has not finished within ``wait_s``.
        """
        channel = inbound.user.channel
        if await self.backends.dedupe.claim(channel, dedupe_key):
            replies = await self.feed(inbound, deliver)
            if replies or deliver is None:  # everything delivered: a retry has nothing to get
                await self.backends.dedupe.remember(channel, dedupe_key, encode_replies(replies))
            return replies
        deadline = asyncio.get_running_loop().time() + wait_s
        while True:
            if (raw := await self.backends.dedupe.recall(channel, dedupe_key)) is not None:
                return decode_replies(raw)
            if asyncio.get_running_loop().time() >= deadline:
                return None
            await asyncio.sleep(0.05)

    async def forget(self, key: str) -> None:
        """Drop a citizen's conversation state (e.g. on WeChat unsubscribe)."""
        async with self.backends.locks.lock(key):
            await self.backends.state.delete(key)
