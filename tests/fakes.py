"""Test doubles that implement the real seams (the dialogs' Port)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from dialogs.ports import CosignOutcome, ItemBrief, RateOutcome, Receipt, ReviewOutcome, SimilarBrief
from dialogs.types import Campaign, Followups, UserRef


class FakePort:
    """The dialogs' port in memory: items by submission key, tickets numbered in order."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[UserRef, ItemBrief, dict[str, Any]]] = {}
        self.fail_submit = False
        self.pending = Followups()  # what the test says waits on the citizen
        self.calls: list[tuple[str, Any]] = []
        self.alike: dict[str, tuple[SimilarBrief, ...]] = {}  # by kind: what a lookup finds
        self.cosigns: dict[str, str] = {}  # ticket → the outcome ``cosign`` gives ("done" if absent)

    async def submit(self, user: UserRef, kind: str, values: dict[str, Any], key: str) -> Receipt:
        if self.fail_submit:
            raise RuntimeError("database down")
        if key in self.items:
            brief = self.items[key][1]
            return Receipt(brief.ticket, kind, brief.created_at, duplicate=True)
        prefix = "JY" if kind == "suggestion" else "TS"
        ticket = f"{prefix}-20261122-{len(self.items) + 1:04d}"
        brief = ItemBrief(
            ticket,
            kind,
            "received",
            str(values.get("title") or values.get("what")),
            datetime(2026, 11, 22, tzinfo=UTC),
        )
        self.items[key] = (user, brief, dict(values))
        return Receipt(ticket, kind, brief.created_at)

    async def my_items(self, user: UserRef, limit: int = 10) -> list[ItemBrief]:
        return [b for u, b, _ in self.items.values() if u == user][:limit]

    async def find_item(self, user: UserRef, ticket: str) -> ItemBrief | None:
        return next((b for u, b, _ in self.items.values() if u == user and b.ticket == ticket), None)

    async def followups(self, user: UserRef, at: datetime) -> Followups:
        return self.pending

    async def campaigns(self) -> tuple[Campaign, ...]:
        return self.pending.campaigns

    async def reply(self, user: UserRef, ticket: str, text: str, media: str | None) -> None:
        self.calls.append(("reply", (ticket, text, media)))

    async def rate(self, user: UserRef, ticket: str, score: int) -> RateOutcome:
        self.calls.append(("rate", (ticket, score)))
        return RateOutcome(ticket, "complaint", score)

    async def comment(self, user: UserRef, ticket: str, text: str) -> None:
        self.calls.append(("comment", (ticket, text)))

    async def request_review(self, user: UserRef, ticket: str | None) -> ReviewOutcome:
        self.calls.append(("review", ticket))
        return ReviewOutcome("accepted", ticket or "TS-20261122-0001", 1)

    async def similar(self, user: UserRef, kind: str, text: str) -> tuple[SimilarBrief, ...]:
        self.calls.append(("similar", (kind, text)))
        return self.alike.get(kind, ())

    async def cosign(self, user: UserRef, ticket: str) -> CosignOutcome:
        self.calls.append(("cosign", ticket))
        return CosignOutcome(self.cosigns.get(ticket, "done"), ticket, f"标题{ticket[-1]}")

    async def uncosign(self, user: UserRef, ticket: str) -> bool:
        self.calls.append(("uncosign", ticket))
        return ticket in self.cosigns

    async def supplement(self, user: UserRef, ticket: str, text: str, photos: tuple[str, ...]) -> None:
        self.calls.append(("supplement", (ticket, text, photos)))


def blocked_steps(pipeline: Any) -> asyncio.Event:
    """Make ``pipeline``'s dialog steps wait until the returned event is set (a slow database,
    a burst in progress): what arrives meanwhile meets a full process."""
    step, go = pipeline._step, asyncio.Event()

    async def waiting(*args: Any, **kwargs: Any) -> Any:
        await go.wait()
        return await step(*args, **kwargs)

    pipeline._step = waiting
    return go


def database_away(pipeline: Any, times: int) -> None:
    """The next ``times`` lookups of a citizen's items through ``pipeline``'s port fail as if
    the database were down (then they work again)."""
    port, down = pipeline.port, [times]
    my_items = port.my_items

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        if down[0] > 0:
            down[0] -= 1
            raise ConnectionError("database went away")
        return await my_items(*args, **kwargs)

    port.my_items = flaky
