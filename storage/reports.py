"""Queries for supervision and reporting: the 督办 list, statistics, the digest, the export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import mean
from typing import Any

from storage import privacy
from storage.models import Item, ItemEvent, Support
from storage.queries import iso, late_by
from storage.similar.staff import clusters, features_of

FINISH = ("answer", "implement", "decline", "reject")  # the item got its outcome


async def overdue(now: datetime, within_days: int = 3) -> list[dict[str, Any]]:
    """Open items past or within ``within_days`` of their running clock: the 15-day acceptance
    notice until accepted, then the handling limit (with its extension)."""
    rows: list[dict[str, Any]] = []
    items = await Item.filter(late_by(now + timedelta(days=within_days))).prefetch_related("departments")
    for item in items:
        accepting = item.accepted_at is None
        due = item.accept_due_at if accepting else item.due_at
        assert due is not None
        left = (due - now).total_seconds() / 86400
        rows.append(
            {
                "ticket": item.ticket,
                "kind": item.kind,
                "status": item.status,
                "clock": "accept" if accepting else "handle",
                "title": item.title,
                "departments": [d.name for d in item.departments],
                "due_at": iso(due),
                "days_left": round(left, 1),
                "overdue": left < 0,
            }
        )
    return sorted(rows, key=lambda r: (r["departments"][:1], r["days_left"]))


async def _items(since: datetime | None, until: datetime | None) -> list[Item]:
    query = Item.all().prefetch_related("departments")
    if since:
        query = query.filter(created_at__gte=since)
    if until:
        query = query.filter(created_at__lt=until)
    return list(await query)


@dataclass(frozen=True, slots=True)
class _Outcomes:
    """When each item got its outcome, which were adopted, when each was refused (不予受理)."""

    finished: dict[int, datetime]
    adopted: set[int]
    rejected: dict[int, datetime]
    now: datetime


async def stats(
    since: datetime | None, until: datetime | None, by: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Counts by state and kind, accepted within the acceptance limit, adoption rate, on-time
    rate, satisfaction, sent back, response time (the figures ``/gongshi/banli`` publishes too)."""
    items = await _items(since, until)
    events = await ItemEvent.filter(item_id__in=[i.id for i in items], action__in=[*FINISH, "adopt"])
    seen = _Outcomes({}, set(), {}, now or datetime.now(UTC))
    for e in sorted(events, key=lambda e: e.created_at):
        item_id: int = e.item_id  # type: ignore[attr-defined]
        if e.action == "adopt":
            seen.adopted.add(item_id)
            continue
        seen.finished.setdefault(item_id, e.created_at)
        if e.action == "reject":
            seen.rejected.setdefault(item_id, e.created_at)
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for key in _keys(item, by):
            groups[key].append(item)
    return {
        "total": _figures(items, seen),
        "groups": {k: _figures(v, seen) for k, v in sorted(groups.items())} if by else {},
    }


def _keys(item: Item, by: str | None) -> list[str]:
    if by == "department":
        return [d.name for d in item.departments] or ["（未交办）"]
    if by == "category":
        return [item.category or "（未分类）"]
    if by == "channel":
        return [item.channel]
    return []


def _accepted_in_time(items: list[Item], seen: _Outcomes) -> float | None:
    """Of the items told whether they were accepted (受理 or 不予受理) or past the acceptance limit
    untold, the share told by the limit; items still within it untold are not counted yet."""
    counted = in_time = 0
    for i in items:
        due = i.accept_due_at
        told = i.accepted_at or seen.rejected.get(i.id)
        if due is None or (told is None and seen.now <= due):
            continue
        counted += 1
        in_time += told is not None and told <= due
    return _ratio(in_time, counted)


