"""What citizens do to their own items from chat, on SQLite and PostgreSQL: answers join the
thread and flip 事前沟通 back, ratings close or send back, reviews follow the 30-day rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs.types import UserRef
from storage.errors import NotFound
from storage.models import Item, ItemEvent, Message, Outbox
from storage.workflow import citizen, service

ME, OTHER = UserRef("web", "me"), UserRef("web", "someone-else")
T0 = datetime(2026, 11, 1, 2, tzinfo=UTC)


async def filed(kind: str = "complaint", key: str = "k1") -> str:
    values = {"what": "油烟直排", "title": "遮雨棚"}
    return (await service.submit(ME, kind, values, key, now=T0)).ticket


async def walk(ticket: str, *actions: str, at: datetime | None = None) -> None:
    for action in actions:
        await service.apply(ticket, action, actor="王芳", now=at)


async def test_an_answer_joins_the_thread_and_returns_the_item_to_staff(any_db: str) -> None:
    ticket = await filed("suggestion")
    await walk(ticket, "accept", "ask")
    assert [r.ticket for r in (await citizen.followups(ME, T0)).waiting] == [ticket]
    await citizen.reply(ME, ticket, "问题确实存在，早晚高峰最严重", None)
    item = await Item.get(ticket=ticket)
    assert item.status == "accepted"
    message = await Message.get(item_id=item.id)
    assert message.direction == "citizen" and message.text == "问题确实存在，早晚高峰最严重"
    assert (await ItemEvent.filter(item_id=item.id).order_by("-id").first()).action == "citizen_reply"  # type: ignore[union-attr]
    assert (await citizen.followups(ME, T0)).waiting == ()


async def test_another_citizens_ticket_is_not_found(any_db: str) -> None:
    ticket = await filed()
    with pytest.raises(NotFound):
        await citizen.reply(OTHER, ticket, "我来捣乱", None)
    assert (await citizen.request_review(OTHER, ticket)).reason == "not_found"
    assert await Message.all().count() == 0


async def test_satisfied_closes_and_is_not_asked_twice(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer")
    assert [r.ticket for r in (await citizen.followups(ME, service.utcnow())).rating_due] == [ticket]
    outcome = await citizen.rate(ME, ticket, 1)
    item = await Item.get(ticket=ticket)
    assert outcome.score == 1 and item.status == "closed" and item.satisfaction == 1
    assert (await citizen.rate(ME, ticket, 3)).already
    assert await Outbox.filter(item_id=item.id).count() == 1  # the reply is the notice: no extra rows


async def test_unsatisfied_complaint_goes_back_with_a_new_deadline(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer")
    now = datetime(2026, 11, 20, 2, tzinfo=UTC)
    outcome = await citizen.rate(ME, ticket, 3, now=now)
    item = await Item.get(ticket=ticket)
    assert (outcome.redo, item.redo_count, item.status) == (1, 1, "assigned")
    assert item.due_at == now + timedelta(days=30) and item.satisfaction is None
    await walk(ticket, "answer")
    assert [r.ticket for r in (await citizen.followups(ME, service.utcnow())).rating_due] == [ticket]
    assert (await citizen.rate(ME, ticket, 2)).redo == 0
    assert (await Item.get(ticket=ticket)).status == "closed"


async def test_review_then_final_review_then_no_more(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer", at=T0)
    day10 = T0 + timedelta(days=10)
    first = await citizen.request_review(ME, None, now=day10)
    assert (first.reason, first.level) == ("accepted", 1)
    item = await Item.get(ticket=ticket)
    assert item.status == "accepted" and item.due_at == day10 + timedelta(days=30)
    assert (await citizen.request_review(ME, ticket, now=day10)).reason == "pending"
    await walk(ticket, "assign", "answer", at=day10)
    second = await citizen.request_review(ME, ticket, now=day10 + timedelta(days=5))
    assert (second.reason, second.level) == ("accepted", 2)
    await walk(ticket, "answer", at=day10)
    assert (await citizen.request_review(ME, ticket, now=day10 + timedelta(days=6))).reason == "final"


async def test_review_window_is_30_days_from_the_answer(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer", at=T0)
    late = await citizen.request_review(ME, ticket, now=T0 + timedelta(days=30, seconds=1))
    assert late.reason == "too_late"
    assert (await citizen.request_review(ME, ticket, now=T0 + timedelta(days=30))).reason == "accepted"


async def test_review_refusals(any_db: str) -> None:
    suggestion = await filed("suggestion", "k2")
    assert (await citizen.request_review(ME, suggestion)).reason == "not_complaint"
    complaint = await filed("complaint", "k3")
    assert (await citizen.request_review(ME, complaint)).reason == "not_answered"
    assert (await citizen.request_review(ME, None)).reason == "not_found"
