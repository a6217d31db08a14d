"""What citizens do to their own items from the chat: answer staff (事前/事中沟通, or a staff
message), rate the result (事后沟通; 不满意 sends a complaint back), comment, ask for 复查/复核.

A question is answerable only once the citizen has seen it: ``followups`` counts an item as
waiting for the citizen's words, or for their rating, only when the notice that asked was
delivered no later than the second the citizen wrote (a notice riding along with the reply to
this very message was not on their screen when they typed it).

The reply in the chat is the citizen's notice for these changes, so they write no outbox row.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from dialogs.ports import RateOutcome, ReviewOutcome
from dialogs.types import Campaign as CampaignRef
from dialogs.types import Followups, ItemRef, UserRef
from storage.errors import InvalidTransition, NotFound
from storage.models import Campaign, Citizen, Item, ItemEvent, Message, Outbox
from storage.workflow import service
from storage.workflow.clocks import Clocks
from storage.workflow.service import Change
from storage.workflow.vocabulary import (
    ASKS_RATING,
    COMPLAINT,
    FOLLOWUP_WINDOW,
    INVITES_REPLY,
    MAX_REVIEW_LEVEL,
    RATING_DUE,
    WAITING_ON_CITIZEN,
)

LABELS = {1: "满意", 2: "基本满意", 3: "不满意"}


def _mine(user: UserRef) -> dict[str, str]:
    return {"citizen__channel": user.channel, "citizen__external_id": user.user_id}


async def own_item(user: UserRef, ticket: str) -> Item:
    item = await Item.filter(ticket=ticket, **_mine(user)).first()
    if item is None:
        raise NotFound(f"no item {ticket} for this citizen")
    return item


def shown(row: dict[str, Any], at: datetime) -> bool:
    """Whether a notice was on the citizen's screen when they wrote at ``at`` (platforms date
    messages to the second, so the second of ``at`` counts). A notice a relay is sending counts:
    the platform may have shown it before the relay's mark is written (a quick reader's answer
    was otherwise taken for nonsense)."""
    if row["status"] == "sending":
        return True
    sent_at = row["sent_at"]
    return (
        row["status"] == "sent"
        and sent_at is not None
        and sent_at < at.replace(microsecond=0) + timedelta(seconds=1)
    )


async def followups(user: UserRef, at: datetime, campaigns: tuple[CampaignRef, ...] = ()) -> Followups:
    """One query: the items whose question to this citizen is on their screen, by what it asks."""
    recent = (
        Q(sent_at__gte=at - FOLLOWUP_WINDOW)
        | Q(status="sending")  # on the platform already, perhaps: no sent_at until the relay marks it
        | Q(item__status__in=list(WAITING_ON_CITIZEN))
    )
    rows = await (
        Outbox.filter(recent, kind__in=[*INVITES_REPLY, *ASKS_RATING], **_mine(user))
        .order_by("id")
        .values(
            "item_id",
            "kind",
            "status",
            "sent_at",
            "item__ticket",
            "item__kind",
            "item__title",
            "item__status",
            "item__satisfaction",
        )
    )
    latest: dict[tuple[int, bool], dict[str, Any]] = {}
    for row in rows:  # the last question of each sort per item is the one that counts
        latest[(row["item_id"], row["kind"] in ASKS_RATING)] = row
    waiting: list[ItemRef] = []
    rating: list[ItemRef] = []
    later = False  # a question delivered after they wrote: it counts from their next message
    for (_, rates), row in sorted(latest.items(), key=lambda kv: -kv[1]["item_id"]):
        if not shown(row, at):
            later = later or row["status"] == "sent"
            continue
        ref = ItemRef(row["item__ticket"], row["item__kind"], row["item__title"])
        if rates and row["item__status"] in RATING_DUE and row["item__satisfaction"] is None:
            rating.append(ref)
        elif not rates and (
            row["item__status"] in WAITING_ON_CITIZEN or row["kind"] in {"staff_reply", "reject"}
        ):
            waiting.append(ref)
    return Followups(waiting=tuple(waiting), rating_due=tuple(rating), campaigns=campaigns, later=later)


async def open_campaigns(today: date) -> tuple[CampaignRef, ...]:
    rows = await Campaign.filter(closed=False, starts_on__lte=today, ends_on__gte=today).order_by("ends_on")
    return tuple(CampaignRef(c.id, c.topic) for c in rows)


async def reply(user: UserRef, ticket: str, text: str, media: str | None) -> None:
    """The citizen's words join the thread; an item in 事前沟通 goes back to where it was."""
    await own_item(user, ticket)

    async def add_message(conn: Any, it: Item) -> None:
        attachments = [media] if media else []
        await Message.create(
            using_db=conn, item=it, direction="citizen", author="群众", text=text, attachments=attachments
        )

    note = Change(note=text[:200] or "（照片）")
    await service.apply(ticket, "citizen_reply", actor="citizen", plan=lambda _: note, extra=add_message)


