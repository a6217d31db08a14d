"""Read queries for staff: item listings and one item in full, as plain dicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.errors import NotFound
from storage.models import Item, ItemEvent, Message


@dataclass(frozen=True, slots=True)
class ItemFilter:
    kind: str | None = None
    status: str | None = None
    channel: str | None = None
    limit: int = 50
    offset: int = 0


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def item_row(item: Item) -> dict[str, Any]:
    citizen = item.citizen
    return {
        "ticket": item.ticket,
        "kind": item.kind,
        "status": item.status,
        "category": item.category,
        "title": item.title,
        "channel": item.channel,
        "created_at": iso(item.created_at),
        "accept_due_at": iso(item.accept_due_at),
        "due_at": iso(item.due_at),
        "citizen": {
            "name": citizen.name,
            "phone": citizen.phone,
            "channel": citizen.channel,
            "external_id": citizen.external_id,
        },
    }


async def list_items(f: ItemFilter) -> list[dict[str, Any]]:
    query = Item.all().select_related("citizen")
    if f.kind:
        query = query.filter(kind=f.kind)
    if f.status:
        query = query.filter(status=f.status)
    if f.channel:
        query = query.filter(channel=f.channel)
    items = await query.order_by("-created_at", "-id").offset(f.offset).limit(f.limit)
    return [item_row(i) for i in items]


async def item_detail(ticket: str) -> dict[str, Any]:
    item = await Item.filter(ticket=ticket).select_related("citizen").first()
    if item is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    events = await ItemEvent.filter(item_id=item.id).order_by("created_at", "id")
    thread = await Message.filter(item_id=item.id).order_by("created_at", "id")
    row = item_row(item)
    row.update(
        fields=item.fields_data,
        version=item.version,
        events=[
            {
                "action": e.action,
                "actor": e.actor,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
                "at": iso(e.created_at),
            }
            for e in events
        ],
        thread=[
            {
                "direction": m.direction,
                "author": m.author,
                "text": m.text,
                "attachments": m.attachments,
                "at": iso(m.created_at),
            }
            for m in thread
        ],
    )
    return row
