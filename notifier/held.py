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


class Riding(NamedTuple):
    """Notices handed to a reply: their text, and their rows (to give back if the reply fails)."""

    text: str
    ids: tuple[int, ...]


class RideAlong:
    """The pipeline's hook: the citizen wrote, so their chat window reopens and what waited for
    them comes along. The window touch is written at most every ``touch_every`` per citizen per
    process (an optimisation: a skipped touch can only make a window close early, never late)."""

    def __init__(self, touch_every: timedelta = timedelta(seconds=30), max_memo: int = 100_000) -> None:
        self.touch_every = touch_every
        self.max_memo = max_memo
        self._touched: dict[str, datetime] = {}

    async def __call__(self, user: UserRef, now: datetime) -> Riding | None:
        last = self._touched.get(user.key)
        if last is None or not last <= now < last + self.touch_every:
            await citizens.touch_inbound(user.channel, user.user_id, now)
            if len(self._touched) >= self.max_memo:
                self._touched.clear()
            self._touched[user.key] = now
        rows = await outbox.take_held(user.channel, user.user_id, now, via="reply")
        return (
            Riding(together([r.text for r in rows], headed=True), tuple(r.id for r in rows)) if rows else None
        )

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