async def supplement(user: UserRef, ticket: str, text: str, photos: tuple[str, ...]) -> None:
    """A complaint told again joins the same person's open complaint ``ticket`` (重复件 not filed)."""
    from storage.workflow import repeats  # repeats reads the index's words; only this step needs it

    me = await Citizen.filter(channel=user.channel, external_id=user.user_id).first()
    person = await repeats.same_person(me) if me is not None else []
    if not await Item.filter(ticket=ticket, citizen_id__in=person).exists():
        raise NotFound(f"no item {ticket} for this citizen")

    async def add_message(conn: Any, it: Item) -> None:
        await Message.create(
            using_db=conn,
            item=it,
            direction="citizen",
            author="群众",
            text=f"【补充】{text}",
            attachments=list(photos),
        )

    note = Change(note=f"群众补充：{text[:200]}")
    await service.apply(ticket, "citizen_reply", actor="citizen", plan=lambda _: note, extra=add_message)


async def rate(
    user: UserRef, ticket: str, score: int, *, clocks: Clocks, now: datetime | None = None
) -> RateOutcome:
    """满意/基本满意 close the item; 不满意 sends a complaint back (退回再办) with a new deadline."""
    now = now or service.utcnow()
    item = await own_item(user, ticket)
    note = f"群众评价：{LABELS[score]}"
    due = now + timedelta(days=clocks.redo_days)
    action = "send_back" if score == 3 and item.kind == COMPLAINT else "rate" if score == 3 else "rate_close"

    def plan(it: Item) -> Change:
        if action == "send_back":
            return Change({"redo_count": it.redo_count + 1, "due_at": due, "answered_at": None}, note=note)
        closing = {"closed_at": now} if action == "rate_close" else {}
        return Change({"satisfaction": score, **closing}, note=note)

    try:
        done = await service.apply(ticket, action, actor="citizen", now=now, plan=plan)
    except InvalidTransition:  # rated already (or staff moved it on): nothing changes
        return RateOutcome(ticket, item.kind, score, already=True)
    if action == "send_back":
        return RateOutcome(ticket, item.kind, score, redo=done.redo_count, new_due=clocks.local(due))
    return RateOutcome(ticket, item.kind, score)


async def comment(user: UserRef, ticket: str, text: str) -> None:
    item = await own_item(user, ticket)
    await Message.create(item=item, direction="citizen", author="群众", text=f"【评价留言】{text}")


async def request_review(
    user: UserRef, ticket: str | None, *, clocks: Clocks, now: datetime | None = None
) -> ReviewOutcome:
    """复查 (then 复核) of an answered complaint, within 30 days of its answer, with its own clock."""
    now = now or service.utcnow()
    if ticket is None:
        candidates = await Item.filter(kind=COMPLAINT, status__in=["answered", "closed"], **_mine(user))
        if len(candidates) != 1:
            return ReviewOutcome("choose" if candidates else "not_found")
        ticket = candidates[0].ticket
    item = await Item.filter(ticket=ticket, **_mine(user)).first()
    if item is None:
        return ReviewOutcome("not_found", ticket)
    if refusal := await _review_refusal(item, clocks, now):
        return ReviewOutcome(refusal, ticket)
    level = item.review_level + 1
    change = Change(
        {
            "review_level": level,
            "accepted_at": now,
            "due_at": now + timedelta(days=clocks.review_days),
            "satisfaction": None,
            "answered_at": None,
        },
        note="复查申请" if level == 1 else "复核申请",
    )
    try:
        await service.apply(ticket, "request_review", actor="citizen", now=now, plan=lambda _: change)
    except InvalidTransition:
        return ReviewOutcome("pending", ticket)
    return ReviewOutcome("accepted", ticket, level)


async def _review_refusal(item: Item, clocks: Clocks, now: datetime) -> str | None:
    if item.kind != COMPLAINT:
        return "not_complaint"
    if item.review_level >= MAX_REVIEW_LEVEL:
        return "final"
    if item.status not in ("answered", "closed"):
        return "pending" if item.review_level else "not_answered"
    answered = item.answered_at or await _last_answer(item)
    if answered is None:
        return "not_answered"
    if now - answered > timedelta(days=clocks.review_request_days):
        return "too_late"
    return None


async def _last_answer(item: Item) -> datetime | None:
    event = await ItemEvent.filter(item_id=item.id, action="answer").order_by("-created_at").first()
    return event.created_at if event else None
