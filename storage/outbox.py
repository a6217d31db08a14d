"""Every query on the notice outbox: claiming due rows under a lease, marking the outcome,
taking over rows whose relay died, riding held notices along with a reply, and the staff views.

A row moves ``pending → sending → sent | held | failed`` (``sending → pending`` again to retry).
Claims are short transactions (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
serialises them anyway); nothing here awaits a platform.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from storage.models import Citizen, Item, Outbox
from storage.waits import mark as mark_waiting

PENDING, SENDING, SENT, HELD, FAILED = "pending", "sending", "sent", "held", "failed"
STATUSES = (PENDING, SENDING, SENT, HELD, FAILED)
WAITING = (PENDING, SENDING, HELD, FAILED)  # not sent (yet)
RECHECK = timedelta(seconds=0.25)  # how soon a row waiting behind an earlier one is looked at again
BEHIND_HELD = "排在一条未送达的通知之后"  # held because an earlier notice about the item is held
# per citizen through the (citizen_id, status) index: no read of the wide rows (/metrics)
SENT_BY_CHANNEL = (
    "SELECT c.channel AS channel, SUM((SELECT COUNT(*) FROM outbox o WHERE o.citizen_id = c.id"
    f" AND o.status = '{SENT}')) AS n FROM citizen c GROUP BY c.channel"
)
UNKNOWN_TOTAL = "SELECT SUM(unknown_outcomes) AS n FROM outbox WHERE unknown_outcomes > 0"


@dataclass(frozen=True, slots=True)
class Claimed:
    """One row a relay holds under its lease, with what the policy and the sender need."""

    id: int
    channel: str
    kind: str
    text: str
    priority: int
    citizen_id: int
    item_id: int | None
    recipient: str
    ticket: str | None
    attempts: int
    took_over: bool
    reachable: bool


@dataclass
class Parking:
    """Rows of a channel no relay can push to (the web, the console) are held in the claim's own
    transaction instead of being leased: they are never "being sent", so the citizen's next
    message always takes them along (``parked``: how many per channel, for the relay's metrics)."""

    push_channels: frozenset[str]
    reason: str
    parked: dict[str, int] = field(default_factory=dict)


def new_token() -> str:
    return uuid.uuid4().hex


def _due(now: datetime) -> Q:
    waiting = Q(status=PENDING) & (Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
    return waiting | Q(status=SENDING, lease_until__lt=now)


async def claim(
    token: str, *, limit: int, lease_s: float, now: datetime, parking: Parking | None = None
) -> list[Claimed]:
    """Lease up to ``limit`` due rows (and rows whose lease expired) to ``token``, in order.

    A row waits while an earlier row about the same item and citizen is still pending or
    sending; it is held at once when that earlier row is held (notices keep their order).
    With ``parking``, rows of reachable citizens on channels that cannot be pushed are held."""
    parked: list[int] = []
    try:
        return await _claim(token, limit, lease_s, now, parking, parked)
    finally:
        if parked:  # after the commit: their citizens' next step takes them along
            await _mark_citizens(parked)


async def _claim(
    token: str, limit: int, lease_s: float, now: datetime, parking: Parking | None, parked: list[int]
) -> list[Claimed]:
    async with in_transaction() as conn:
        rows = (
            await Outbox.filter(_due(now))
            .order_by("next_attempt_at", "id")
            .limit(limit)
            .select_for_update(skip_locked=True, no_key=True)
            .using_db(conn)
        )
        if not rows:
            return []
        ids = {r.id for r in rows}
        earlier = await (
            Outbox.filter(
                citizen_id__in={r.citizen_id for r in rows},  # type: ignore[attr-defined]
                status__in=[PENDING, SENDING, HELD],
                id__lt=max(ids),
            )
            .exclude(id__in=ids)
            .using_db(conn)
            .values("id", "citizen_id", "item_id", "status", "next_attempt_at", "lease_until")
        )
        ready, held, waits = _order_barrier(rows, earlier, now)
        if held:
            await Outbox.filter(id__in=held).using_db(conn).update(status=HELD, last_error=BEHIND_HELD)
        for at, wait_ids in waits.items():
            await Outbox.filter(id__in=wait_ids).using_db(conn).update(next_attempt_at=at)
        if parking is not None:
            ready = await _park(conn, ready, parking, parked)
        if not ready:
            return []
        ready_ids = [r.id for r in ready]
        await (
            Outbox.filter(id__in=ready_ids)
            .using_db(conn)
            .update(
                status=SENDING,
                lease_until=now + timedelta(seconds=lease_s),
                attempts=F("attempts") + 1,
                claim_token=token,
            )
        )
        if took := [r.id for r in ready if r.status == SENDING]:
            await Outbox.filter(id__in=took).using_db(conn).update(unknown_outcomes=F("unknown_outcomes") + 1)
    return await _describe(ready)


async def _park(conn: Any, ready: list[Outbox], parking: Parking, parked: list[int]) -> list[Outbox]:
    """Hold the rows of ``ready`` that no relay can push (reachable citizens only: an unreachable
    one's are leased, and the relay fails them as before); the rest are to be leased."""
    unpushed = [r for r in ready if r.channel not in parking.push_channels]
    if not unpushed:
        return ready
    citizen_ids = {r.citizen_id for r in unpushed}  # type: ignore[attr-defined]
    reachable = set(
        await Citizen.filter(id__in=citizen_ids, reachable=True).using_db(conn).values_list("id", flat=True)
    )
    rows = [r for r in unpushed if r.citizen_id in reachable]  # type: ignore[attr-defined]
    if rows:
        await (
            Outbox.filter(id__in=[r.id for r in rows])
            .using_db(conn)
            .update(status=HELD, last_error=parking.reason[:500])
        )
    for r in rows:
        parked.append(r.id)
        parking.parked[r.channel] = parking.parked.get(r.channel, 0) + 1
    return [r for r in ready if r.id not in set(parked)]


def _order_barrier(
    rows: Sequence[Outbox], earlier: list[dict[str, Any]], now: datetime
) -> tuple[list[Outbox], list[int], dict[datetime, list[int]]]:
    """Split claimed rows into ready ones, ones to hold behind a held row, and ones to wait."""
    first: dict[tuple[int, int | None], dict[str, Any]] = {}
    for e in sorted(earlier, key=lambda e: e["id"]):
        first.setdefault((e["citizen_id"], e["item_id"]), e)
    ready: list[Outbox] = []
    held: list[int] = []
    waits: dict[datetime, list[int]] = {}
    for r in rows:
        blocker = first.get((r.citizen_id, r.item_id))  # type: ignore[attr-defined]
        if blocker is None or blocker["id"] > r.id:
            ready.append(r)
        elif blocker["status"] == HELD:
            held.append(r.id)
        else:
            later = blocker["next_attempt_at"] if blocker["status"] == PENDING else None
            at = max(now + RECHECK, later or now)
            waits.setdefault(at, []).append(r.id)
    return ready, held, waits


async def _describe(rows: Sequence[Outbox]) -> list[Claimed]:
    citizens = {
        c["id"]: c
        for c in await Citizen.filter(id__in={r.citizen_id for r in rows}).values(  # type: ignore[attr-defined]
            "id", "external_id", "reachable"
        )
    }
    item_ids = {r.item_id for r in rows if r.item_id is not None}  # type: ignore[attr-defined]
    tickets = dict(await Item.filter(id__in=item_ids).values_list("id", "ticket")) if item_ids else {}
    out = []
    for r in rows:
        c = citizens[r.citizen_id]  # type: ignore[attr-defined]
        out.append(
            Claimed(
                id=r.id,
                channel=r.channel,
                kind=r.kind,
                text=r.text,
                priority=r.priority,
                citizen_id=c["id"],
                item_id=r.item_id,  # type: ignore[attr-defined]
                recipient=c["external_id"],
                ticket=tickets.get(r.item_id),  # type: ignore[attr-defined]
                attempts=r.attempts + 1,
                took_over=r.status == SENDING,
                reachable=c["reachable"],
            )
        )
    return out


def _mine(token: str, ids: Iterable[int]) -> Any:
    return Outbox.filter(id__in=list(ids), claim_token=token, status=SENDING)


async def mark_sent(token: str, ids: Iterable[int], via: str, now: datetime) -> int:
    """Sent by the relay. Their citizens are marked (``storage.waits``): a question that reached
    them after their message was read must still be looked up on their next one."""
    ids = list(ids)
    sent = int(await _mine(token, ids).update(status=SENT, sent_via=via, sent_at=now, last_error=""))
    await _mark_citizens(ids)
    return sent


async def mark_held(token: str, ids: Iterable[int], reason: str) -> int:
    held = int(await _mine(token, ids).update(status=HELD, last_error=reason[:500]))
    await _mark_citizens(ids)
    return held


async def mark_failed(token: str, ids: Iterable[int], reason: str) -> int:
    return int(await _mine(token, ids).update(status=FAILED, last_error=reason[:500]))


async def mark_retry(
    token: str, ids: Iterable[int], at: datetime, reason: str = "", *, count_attempt: bool = True
) -> int:
    """Back to ``pending`` until ``at``; without ``count_attempt`` this claim did not count."""
    values: dict[str, Any] = {"status": PENDING, "next_attempt_at": at, "lease_until": None}
    if reason:
        values["last_error"] = reason[:500]
    if not count_attempt:
        values["attempts"] = F("attempts") - 1
    return int(await _mine(token, ids).update(**values))


async def mark_unreachable(citizen_id: int, now: datetime) -> None:
    await Citizen.filter(id=citizen_id).update(reachable=False, unsubscribed_at=now)


async def important_waiting(
    citizen_ids: Sequence[int], kinds: Iterable[str], exclude: Iterable[int] = ()
) -> set[int]:
    """The citizens (of ``citizen_ids``) for whom a notice of one of ``kinds`` still waits
    (pending or held), besides the rows ``exclude``: one query for a whole batch."""
    if not citizen_ids:
        return set()
    query = Outbox.filter(citizen_id__in=list(citizen_ids), kind__in=list(kinds), status__in=[PENDING, HELD])
    found = await query.exclude(id__in=list(exclude)).distinct().values_list("citizen_id", flat=True)
    return {int(c) for c in found}  # type: ignore[call-overload]


async def take_held(channel: str, external_id: str, now: datetime, via: str = "reply") -> list[Outbox]:
    """Mark the notices waiting for the citizen sent (they ride along with a reply) and return
    them in order: held ones, and pending ones too unless one of theirs is being sent right now
    (so they need no relay, and cannot overtake a message in flight)."""
    return (await take_waiting(channel, external_id, now, via))[0]


async def take_waiting(
    channel: str, external_id: str, now: datetime, via: str = "reply"
) -> tuple[list[Outbox], bool]:
    """``take_held``, and whether a notice of the citizen's is still on its way (being sent)."""
    mine = Outbox.filter(citizen__channel=channel, citizen__external_id=external_id)
    waiting = await mine.filter(status__in=[HELD, PENDING, SENDING]).order_by("id")  # one read
    statuses = [HELD] if any(r.status == SENDING for r in waiting) else [HELD, PENDING]
    rows = [r for r in waiting if r.status in statuses]
    left = len(rows) < len(waiting)
    if not rows:
        return [], left
    token = new_token()
    values = {"status": SENT, "sent_via": via, "sent_at": now, "claim_token": token, "lease_until": None}
    taken = await Outbox.filter(id__in=[r.id for r in rows], status__in=statuses).update(**values)
    if taken == len(rows):
        return list(rows), left
    return list(await Outbox.filter(claim_token=token, status=SENT).order_by("id")), True


async def give_back(ids: Iterable[int], now: datetime) -> int:
    """Notices ``take_held`` handed to a reply that then failed: pending again (the relay or the
    next reply takes them), unless something else marked them since."""
    values = {"status": PENDING, "sent_via": "", "sent_at": None, "claim_token": "", "next_attempt_at": now}
    given = int(await Outbox.filter(id__in=list(ids), status=SENT, sent_via="reply").update(**values))
    await _mark_citizens(ids)
    return given


async def _mark_citizens(ids: Iterable[int]) -> None:
    """After the commit that made these notices wait: their citizens' next step looks for them."""
    found = await Outbox.filter(id__in=list(ids)).values_list("citizen__channel", "citizen__external_id")
    await mark_waiting([f"{channel}:{external_id}" for channel, external_id in found])


async def peek_held(channel: str, external_id: str) -> list[Outbox]:
    """The notices ``take_held`` would hand over now, in order, left as they are: a page shows
    them and then acknowledges them (``ack_held``); one not acknowledged comes again."""
    waiting = await Outbox.filter(
        citizen__channel=channel, citizen__external_id=external_id, status__in=[HELD, PENDING, SENDING]
    ).order_by("id")
    statuses = [HELD] if any(r.status == SENDING for r in waiting) else [HELD, PENDING]
    return [r for r in waiting if r.status in statuses]


async def ack_held(
    channel: str, external_id: str, ids: Iterable[int], now: datetime, via: str = "poll"
) -> int:
    """Mark sent those of ``ids`` that still wait for this citizen — held, pending, or claimed by a
    relay meanwhile (the page showed it: the relay's later mark no longer applies, so it does not
    come back held and ride along with the next reply); ids of other citizens and rows already
    sent are left alone. Returns rows marked."""
    wanted = list(ids)
    if not wanted:
        return 0
    owner = await Citizen.filter(channel=channel, external_id=external_id).values_list("id", flat=True)
    if not owner:
        return 0
    values = {
        "status": SENT,
        "sent_via": via,
        "sent_at": now,
        "claim_token": new_token(),
        "lease_until": None,
    }
    mine = Outbox.filter(id__in=wanted, citizen_id__in=list(owner), status__in=[HELD, PENDING, SENDING])
    return int(await mine.update(**values))


async def list_notices(status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = Outbox.all().select_related("citizen", "item")
    if status:
        query = query.filter(status=status)
    rows = await query.order_by("-id").limit(limit)
    return [notice_row(r) for r in rows]


def notice_row(r: Outbox) -> dict[str, Any]:
    return {
        "id": r.id,
        "status": r.status,
        "channel": r.channel,
        "kind": r.kind,
        "priority": r.priority,
        "ticket": r.item.ticket if r.item else None,
        "recipient": r.citizen.external_id,
        "text": r.text,
        "attempts": r.attempts,
        "last_error": r.last_error,
        "sent_via": r.sent_via,
        "unknown_outcomes": r.unknown_outcomes,
        "created_at": r.created_at.isoformat() if r.created_at else None,
        "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at else None,
        "sent_at": r.sent_at.isoformat() if r.sent_at else None,
    }


async def retry(ids: Sequence[int] = (), *, all_failed: bool = False, now: datetime) -> int:
    """Staff: send failed (or held) notices again now, with a fresh attempt count."""
    query = Outbox.filter(status=FAILED) if all_failed else Outbox.filter(id__in=list(ids))
    query = query.filter(status__in=[FAILED, HELD])
    chosen = list(await query.values_list("id", flat=True))
    retried = await Outbox.filter(id__in=chosen, status__in=[FAILED, HELD]).update(
        status=PENDING, next_attempt_at=now, attempts=0, lease_until=None, claim_token=""
    )
    await _mark_citizens(chosen)  # type: ignore[arg-type]
    return int(retried)


async def counts() -> list[tuple[str, str, int]]:
    """``(status, channel, n)`` for every pair present, without reading the whole table: the rows
    not sent yet (few) through the status index, the sent ones per channel through the
    (citizen, status) index alone — a notice's channel is always its citizen's."""
    rows = (
        await Outbox.filter(status__in=WAITING)
        .group_by("status", "channel")
        .annotate(n=Count("id"))
        .values("status", "channel", "n")
    )
    found = [(r["status"], r["channel"], int(r["n"])) for r in rows]
    sent = await Outbox._meta.db.execute_query_dict(SENT_BY_CHANNEL)
    return found + [(SENT, r["channel"], int(r["n"])) for r in sent if r["n"]]


async def oldest_due(now: datetime) -> datetime | None:
    """When the longest-waiting due pending row became due (the relay's lag is ``now`` minus this)."""
    due = Q(status=PENDING, next_attempt_at__lte=now)
    row = await Outbox.filter(due).order_by("next_attempt_at").first()
    return row.next_attempt_at if row else None


async def unknown_outcomes() -> int:
    """How many leases expired while sending (each a possible duplicate send)."""
    [row] = await Outbox._meta.db.execute_query_dict(UNKNOWN_TOTAL)
    return int(row["n"] or 0)
