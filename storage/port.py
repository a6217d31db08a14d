"""The dialogs' port, implemented on the database."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from dialogs.ports import CosignOutcome, ItemBrief, RateOutcome, Receipt, ReviewOutcome, SimilarBrief
from dialogs.types import Campaign, Followups, UserRef
from storage.models import Item
from storage.similar import offers
from storage.similar.catalogue import Catalogue
from storage.workflow import citizen, service, supporters
from storage.workflow.clocks import Clocks


class StoragePort:
    """What a dialog step may do to the outside world, done with tortoise-orm. Dates handed to
    the dialogs are in the office's time zone (they format them as they are)."""

    def __init__(
        self, clocks: Clocks, campaigns_ttl_s: float = 1.0, catalogue: Catalogue | None = None
    ) -> None:
        self.clocks = clocks
        self.campaigns_ttl_s = campaigns_ttl_s
        self.catalogue = catalogue if catalogue is not None else Catalogue()
        self._campaigns: tuple[float, tuple[Campaign, ...]] = (float("-inf"), ())

    async def submit(self, user: UserRef, kind: str, values: dict[str, Any], key: str) -> Receipt:
        receipt = await service.submit(user, kind, values, key, clocks=self.clocks)
        return Receipt(receipt.ticket, receipt.kind, self.clocks.local(receipt.created_at), receipt.duplicate)

    def _brief(self, item: Item) -> ItemBrief:
        return ItemBrief(item.ticket, item.kind, item.status, item.title, self.clocks.local(item.created_at))

    async def my_items(self, user: UserRef, limit: int = 10) -> list[ItemBrief]:
        items = (
            await Item.filter(citizen__channel=user.channel, citizen__external_id=user.user_id)
            .order_by("-created_at")
            .limit(limit)
        )
        return [self._brief(i) for i in items]

    async def find_item(self, user: UserRef, ticket: str) -> ItemBrief | None:
        """One of the citizen's items, or one they support (附议: shown by its public title)."""
        mine = {"citizen__channel": user.channel, "citizen__external_id": user.user_id}
        item = await Item.filter(ticket=ticket, **mine).first()
        if item is not None:
            return self._brief(item)
        supported = {
            "supports__citizen__channel": user.channel,
            "supports__citizen__external_id": user.user_id,
        }
        backed = await Item.filter(ticket=ticket, **supported).first()
        if backed is None:
            return None
        return ItemBrief(
            backed.ticket,
            backed.kind,
            backed.status,
            backed.public_title or backed.ticket,
            self.clocks.local(backed.created_at),
        )

    async def followups(self, user: UserRef, at: datetime) -> Followups:
        """What waits for the citizen who wrote at ``at`` (the questions shown by then)."""
        return await citizen.followups(user, at, await self._open_campaigns(service.utcnow()))

    async def campaigns(self) -> tuple[Campaign, ...]:
        return await self._open_campaigns(service.utcnow())

    async def _open_campaigns(self, now: datetime) -> tuple[Campaign, ...]:
        """Open campaigns, read at most once a second: only idle steps read them (never a step
        inside a form), and a campaign staff add or close, or a poster's campaign, is known at once."""
        loaded_at, cached = self._campaigns
        if time.monotonic() - loaded_at < self.campaigns_ttl_s:
            return cached
        fresh = await citizen.open_campaigns(self.clocks.today(now))
        self._campaigns = (time.monotonic(), fresh)
        return fresh

    async def reply(self, user: UserRef, ticket: str, text: str, media: str | None) -> None:
        await citizen.reply(user, ticket, text, media)

    async def rate(self, user: UserRef, ticket: str, score: int) -> RateOutcome:
        return await citizen.rate(user, ticket, score, clocks=self.clocks)

    async def comment(self, user: UserRef, ticket: str, text: str) -> None:
        await citizen.comment(user, ticket, text)

    async def request_review(self, user: UserRef, ticket: str | None) -> ReviewOutcome:
        return await citizen.request_review(user, ticket, clocks=self.clocks)

    async def similar(self, user: UserRef, kind: str, text: str) -> tuple[SimilarBrief, ...]:
        found = await offers.for_citizen(user, kind, text, self.catalogue)
        return tuple(
            SimilarBrief(
                item.ticket,
                item.kind,
                item.public_title if item.published else item.title,
                item.status,
                self.clocks.local(item.created_at),
                self.clocks.local(item.due_at) if item.due_at else None,
                count,
            )
            for item, count in found
        )

    async def cosign(self, user: UserRef, ticket: str) -> CosignOutcome:
        return await supporters.cosign(user, ticket, service.utcnow())

    async def supplement(self, user: UserRef, ticket: str, text: str, photos: tuple[str, ...]) -> None:
        await citizen.supplement(user, ticket, text, photos)

    async def uncosign(self, user: UserRef, ticket: str) -> bool:
        return await supporters.uncosign(user, ticket, service.utcnow())
