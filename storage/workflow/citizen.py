"""What citizens do to their own items from the chat: answer staff (事前/事中沟通), rate the result
(事后沟通; 不满意 sends a complaint back to its department), leave a comment, ask for 复查/复核.

The reply in the chat is the citizen's notice for these changes, so they write no outbox row.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from dialogs.ports import RateOutcome, ReviewOutcome
from dialogs.types import Campaign as CampaignRef
from dialogs.types import Followups, ItemRef, UserRef
from storage.errors import NotFound
from storage.models import Campaign, Item, ItemEvent, Message
from storage.workflow import service
from storage.workflow.clocks import DEFAULT, Clocks

WAITING = ("consulting", "instructed")  # staff wait for the citizen's words
RATING = ("implemented", "answered")  # the satisfaction question was asked
RATING_WINDOW = timedelta(days=15)  # after this, a bare digit is a menu choice again
LABELS = {1: "满意", 2: "基本满意", 3: "不满意"}
MAX_REVIEW_LEVEL = 2  # 复查, then 复核; after that the same matter is not accepted again


def _mine(user: UserRef) -> dict[str, str]:
    return {"citizen__channel": user.channel, "citizen__external_id": user.user_id}


async def own_item(user: UserRef, ticket: str) -> Item:
    item = await Item.filter(ticket=ticket, **_mine(user)).first()
    if item is None:
        raise NotFound(f"no item {ticket} for this citizen")
    return item


def _ref(item: Item) -> ItemRef:
    return ItemRef(item.ticket, item.kind, item.title)


async def followups(user: UserRef, now: datetime, campaigns: tuple[CampaignRef, ...] = ()) -> Followups:
    """One query: the items waiting on this citizen and those whose rating is due."""
    items = await Item.filter(status__in=[*WAITING, *RATING], **_mine(user)).order_by("-updated_at", "-id")
    waiting = tuple(_ref(i) for i in items if i.status in WAITING)
    rating = tuple(
        _ref(i)
        for i in items
        if i.status in RATING and i.satisfaction is None and i.updated_at >= now - RATING_WINDOW
    )
    return Followups(waiting=waiting, rating_due=rating, campaigns=campaigns)


async def open_campaigns(today: date) -> tuple[CampaignRef, ...]:
    rows = await Campaign.filter(closed=False, starts_on__lte=today, ends_on__gte=today).order_by("ends_on")
    return tuple(CampaignRef(c.id, c.topic) for c in rows)


async def reply(user: UserRef, ticket: str, text: str, media: str | None) -> None:
    """The citizen's words join the thread; an item in 事前沟通 goes back to where it was."""
    item = await own_item(user, ticket)

    async def add_message(conn: BaseDBAsyncClient, it: Item) -> None:
        await Message.create(
            using_db=conn,
            item=it,
            direction="citizen",
            author="群众",
            text=text,
            attachments=[media] if media else [],
        )

    if item.status == "consulting":
        await service.apply(ticket, "citizen_reply", actor="citizen", note=text[:200], extra=add_message)
    else:
        async with in_transaction() as conn:
            await add_message(conn, item)


async def rate(
    user: UserRef, ticket: str, score: int, *, clocks: Clocks = DEFAULT, now: datetime | None = None
) -> RateOutcome:
    now = now or service.utcnow()
    item = await own_item(user, ticket)
    if item.status not in RATING or item.satisfaction is not None:
        return RateOutcome(ticket, item.kind, score, already=True)
    note = f"群众评价：{LABELS[score]}"
    if score == 3 and item.kind == "complaint":  # 退回再办: a new deadline, asked again after the redo
        due, redo = now + timedelta(days=clocks.redo_days), item.redo_count + 1
        await service.apply(
            ticket,
            "send_back",
            actor="citizen",
            note=note,
            now=now,
            changes={"redo_count": redo, "due_at": due, "answered_at": None},
        )
        return RateOutcome(ticket, item.kind, score, redo=redo, new_due=due)
    await service.apply(ticket, "rate", actor="citizen", note=note, changes={"satisfaction": score}, now=now)
    if score in (1, 2):
        await service.apply(
            ticket, "close", actor="citizen", note="群众评价后办结", now=now, changes={"closed_at": now}
        )
    return RateOutcome(ticket, item.kind, score)


async def comment(user: UserRef, ticket: str, text: str) -> None:
    item = await own_item(user, ticket)
    await Message.create(item=item, direction="citizen", author="群众", text=f"【评价留言】{text}")


async def request_review(
    user: UserRef, ticket: str | None, *, clocks: Clocks = DEFAULT, now: datetime | None = None
) -> ReviewOutcome:
    """复查 (then 复核) of an answered complaint, within 30 days of its answer, with its own clock."""
    now = now or service.utcnow()
    if ticket is None:
        open_ = await Item.filter(kind="complaint", status__in=["answered", "closed"], **_mine(user))
        if len(open_) != 1:
            return ReviewOutcome("choose" if open_ else "not_found")
        ticket = open_[0].ticket
    item = await Item.filter(ticket=ticket, **_mine(user)).first()
    if item is None:
        return ReviewOutcome("not_found", ticket)
    refusal = await _review_refusal(item, clocks, now)
    if refusal:
        return ReviewOutcome(refusal, ticket)
    level = item.review_level + 1
    await service.apply(
        ticket,
        "request_review",
        actor="citizen",
        note="复查申请" if level == 1 else "复核申请",
        now=now,
        changes={
            "review_level": level,
            "accepted_at": now,
            "due_at": now + timedelta(days=clocks.review_days),
            "satisfaction": None,
            "answered_at": None,
        },
    )
    return ReviewOutcome("accepted", ticket, level)


async def _review_refusal(item: Item, clocks: Clocks, now: datetime) -> str | None:
    if item.kind != "complaint":
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
