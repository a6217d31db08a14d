"""Citizens as the channels see them: whether they can be reached (a WeChat follower who
unfollowed, a Telegram user who blocked the bot), when they last wrote, and — for the WeChat
channel without Redis — the rows its customer-service window is counted on (the rules of that
window are the channel's: ``bot/channels/wechat/window.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from dialogs.types import UserRef
from storage.models import Citizen


async def mark_unsubscribed(channel: str, external_id: str, at: datetime | None = None) -> int:
    """Stop notices to this citizen; their items stay as records. Returns rows changed (0 or 1)."""
    return await Citizen.filter(channel=channel, external_id=external_id).update(
        reachable=False, unsubscribed_at=at or datetime.now(UTC), window_opened_at=None
    )


async def mark_subscribed(channel: str, external_id: str) -> int:
    """The citizen follows again: notices may reach them."""
    return await Citizen.filter(channel=channel, external_id=external_id, reachable=False).update(
        reachable=True, unsubscribed_at=None
    )


async def touch_inbound(channel: str, external_id: str, at: datetime) -> None:
    """The citizen wrote: they are reachable again, and this is when they were last seen —
    unless they left after ``at`` (a touch written late must not undo an unsubscribe)."""
    since = Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__lt=at)
    await Citizen.filter(since, channel=channel, external_id=external_id).update(
        last_inbound_at=at, reachable=True
    )


async def touch_many(seen: dict[tuple[str, str], datetime]) -> None:
    """``touch_inbound`` for a batch of citizens, in one transaction."""
    async with in_transaction():
        for (channel, external_id), at in seen.items():
            await touch_inbound(channel, external_id, at)


async def set_reachable(user: UserRef, reachable: bool) -> None:
    """Mark a citizen (created on first sight) as reachable or not (e.g. the Telegram bot blocked)."""
    citizen, _ = await Citizen.get_or_create(channel=user.channel, external_id=user.user_id)
    if citizen.reachable != reachable:
        citizen.reachable = reachable
        citizen.unsubscribed_at = None if reachable else datetime.now(UTC)
        await citizen.save(update_fields=["reachable", "unsubscribed_at"])


# --- a platform window counted on the citizen row (used when there is no Redis) ---


async def open_window(channel: str, external_id: str, at: datetime) -> None:
    """A fresh window with a full quota (the row is made on first contact), unless the citizen
    left after ``at`` (a renewal written late must not reopen it)."""
    fresh = {"window_opened_at": at, "window_sent": 0, "last_inbound_at": at, "reachable": True}
    mine = Citizen.filter(channel=channel, external_id=external_id)
    if await mine.filter(Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__lt=at)).update(**fresh):
        return
    if not await mine.exists():
        citizen, _ = await Citizen.get_or_create(channel=channel, external_id=external_id)
        await Citizen.filter(id=citizen.id).update(**fresh)


async def window_of(channel: str, external_id: str) -> tuple[datetime, int] | None:
    """``(opened_at, sent)`` of the citizen's window, or None when none was opened."""
    row = await Citizen.filter(channel=channel, external_id=external_id).values(
        "window_opened_at", "window_sent"
    )
    if not row or row[0]["window_opened_at"] is None:
        return None
    return row[0]["window_opened_at"], int(row[0]["window_sent"])


async def take_window_slot(channel: str, external_id: str, opened_after: datetime, below: int) -> bool:
    """Count one message in a window opened after ``opened_after`` if fewer than ``below`` were
    sent in it, atomically (several processes never overspend it)."""
    taken = await Citizen.filter(
        channel=channel, external_id=external_id, window_opened_at__gt=opened_after, window_sent__lt=below
    ).update(window_sent=F("window_sent") + 1)
    return bool(taken)


async def give_window_slot(channel: str, external_id: str) -> None:
    await Citizen.filter(channel=channel, external_id=external_id, window_sent__gt=0).update(
        window_sent=F("window_sent") - 1
    )


async def shut_window(channel: str, external_id: str) -> None:
    """The platform said the window is closed: believe it until the citizen writes again."""
    await Citizen.filter(channel=channel, external_id=external_id).update(window_opened_at=None)