def _figures(items: list[Item], seen: _Outcomes) -> dict[str, Any]:
    finished, adopted = seen.finished, seen.adopted
    by_state: dict[str, int] = defaultdict(int)
    by_kind = {"suggestion": 0, "complaint": 0}
    for item in items:
        by_state[item.status] += 1
        by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
    decided = [i for i in items if i.kind == "suggestion" and (i.id in adopted or i.status == "declined")]
    timed = [i for i in items if i.id in finished and i.due_at is not None]
    on_time = [i for i in timed if finished[i.id] <= i.due_at]  # type: ignore[operator]
    rated = [i.satisfaction for i in items if i.satisfaction is not None]
    response = [(i.accepted_at - i.created_at).total_seconds() / 3600 for i in items if i.accepted_at]
    return {
        "count": len(items),
        "by_state": dict(sorted(by_state.items())),
        "by_kind": by_kind,
        "accepted_in_time_rate": _accepted_in_time(items, seen),
        "adoption_rate": _ratio(sum(1 for i in decided if i.id in adopted), len(decided)),
        "on_time_rate": _ratio(len(on_time), len(timed)),
        "satisfied_rate": _ratio(sum(1 for s in rated if s in (1, 2)), len(rated)),
        "average_satisfaction": round(mean(rated), 2) if rated else None,  # 1 满意 … 3 不满意
        "sent_back": sum(1 for i in items if i.redo_count),
        "mean_hours_to_accept": round(mean(response), 1) if response else None,
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


async def digest(since: datetime, until: datetime) -> dict[str, list[dict[str, Any]]]:
    """Reported suggestions (报送 in the period), grouped by category, with the author's consent.
    Similar suggestions make one entry (the one with most supporters, then the earliest) with
    ``count`` (同类建议 N 件), ``similar`` (the other tickets), ``supporters`` (附议 M 人: the people
    supporting any of them, once each, besides their authors) and ``merged`` (duplicates merged
    into them, whose authors are among the supporters); a merged item is never an entry."""
    reported = await ItemEvent.filter(action="report", created_at__gte=since, created_at__lt=until)
    ids = sorted({e.item_id for e in reported})  # type: ignore[attr-defined]
    items = {i.id: i for i in await Item.filter(id__in=ids, merged_into_id=None).order_by("id")}
    backing = await _supporters(list(items))
    merged = await _merged(list(items))
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    groups = clusters([(i.id, features_of(i)) for i in items.values()])
    for group in groups:
        members = sorted(group, key=lambda i: (-len(backing.get(i, ())), items[i].created_at, i))
        head = items[members[0]]
        authors = {items[i].citizen_id for i in group}  # type: ignore[attr-defined]
        people = set().union(*(backing.get(i, set()) for i in group)) - authors
        grouped[head.category or "其他"].append(
            _entry(head)
            | {
                "count": len(group),
                "similar": [items[i].ticket for i in members[1:]],
                "supporters": len(people),
                "merged": [t for i in members for t in merged.get(i, [])],
            }
        )
    return {
        category: sorted(entries, key=lambda e: (e["created_at"], e["ticket"]))
        for category, entries in sorted(grouped.items())
    }


def _entry(item: Item) -> dict[str, Any]:
    f = item.fields_data
    return {
        "ticket": item.ticket,
        "title": item.title,
        "problem": f.get("problem", ""),
        "cause": f.get("cause", ""),
        "measure": f.get("measure", ""),
        "place": f.get("place", ""),
        "anonymous": item.anonymous,
        "contact_ok": f.get("contact_ok") == "可以",
        "created_at": iso(item.created_at),
    }


async def _supporters(item_ids: list[int]) -> dict[int, set[int]]:
    """The citizens supporting each item (附议)."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = Support.filter(item_id__in=item_ids).values_list("item_id", "citizen_id")
    for item_id, citizen_id in await rows:
        found[item_id].add(citizen_id)
    return found


async def _merged(item_ids: list[int]) -> dict[int, list[str]]:
    """The tickets merged into each item."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Item.filter(merged_into_id__in=item_ids).order_by("id").values_list("merged_into_id", "ticket")
    for item_id, ticket in await rows:
        found[item_id].append(ticket)
    return found


async def export_rows(since: datetime | None, reveal: bool = False) -> list[dict[str, Any]]:
    query = Item.all().select_related("citizen", "lead_department").prefetch_related("departments")
    if since:
        query = query.filter(created_at__gte=since)
    return [
        {
            "ticket": i.ticket,
            "kind": i.kind,
            "status": i.status,
            "category": i.category,
            "title": i.title,
            "channel": i.channel,
            "created_at": iso(i.created_at),
            "accepted_at": iso(i.accepted_at),
            "due_at": iso(i.due_at),
            "answered_at": iso(i.answered_at),
            "closed_at": iso(i.closed_at),
            "departments": "、".join(d.name for d in i.departments),
            "satisfaction": i.satisfaction,
            "redo_count": i.redo_count,
            "citizen_name": privacy.name_of(i),  # as given on this item
            "citizen_phone": privacy.phone_of(i, reveal),
        }
        for i in await query.order_by("created_at", "id")
    ]
