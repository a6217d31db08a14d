"""The path of one message after its adapter: dedupe → per-user lock → state → dialog step →
save → replies. Platform-neutral (aiogram's ``Dispatcher.feed_update``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import orjson

from dialogs import Context, Conversation, Inbound, Port, Reply, handle, texts
from storage.backends import Backends

log = logging.getLogger(__name__)
Deliver = Callable[[list[Reply]], Awaitable[list[Reply]]]


def encode_replies(replies: list[Reply]) -> bytes:
    return orjson.dumps([[r.text, list(r.choices), r.hint] for r in replies])


def decode_replies(raw: bytes) -> list[Reply]:
    return [Reply(text, tuple(choices), hint) for text, choices, hint in orjson.loads(raw)]


class Pipeline:
    """Feeds inbound messages through the dialogs, one citizen at a time."""

    def __init__(
        self,
        backends: Backends,
        port: Port,
        *,
        resume_after_s: int = 1800,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.backends = backends
        self.port = port
        self.resume_after_s = resume_after_s
        self.clock = clock
        self.errors = 0

    async def feed(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Reply]:
        """Handle one message; a failure inside the step is logged and answered with an apology.

        ``deliver`` (a channel that sends its replies itself, e.g. Telegram) runs inside the
        citizen's lock after the state is saved, so one citizen's replies go out in order; it
        returns the replies it could not send, and those are what ``feed`` returns."""
        key = inbound.user.key
        async with self.backends.locks.lock(key):
            conv = Conversation.from_bytes(await self.backends.state.get(key))
            context = Context(now=inbound.time, resume_after_s=self.resume_after_s)
            try:
                new_conv, replies = await handle(conv, inbound, context, self.port)
            except Exception:
                self.errors += 1
                log.exception(
                    "dialog step failed for %s message %s", inbound.user.channel, inbound.message_id
                )
                replies = [Reply(texts.STEP_FAILED)]
            else:
                await self.backends.state.set(key, new_conv.to_bytes())
            if deliver is not None:
                replies = await deliver(replies)
        return replies

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
