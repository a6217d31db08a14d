"""Open311 GeoReport v2 on the office's items: services, their definitions, requests.

Service codes are ASCII: ``JY01``… for the suggestion categories and ``TS01``… for the complaint
categories, numbered in the order of ``dialogs.forms`` (``JY02`` = 建议·交通出行, ``TS03`` =
投诉·交通出行); the category lists only ever grow at their end, so a code never changes meaning.

What a request shows: a published suggestion shows only what staff wrote for publication (the
public title as ``description``, the public summary as ``status_notes``), never the author's
words, name, phone or place; a key with the ``read-own`` right also sees its own submissions with
what it sent itself (``description``, ``address``). Items submitted with a key send their notices
nowhere: their outbox rows are held at once and the key holder reads the state back here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from dialogs import validators
from dialogs.forms import COMPLAINT_CATEGORIES, FORMS, SUGGESTION_CATEGORIES
from storage import apikeys, outbox
from storage.errors import InvalidInput, NotFound
from storage.intake import intake_identity
from storage.models import ApiKey, Item, ItemEvent, Outbox
from storage.workflow import service
from storage.workflow.clocks import Clocks
from storage.workflow.vocabulary import COMPLAINT, OPEN, SUGGESTION, kind_label

PREFIX = {SUGGESTION: "JY", COMPLAINT: "TS"}
CATEGORIES = {SUGGESTION: SUGGESTION_CATEGORIES, COMPLAINT: COMPLAINT_CATEGORIES}
DERIVED = frozenset({"title"})  # taken from the account when not given
MAX_SPAN = timedelta(days=90)  # the spec: a date range spans at most 90 days, by default the last 90
MAX_ROWS = 1000
HELD_REASON = "open311: 接口提交的事项不外发通知，由接口方查询办理状态"


class BadRequest(InvalidInput):
    """Open311: 400 (a bad service code, a missing or bad attribute, a bad filter)."""


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    kind: str
    category: str


def _all_services() -> list[Service]:
    return [
        Service(f"{PREFIX[kind]}{i:02d}", kind, category)
        for kind in (SUGGESTION, COMPLAINT)
        for i, category in enumerate(CATEGORIES[kind], start=1)
    ]


SERVICES: dict[str, Service] = {s.code: s for s in _all_services()}
BY_CATEGORY: dict[tuple[str, str], Service] = {(s.kind, s.category): s for s in SERVICES.values()}


def service_of(code: str) -> Service:
    if (found := SERVICES.get(code.strip())) is None:
        raise BadRequest(f"没有服务代码 {code}（可用：{'、'.join(SERVICES)}）。")
    return found


def services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": s.code,
            "service_name": s.category,
            "description": f"{kind_label(s.kind)}：{s.category}",
            "metadata": True,
            "type": "realtime",
            "keywords": s.category,
            "group": kind_label(s.kind),
        }
        for s in SERVICES.values()
    ]


def _required(key: str, optional: bool) -> bool:
    return not optional and key not in DERIVED


def definition(code: str) -> dict[str, Any]:
    """The attributes of a service: the fields of its form (the category is the service itself)."""
    s = service_of(code)
    form = FORMS[s.kind]
    attributes = []
    for order, f in enumerate((f for f in form.fields if f.key != "category"), start=1):
        listed = f.kind in ("choice", "yesno") and f.choices
        attributes.append(
            {
                "variable": True,
                "code": f.key,
                "datatype": "singlevaluelist" if listed else "string",
                "required": _required(f.key, f.optional),
                "datatype_description": f"最多 {f.max_len} 字",
                "order": order,
                "description": f.label,
                "values": [{"key": c, "name": c} for c in f.choices] if listed else [],
            }
        )
    return {"service_code": s.code, "attributes": attributes}


# --- requests -------------------------------------------------------------------------------


def _when(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if at else None


def parse_time(value: str, name: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadRequest(f"{name} 应为 W3C 时间，如 2026-01-01T00:00:00Z。") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _visible(key: ApiKey | None) -> Q:
    public = Q(kind=SUGGESTION, published=True, merged_into_id=None)  # as on /gongshi/
    if key is not None and apikeys.READ_OWN in apikeys.RIGHTS.get(key.can, frozenset()):
        return public | Q(api_key_id=key.id)
    return public


def _status(item: Item) -> str:
    return "open" if item.status in OPEN else "closed"


def record(item: Item, key: ApiKey | None) -> dict[str, Any]:
    """One request as the spec shows it; a key's own item adds what the key itself sent."""
    s = BY_CATEGORY.get((item.kind, item.category))
    own = key is not None and item.api_key_id == key.id  # type: ignore[attr-defined]
    data = item.fields_data if isinstance(item.fields_data, dict) else {}
    form = FORMS.get(item.kind)
    if item.published and item.kind == SUGGESTION:
        description, notes = item.public_title, item.public_summary
    else:
        description, notes = (str(data.get(form.material, "")) if own and form else ""), ""
    lead = item.lead_department
    return {
        "service_request_id": item.ticket,
        "status": _status(item),
        "status_notes": notes,
        "service_name": item.category,
        "service_code": s.code if s else "",
        "description": description,
        "agency_responsible": lead.name if lead else "",
        "service_notice": "",
        "requested_datetime": _when(item.created_at),
        "updated_datetime": _when(item.updated_at),
        "expected_datetime": _when(item.due_at or item.accept_due_at),
        "address": str(data.get(form.place, "")) if own and form else "",
        "zipcode": "",
        "media_url": "",
    }


