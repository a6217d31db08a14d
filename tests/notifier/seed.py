"""Many outbox rows at once (bulk inserts), for the multi-relay, crash and benchmark runs."""

from __future__ import annotations

from datetime import datetime

from storage.models import Citizen, Item, Outbox


async def seed(
    citizens: int, per_item: tuple[int, ...], at: datetime, channel: str = "telegram"
) -> list[int]:
    """``citizens`` Telegram citizens, each with one item per entry of ``per_item`` carrying that
    many pending notices; returns the outbox ids in creation order."""
    await Citizen.bulk_create(
        [Citizen(channel=channel, external_id=f"c{i}") for i in range(citizens)], batch_size=1000
    )
    owners = await Citizen.filter(channel=channel).order_by("id").values_list("id", flat=True)
    await Item.bulk_create(
        [
            Item(
                ticket=f"JY-B{c}-{k}",
                kind="suggestion",
                status="accepted",
                channel=channel,
                citizen_id=c,
            )
            for c in owners
            for k in range(len(per_item))
        ],
        batch_size=1000,
    )
    items = await Item.filter(citizen_id__in=owners).order_by("id").values_list("id", "citizen_id")
    rows = []
    for n, (item_id, owner) in enumerate(items):
        for j in range(per_item[n % len(per_item)]):
            rows.append(
                Outbox(
                    item_id=item_id,
                    citizen_id=owner,
                    channel=channel,
                    kind=f"k{j}",
                    text=f"第{j + 1}条",
                    next_attempt_at=at,
                    dedupe_key=f"{item_id}:{j}",
                )
            )
    await Outbox.bulk_create(rows, batch_size=1000)
    return list(await Outbox.all().order_by("id").values_list("id", flat=True))
