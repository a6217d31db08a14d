"""The dead-letter table: payloads a channel could not parse, answered and kept aside."""

from __future__ import annotations

from storage.models import DeadLetter

MAX_PAYLOAD = 64 * 1024


async def keep(channel: str, payload: bytes, reason: str) -> int:
    """Store an unparseable payload (cut at 64 KiB) and return its id."""
    text = payload[:MAX_PAYLOAD].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    reason = reason[:1000].replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
    row = await DeadLetter.create(channel=channel, payload=text, reason=reason)
    return row.id


async def recent(channel: str, limit: int = 20) -> list[DeadLetter]:
    return await DeadLetter.filter(channel=channel).order_by("-id").limit(limit)
