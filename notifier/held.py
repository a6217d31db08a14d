"""Held notices reach the citizen with the reply to their next message (every channel), or
when the web page polls. A notice riding along is marked sent as it is handed over, so it goes
once; the web page's poll only looks (``waiting``) and the page acknowledges what it showed
(``ack``), so a poll whose answer never reached the screen loses nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from dialogs.types import UserRef
from notifier.merge import together
from storage import citizens, outbox
from storage.batch import Batcher
from storage.workflow.vocabulary import ASKS_RATING, INVITES_REPLY

ASKING = frozenset([*INVITES_REPLY, *ASKS_RATING])


class Riding(NamedTuple):
    """Notices handed to a reply: their text, and their rows (to give back if the reply fails)."""

    text: str
    ids: tuple[int, ...]


class RideAlong:
    """The pipeline's hook: the citizen wrote, so they are reachable (``wrote``), and what waited
    for them comes along (``__call__``). "Last seen" is written at most every ``touch_every``
    per citizen per process, in batches every ``flush_every_s`` (a skipped or late touch only
    makes a citizen look seen a little earlier)."""

    def __init__(
        self,
        touch_every: timedelta = timedelta(seconds=30),
        flush_every_s: float = 1.0,
        max_memo: int = 100_000,
    ) -> None:
        self.touch_every = touch_every
        self.max_memo = max_memo
        self._touched: dict[str, datetime] = {}
        self._touches: Batcher[tuple[str, str], datetime] = Batcher(
            citizens.touch_many, flush_every_s, "citizens last seen"
        )

    def wrote(self, user: UserRef, now: datetime) -> None:
        last = self._touched.get(user.key)
        if last is not None and last <= now < last + self.touch_every:
            return
        if len(self._touched) >= self.max_memo:
            self._touched.clear()
        self._touched[user.key] = now
        self._touches.note((user.channel, user.user_id), now)

    async def __call__(self, user: UserRef, now: datetime) -> tuple[Riding | None, bool]:
        """The notices taken, and whether one of the citizen's may still matter to a later step
        (one is being sent, or one taken asks a question: its answer comes next)."""
        rows, left = await outbox.take_waiting(user.channel, user.user_id, now, via="reply")
        asks = any(r.kind in ASKING for r in rows)
        texts = [r.text for r in rows]
        riding = Riding(together(texts, headed=True), tuple(r.id for r in rows)) if rows else None
        return riding, left or asks

    async def flush(self) -> None:
        await self._touches.flush()

    async def aclose(self) -> None:
        await self._touches.aclose()

    async def give_back(self, riding: Riding, now: datetime) -> None:
        """The reply they rode with did not happen (its step failed): they wait again."""
        await outbox.give_back(riding.ids, now)


async def poll(user: UserRef, now: datetime) -> list[str]:
    """What a web page that polls should show now (held notices, oldest first)."""
    return [r.text for r in await outbox.take_held(user.channel, user.user_id, now, via="poll")]


class Waiting(NamedTuple):
    """A notice waiting for a page: ``id`` is what the page acknowledges."""

    id: int
    text: str


async def waiting(user: UserRef) -> list[Waiting]:
    """What a web page that polls should show now (held notices, oldest first), left unmarked."""
    return [Waiting(r.id, r.text) for r in await outbox.peek_held(user.channel, user.user_id)]


async def ack(user: UserRef, ids: Iterable[int], now: datetime) -> int:
    """The page showed these: mark those that are this citizen's sent (others are ignored)."""
    return await outbox.ack_held(user.channel, user.user_id, ids, now, via="poll")
