"""The dialogs' port, implemented on the database."""

from __future__ import annotations

from typing import Any

from dialogs.ports import ItemBrief, Receipt
from dialogs.types import UserRef
from storage.models import Item
from storage.workflow import service


def _brief(item: Item) -> ItemBrief:
    return ItemBrief(item.ticket, item.kind, item.status, item.title, item.created_at)


class StoragePort:
    """What a dialog step may do to the outside world, done with tortoise-orm."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        self.tz = tz

    async def submit(self, user: UserRef, kind: str, values: dict[str, Any], key: str) -> Receipt:
        return await service.submit(user, kind, values, key, tz=self.tz)

    async def my_items(self, user: UserRef, limit: int = 10) -> list[ItemBrief]:
        items = (
            await Item.filter(citizen__channel=user.channel, citizen__external_id=user.user_id)
            .order_by("-created_at")
            .limit(limit)
        )
        return [_brief(i) for i in items]

    async def find_item(self, user: UserRef, ticket: str) -> ItemBrief | None:
        item = await Item.filter(
            ticket=ticket, citizen__channel=user.channel, citizen__external_id=user.user_id
        ).first()
        return _brief(item) if item else None
