"""Held notices reach the citizen with the reply to their next message (every channel), or
when the web page polls. Each notice is marked sent as it is handed over, so it goes once."""

from __future__ import annotations

from datetime import datetime

from dialogs.types import UserRef
from notifier.merge import together
from storage import outbox


async def ride_along(user: UserRef, now: datetime) -> str | None:
    """The citizen wrote: their chat window reopens, and what waited for them comes along."""
    await outbox.touch_inbound(user.channel, user.user_id, now)
    rows = await outbox.take_held(user.channel, user.user_id, now, via="reply")
    return together([r.text for r in rows], headed=True) if rows else None


async def poll(user: UserRef, now: datetime) -> list[str]:
    """What a web page that polls should show now (held notices, oldest first)."""
    return [r.text for r in await outbox.take_held(user.channel, user.user_id, now, via="poll")]
