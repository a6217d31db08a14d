"""Whether a citizen can be reached on their channel (e.g. a WeChat follower who unfollowed)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Citizen


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
