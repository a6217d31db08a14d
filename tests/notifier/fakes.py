"""Test doubles on the ``Sender`` seam: a FakeSender that records sends and scripts failures,
and helpers that write outbox rows the way the workflow does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from notifier.sender import Delivery, Notice
from storage.models import Citizen, Item, Outbox

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai: outside quiet hours


class FakeSender:
    """Implements ``Sender`` in memory (``merges`` like a platform that counts messages).

    ``script`` holds the next outcomes in order (an exception to raise, or None for success);
    ``always`` maps a recipient to an exception raised for every send to them."""

    def __init__(self, channel: str = "telegram", *, merges: bool = False) -> None:
        self.channel = channel
        self.merges = merges
        self.sent: list[Notice] = []
        self.script: list[Exception | None] = []
        self.always: dict[str, Exception] = {}
        self.calls = 0
        self.closed = False

    def _outcome(self, notice: Notice) -> None:
        self.calls += 1
        if notice.recipient in self.always:
            raise self.always[notice.recipient]
        if self.script and (exc := self.script.pop(0)) is not None:
            raise exc

    async def send(self, notice: Notice) -> Delivery:
        self._outcome(notice)
        self.sent.append(notice)
        return Delivery("message", f"m{len(self.sent)}")

    async def aclose(self) -> None:
        self.closed = True


async def citizen(channel: str, user: str, *, last_inbound_at: datetime | None = None) -> Citizen:
    return await Citizen.create(channel=channel, external_id=user, last_inbound_at=last_inbound_at)


async def item(owner: Citizen, n: int = 1) -> Item:
    return await Item.create(
        ticket=f"JY-20261123-{n:04d}",
        kind="suggestion",
        status="accepted",
        channel=owner.channel,
        citizen=owner,
    )


async def notices(
    owner: Citizen,
    about: Item | None,
    kinds: Iterable[str],
    *,
    at: datetime = T0,
    priority: int = 5,
    status: str = "pending",
) -> list[Outbox]:
    rows = []
    for i, kind in enumerate(kinds):
        rows.append(
            await Outbox.create(
                item=about,
                citizen=owner,
                channel=owner.channel,
                kind=kind,
                text=f"{kind} 的通知",
                priority=priority,
                status=status,
                next_attempt_at=at,
                dedupe_key=f"{owner.id}:{about.id if about else 0}:{kind}:{i}:{at.timestamp()}",
            )
        )
    return rows