async def requests(
    key: ApiKey | None,
    *,
    service_request_id: str = "",
    service_code: str = "",
    start_date: str = "",
    end_date: str = "",
    status: str = "",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The visible requests, newest first, filtered as GeoReport v2 says: ``service_request_id``
    (comma separated) overrides every other filter; ``service_code`` and ``status`` (open, closed)
    may be comma separated; the date range (on ``requested_datetime``) defaults to the last 90
    days and may not span more than 90."""
    query = Item.filter(_visible(key)).select_related("lead_department")
    ids = [t.strip() for t in service_request_id.split(",") if t.strip()]
    if ids:
        query = query.filter(ticket__in=ids)
    else:
        if service_code:
            codes = [service_of(c) for c in service_code.split(",") if c.strip()]
            query = query.filter(Q(*[Q(kind=s.kind, category=s.category) for s in codes], join_type="OR"))
        if status:
            wanted = {v.strip().lower() for v in status.split(",") if v.strip()}
            if not wanted <= {"open", "closed"}:
                raise BadRequest("status 只能是 open 或 closed。")
            if wanted == {"open"}:
                query = query.filter(status__in=list(OPEN))
            elif wanted == {"closed"}:
                query = query.exclude(status__in=list(OPEN))
        end = parse_time(end_date, "end_date") if end_date else None
        start = parse_time(start_date, "start_date") if start_date else None
        if start is None and end is None:
            end = now or service.utcnow()
        if start is None and end is not None:
            start = end - MAX_SPAN
        elif end is None and start is not None:
            end = start + MAX_SPAN
        assert start is not None and end is not None
        if end < start or end - start > MAX_SPAN:
            raise BadRequest("start_date 到 end_date 不能超过 90 天，且不能倒置。")
        query = query.filter(created_at__gte=start, created_at__lte=end)
    items = await query.order_by("-created_at", "-id").limit(MAX_ROWS)
    return [record(i, key) for i in items]


async def request(ticket: str, key: ApiKey | None) -> dict[str, Any]:
    item = await Item.filter(_visible(key), ticket=ticket).select_related("lead_department").first()
    if item is None:
        raise NotFound(f"没有编号为 {ticket} 的公开事项。")
    return record(item, key)


# --- create ---------------------------------------------------------------------------------


def _values(s: Service, params: dict[str, str]) -> dict[str, Any]:
    """The form's values from ``attribute[code]`` or the spec's own parameters
    (``description`` → the account, ``address_string`` → the place, ``last_name``+``first_name``
    → the name, ``phone``); ``BadRequest`` names the first missing or unusable one."""
    form = FORMS[s.kind]
    given = {
        k[len("attribute[") : -1]: v
        for k, v in params.items()
        if k.startswith("attribute[") and k.endswith("]")
    }
    fallback = {
        form.material: params.get("description", ""),
        form.place: params.get("address_string", ""),
        "name": (params.get("last_name", "") + params.get("first_name", "")).strip(),
        "phone": params.get("phone", ""),
    }
    values: dict[str, Any] = {"category": s.category}
    for f in form.fields:
        if f.key == "category":
            continue
        raw = (given.get(f.key) or fallback.get(f.key) or "").strip()
        if not raw:
            if f.key in DERIVED:
                continue
            if f.optional:
                values[f.key] = ""
                continue
            raise BadRequest(f"缺少必填项 attribute[{f.key}]（{f.label}）。")
        try:
            values[f.key] = validators.check(f, raw)
        except validators.Invalid as exc:
            raise BadRequest(f"attribute[{f.key}]（{f.label}）：{exc}") from exc
    if "title" in {f.key for f in form.fields} and not values.get("title"):
        values["title"] = str(values[form.material])[:40]
    return values


async def create(key: ApiKey, params: dict[str, str], *, clocks: Clocks) -> dict[str, Any]:
    """Store a request through the one intake (channel = the key's name), as staff's ``items new``
    does for a letter or a call; its notices are held (nowhere to send them)."""
    s = service_of(params.get("service_code", ""))
    values = _values(s, params)
    user = intake_identity(key.name, str(values["phone"]))
    submission = f"open311:{key.name}:{uuid.uuid4().hex}"
    receipt = await service.submit(user, s.kind, values, submission, clocks=clocks, channel=key.name)
    item = await Item.get(ticket=receipt.ticket)
    await Item.filter(id=item.id).update(api_key_id=key.id)
    await ItemEvent.filter(item_id=item.id, action="submit").update(
        actor=f"open311:{key.name}", note=f"{key.name} 经 Open311 接口提交"
    )
    await Outbox.filter(item_id=item.id, status=outbox.PENDING).update(
        status=outbox.HELD, last_error=HELD_REASON
    )
    return {"service_request_id": receipt.ticket, "service_notice": "", "account_id": None}
