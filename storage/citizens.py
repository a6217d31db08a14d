"""Whether a citizen can be reached on their channel (e.g. a WeChat follower who unfollowed)."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.types import UserRef
from storage.models import Citizen, Outbox


async def mark_unsubscribed(channel: str, external_id: str, at: datetime | None = None) -> int:
    """Stop notices to this citizen; their items stay as records. Returns rows changed (0 or 1)."""
    return await Citizen.filter(channel=channel, external_id=external_id).update(
        reachable=False, unsubscribed_at=at or datetime.now(UTC)
    )


async def mark_subscribed(channel: str, external_id: str) -> int:
    """The citizen follows again: notices may reach them."""
    return await Citizen.filter(channel=channel, external_id=external_id, reachable=False).update(
        reachable=True, unsubscribed_at=None
    )


async def is_reachable(channel: str, external_id: str) -> bool:
    """False only for a known citizen marked unreachable."""
    citizen = await Citizen.filter(channel=channel, external_id=external_id).first()
    return citizen is None or citizen.reachable


async def touch_inbound(channel: str, external_id: str, at: datetime, *, create: bool = False) -> None:
    """The citizen wrote: a new platform window opens with its full quota, and they are reachable.

    ``create`` makes the citizen row on first contact (the WeChat window needs one to count on)."""
    fresh = {"last_inbound_at": at, "window_sent": 0, "reachable": True}
    updated = await Citizen.filter(channel=channel, external_id=external_id).update(**fresh)
    if not updated and create:
        citizen, _ = await Citizen.get_or_create(channel=channel, external_id=external_id)
        await Citizen.filter(id=citizen.id).update(**fresh)


async def inbound_window(channel: str, external_id: str, via: str) -> tuple[datetime, int] | None:
    """``(last_inbound_at, notices sent ``via`` since then)`` or None before any message."""
    citizen = await Citizen.filter(channel=channel, external_id=external_id).first()
    if citizen is None or citizen.last_inbound_at is None:
        return None
    used = await Outbox.filter(
        citizen_id=citizen.id, sent_via=via, sent_at__gte=citizen.last_inbound_at
    ).count()
    return citizen.last_inbound_at, used


async def forget_inbound(channel: str, external_id: str) -> None:
    await Citizen.filter(channel=channel, external_id=external_id).update(last_inbound_at=None)


async def set_reachable(user: UserRef, reachable: bool) -> None:
    """Mark a citizen (created on first sight) as reachable or not (e.g. the Telegram bot blocked)."""
    citizen, _ = await Citizen.get_or_create(channel=user.channel, external_id=user.user_id)
    if citizen.reachable != reachable:
        citizen.reachable = reachable
        citizen.unsubscribed_at = None if reachable else datetime.now(UTC)
        await citizen.save(update_fields=["reachable", "unsubscribed_at"])
