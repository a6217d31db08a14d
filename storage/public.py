"""The public side's queries (``/gongshi/``): only what staff wrote for publication.

A suggestion is public once staff published it (``items publish``: its public title and summary).
What leaves this module about it: the ticket, the public title and summary (the summary is where
staff state the adopted measure for the public), the category, the campaign's topic, the
departments' names, the *dates* of its public steps (never the notes), the number of supporters,
its 展示/褒奖/金点子 marks. Never the citizen, the form (``fields_data``), the thread, the internal
title or an event's note. Complaints appear only as counts, in ``figures``.

The office's figures are those of ``minyi-admin stats``: each period and each department is one call
of ``storage.reports.stats``, nothing computed here."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from tortoise.functions import Max

from dialogs.campaign import SCENE_PREFIX
from storage import reports
from storage.models import Campaign, Item, ItemEvent, StaffEvent
from storage.workflow import supporters
from storage.workflow.clocks import DEFAULT, Clocks

STEPS = {
    "submit": "提出建议",
    "accept": "受理",
    "report": "报送",
    "instruct": "领导批示",
    "assign": "交办",
    "adopt": "采纳",
    "implement": "落地实施",
    "showcase": "入选优秀建议展示",
    "reward": "获得褒奖",
    "golden": "评为金点子",
}
PER_PAGE = 10


async def version() -> tuple[int, int]:
    """A cheap signal that something public may have changed: the last audit event of an item
    (every workflow change writes one: publish, adopt, golden…) and the last staff event
    (campaigns added or closed, departments)."""
    items = await ItemEvent.annotate(m=Max("id")).values_list("m", flat=True)
    staff = await StaffEvent.annotate(m=Max("id")).values_list("m", flat=True)
    return int(items[0] or 0), int(staff[0] or 0)  # type: ignore[arg-type]


def _public() -> Any:
    return Item.filter(kind="suggestion", published=True, merged_into_id=None)


def _year_range(year: int, clocks: Clocks) -> tuple[datetime, datetime]:
    return clocks.midnight(date(year, 1, 1)), clocks.midnight(date(year + 1, 1, 1))


async def suggestions(
    *,
    category: str | None = None,
    campaign_id: int | None = None,
    year: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    clocks: Clocks = DEFAULT,
) -> dict[str, Any]:
    """Published suggestions, newest published first, filtered and paginated."""
    query = _public()
    if category:
        query = query.filter(category=category)
    if campaign_id is not None:
        query = query.filter(campaign_id=campaign_id)
    if year is not None:
        start, end = _year_range(year, clocks)
        query = query.filter(created_at__gte=start, created_at__lt=end)
    total = await query.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    found = await (
        query.order_by("-published_at", "-id")
        .offset((page - 1) * per_page)
        .limit(per_page)
        .select_related("campaign")
        .prefetch_related("departments", "lead_department")
    )
    return {"items": await _rows(found, clocks), "total": total, "page": page, "pages": pages}


async def suggestion(ticket: str, clocks: Clocks = DEFAULT) -> dict[str, Any] | None:
    """One published suggestion with its public timeline, or None (unknown or not public)."""
    found = await (
        _public()
        .filter(ticket=ticket.strip().upper())
        .select_related("campaign")
        .prefetch_related("departments", "lead_department")
    )
    rows = await _rows(found, clocks)
    return rows[0] if rows else None


async def golden(year: int | None = None, clocks: Clocks = DEFAULT) -> list[dict[str, Any]]:
    """金点子 that are public: by year (newest first), with the note on the reward given."""
    query = _public().filter(golden_year__not_isnull=True)
    if year is not None:
        query = query.filter(golden_year=year)
    found = await (
        query.order_by("-golden_year", "ticket")
        .select_related("campaign")
        .prefetch_related("departments", "lead_department")
    )
    rows = await _rows(found, clocks)
    notes = {i.ticket: (i.golden_year, i.golden_note) for i in found}
    return [r | {"golden_year": notes[r["ticket"]][0], "golden_note": notes[r["ticket"]][1]} for r in rows]


async def categories() -> list[str]:
    """The categories of the published suggestions (the filter's choices)."""
    found = await _public().exclude(category="").distinct().values_list("category", flat=True)
    return sorted({str(c) for c in found})


async def years(clocks: Clocks = DEFAULT) -> list[int]:
    found = await _public().values_list("created_at", flat=True)
    return sorted({clocks.local(at).year for at in found if isinstance(at, datetime)}, reverse=True)


async def campaigns(today: date) -> list[dict[str, Any]]:
    """专项征集 open today: topic, description, dates and how to join."""
    rows = await Campaign.filter(closed=False, starts_on__lte=today, ends_on__gte=today).order_by(
        "ends_on", "id"
    )
    return [
        {
            "id": c.id,
            "topic": c.topic,
            "description": c.description,
            "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat(),
            "chat_link": f"/?campaign={c.id}",
            "wechat_scene": f"{SCENE_PREFIX}{c.id}",
        }
        for c in rows
    ]


async def all_campaigns() -> list[dict[str, Any]]:
    """Every campaign's id and topic (the filter's choices)."""
    return [{"id": c.id, "topic": c.topic} for c in await Campaign.all().order_by("-starts_on", "-id")]


async def _rows(items: list[Item], clocks: Clocks) -> list[dict[str, Any]]:
    ids = [i.id for i in items]
    backing = await supporters.counts(ids)
    steps: dict[int, list[dict[str, str]]] = defaultdict(list)
    events = ItemEvent.filter(item_id__in=ids, action__in=list(STEPS)).order_by("created_at", "id")
    for item_id, action, at in await events.values_list("item_id", "action", "created_at"):
        steps[int(item_id)].append(
            {"action": str(action), "label": STEPS[str(action)], "date": clocks.day(at)}
        )
    rows = []
    for i in items:
        lead = i.lead_department
        names = [d.name for d in i.departments]
        if lead is not None and lead.name in names:
            names = [lead.name, *(n for n in names if n != lead.name)]
        rows.append(
            {
                "ticket": i.ticket,
                "title": i.public_title,
                "summary": i.public_summary,
                "category": i.category,
                "campaign": i.campaign.topic if i.campaign is not None else "",
                "departments": names,
                "adopted": i.adopted_at is not None,
                "showcased": i.showcased,
                "rewarded": i.rewarded,
                "golden_year": i.golden_year,
                "published_on": clocks.day(i.published_at) if i.published_at else "",
                "steps": steps.get(i.id, []),
                "supporters": backing.get(i.id, 0),
            }
        )
    return rows


def months(until: date, count: int = 12) -> list[date]:
    """The first days of the ``count`` months up to the month of ``until``, oldest first."""
    year, month = until.year, until.month
    found = []
    for _ in range(count):
        found.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


async def figures(today: date, count: int = 12, clocks: Clocks = DEFAULT) -> dict[str, Any]:
    """The office's record for the ``count`` months up to ``today``'s: by month and by department
    (and in total): received (suggestions and complaints, counts only), accepted within the
    acceptance limit, finished within the handling limit, adopted, satisfied. Rates are
    fractions (None when there is nothing to count), as ``minyi-admin stats`` gives them."""
    first = months(today, count)
    since, until = clocks.midnight(first[0]), clocks.midnight(_next_month(first[-1]))
    now = datetime.now(clocks.zone)
    month_rows = []
    for start in first:
        a, b = clocks.midnight(start), clocks.midnight(_next_month(start))
        data = await reports.stats(a, b, now=now)
        month_rows.append(_row(f"{start:%Y-%m}", data["total"]))
    overall = await reports.stats(since, until, "department", now=now)
    dept_rows = [_row(name, f) for name, f in overall["groups"].items()]
    return {
        "since": first[0].isoformat(),
        "until": (_next_month(first[-1])).isoformat(),  # exclusive
        "months": month_rows,
        "departments": dept_rows,
        "total": _row("合计", overall["total"]),
    }


def _row(name: str, f: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "received": f["count"],
        "suggestions": f["by_kind"]["suggestion"],
        "complaints": f["by_kind"]["complaint"],
        "accepted_in_time_rate": f["accepted_in_time_rate"],
        "on_time_rate": f["on_time_rate"],
        "adoption_rate": f["adoption_rate"],
        "satisfied_rate": f["satisfied_rate"],
    }
