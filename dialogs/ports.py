"""The port: what the dialogs need from the outside world, as a Protocol they own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dialogs.types import Campaign, Followups, UserRef


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a submitted form became."""

    ticket: str
    kind: str
    created_at: datetime
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class ItemBrief:
    ticket: str
    kind: str
    status: str
    title: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RateOutcome:
    ticket: str
    kind: str
    score: int
    already: bool = False  # rated before: nothing changed
    redo: int = 0  # a complaint sent back to its department: how many times now
    new_due: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """``reason`` is "accepted" or why not (a key of ``texts.REVIEW_REFUSED``)."""

    reason: str
    ticket: str = ""
    level: int = 0


class Port(Protocol):
    """Side effects a dialog step may ask for; ``storage`` implements it, tests fake it."""

    async def submit(self, user: UserRef, kind: str, values: dict[str, Any], key: str) -> Receipt: ...

    async def my_items(self, user: UserRef, limit: int = 10) -> list[ItemBrief]: ...

    async def find_item(self, user: UserRef, ticket: str) -> ItemBrief | None: ...

    async def followups(self, user: UserRef, at: datetime) -> Followups:
        """What waits for the citizen who wrote at ``at``: only questions shown to them by then."""
        ...

    async def campaigns(self) -> tuple[Campaign, ...]:
        """The open campaigns (what ``followups`` carries when nothing else waits)."""
        ...

    async def reply(self, user: UserRef, ticket: str, text: str, media: str | None) -> None: ...

    async def rate(self, user: UserRef, ticket: str, score: int) -> RateOutcome: ...

    async def comment(self, user: UserRef, ticket: str, text: str) -> None: ...

    async def request_review(self, user: UserRef, ticket: str | None) -> ReviewOutcome: ...
