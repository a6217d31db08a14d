"""The dead-letter table: payloads a channel could not parse, answered and kept aside."""

from __future__ import annotations

from storage.models import DeadLetter

MAX_PAYLOAD = 64 * 1024


async def keep(channel: str, payload: bytes, reason: str) -> int:
    """Store an unparseable payload (cut at 64 KiB) and return its id."""
    text = payload[:MAX_PAYLOAD].decode("utf-8", errors="replace")
    row = await DeadLetter.create(channel=channel, payload=text, reason=reason[:1000])
    return row.id


async def recent(channel: str, limit: int = 20) -> list[DeadLetter]:
    return await DeadLetter.filter(channel=channel).order_by("-id").limit(limit)
