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


@dataclass(frozen=True, slots=True)
class SimilarBrief:
    """An item like the one the citizen is telling: a published suggestion (its public title)
    or one of their own open complaints. Dates in the office's time zone."""

    ticket: str
    kind: str
    title: str
    status: str
    created_at: datetime
    due_at: datetime | None = None
    supporters: int = 0


@dataclass(frozen=True, slots=True)
class CosignOutcome:
    """``reason``: "done", "already" (co-signed before), "own" (their own item) or "gone"."""

    reason: str
    ticket: str
    title: str = ""


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

    async def similar(self, user: UserRef, kind: str, text: str) -> tuple[SimilarBrief, ...]:
        """Items like ``text`` this citizen may be shown: published suggestions (not their own)
        for a suggestion, their own open complaints for a complaint; best first, at most three."""
        ...

    async def cosign(self, user: UserRef, ticket: str) -> CosignOutcome: ...

    async def supplement(self, user: UserRef, ticket: str, text: str, photos: tuple[str, ...]) -> None:
        """A new account joins the same person's open complaint ``ticket`` (a 重复件 not filed)."""
        ...

    async def uncosign(self, user: UserRef, ticket: str) -> bool:
        """False when this citizen had not co-signed ``ticket``."""
        ...
