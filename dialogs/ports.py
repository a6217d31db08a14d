"""The port: what the dialogs need from the outside world, as a Protocol they own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dialogs.types import UserRef


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


class Port(Protocol):
    """Side effects a dialog step may ask for; ``storage`` implements it, tests fake it."""

    async def submit(self, user: UserRef, kind: str, values: dict[str, Any], key: str) -> Receipt: ...

    async def my_items(self, user: UserRef, limit: int = 10) -> list[ItemBrief]: ...

    async def find_item(self, user: UserRef, ticket: str) -> ItemBrief | None: ...
