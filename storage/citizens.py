"""Queries about citizens that channels need: whether a citizen can be reached."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.types import UserRef
from storage.models import Citizen


async def set_reachable(user: UserRef, reachable: bool) -> None:
    """Mark a citizen (created on first sight) as reachable or not (e.g. bot blocked)."""
    citizen, _ = await Citizen.get_or_create(channel=user.channel, external_id=user.user_id)
    if citizen.reachable != reachable:
        citizen.reachable = reachable
        citizen.unsubscribed_at = None if reachable else datetime.now(UTC)
        await citizen.save(update_fields=["reachable", "unsubscribed_at"])


async def is_reachable(user: UserRef) -> bool:
    citizen = await Citizen.filter(channel=user.channel, external_id=user.user_id).first()
    return citizen is None or citizen.reachable
