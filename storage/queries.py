"""Read queries for staff: item listings and one item in full, as plain dicts (codes, not labels:
``admin_cli`` shows them in Chinese). Phones are masked unless ``reveal``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from storage import privacy
from storage.errors import NotFound
from storage.models import Department, Item, ItemEvent, Message
from storage.similar.staff import duplicates_of
from storage.workflow.transitions import allowed_commands
from storage.workflow.vocabulary import OPEN, WAITING_ON_CITIZEN


@dataclass(frozen=True, slots=True)
class ItemFilter:
    kind: str | None = None
    status: str | None = None
    channel: str | None = None
    department: str | None = None
    campaign: int | None = None
    overdue: bool = False  # past its acceptance or handling limit
    due_within: int | None = None  # days
    waiting: bool = False  # 事前/事中沟通: waiting for the citizen's words
    search: str | None = None  # in ticket, title, category
    sort: str = "created"  # or "deadline"
    limit: int = 50
    offset: int = 0


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def item_row(item: Item, reveal: bool = False) -> dict[str, Any]:
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
        "citizen": privacy.contact(item, reveal),
    }


def late_by(limit: datetime) -> Q:
    """Open items whose running clock ends by ``limit``: acceptance until accepted, then handling."""
    accepting = Q(accepted_at__isnull=True, accept_due_at__lte=limit)
    handling = Q(accepted_at__isnull=False, due_at__lte=limit)
    return Q(status__in=list(OPEN)) & (accepting | handling)


async def list_items(
    f: ItemFilter, now: datetime | None = None, reveal: bool = False
) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    query = Item.all().select_related("citizen")
    simple = {
        "kind": f.kind,
        "status": f.status,
        "channel": f.channel,
        "campaign_id": f.campaign,
        "departments__name": f.department,
    }
    query = query.filter(**{k: v for k, v in simple.items() if v is not None})
    if f.waiting:
        query = query.filter(status__in=list(WAITING_ON_CITIZEN))
    if f.search:
        query = query.filter(
            Q(ticket__icontains=f.search) | Q(title__icontains=f.search) | Q(category__icontains=f.search)
        )
    if f.overdue or f.due_within is not None:
        query = query.filter(late_by(now + timedelta(days=f.due_within or 0)))
    order = ("due_at", "accept_due_at", "id") if f.sort == "deadline" else ("-created_at", "-id")
    items = await query.distinct().order_by(*order).offset(f.offset).limit(f.limit)
    return [item_row(i, reveal) for i in items]


async def item_detail(ticket: str, reveal: bool = False) -> dict[str, Any]:
    item = await Item.filter(ticket=ticket).select_related("citizen").first()
    if item is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    events = await ItemEvent.filter(item_id=item.id).order_by("created_at", "id")
    departments = [d.name for d in await item.departments.all()]
    lead = await Department.filter(id=item.lead_department_id).first()  # type: ignore[attr-defined]
    thread = await Message.filter(item_id=item.id).order_by("created_at", "id")
    row = item_row(item, reveal)
    row.update(
        fields=privacy.fields(item, reveal),
        version=item.version,
        departments=departments,
        lead_department=lead.name if lead else None,
        extended_days=item.extended_days,
        redo_count=item.redo_count,
        review_level=item.review_level,
        satisfaction=item.satisfaction,
        allowed_actions=allowed_commands(item),
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
        similar=await duplicates_of(item),  # 重复件, 合并, 附议, 公开 (issue 13)
    )
    return row
