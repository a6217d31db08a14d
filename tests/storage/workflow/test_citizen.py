"""What citizens do to their own items from chat, on SQLite and PostgreSQL: a question counts only
once it was delivered; answers join the thread and flip 事前沟通 back, ratings close or send back,
reviews follow the 30-day rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from dialogs.types import UserRef
from storage.errors import NotFound
from storage.models import Department, Item, ItemEvent, Message, Outbox
from storage.workflow import actions, citizen, service
from storage.workflow.clocks import DEFAULT

ME, OTHER = UserRef("web", "me"), UserRef("web", "someone-else")
T0 = datetime(2026, 11, 1, 2, tzinfo=UTC)


async def filed(kind: str = "complaint", key: str = "k1") -> str:
    values = {"what": "油烟直排", "title": "遮雨棚"}
    return (await service.submit(ME, kind, values, key, now=T0, clocks=DEFAULT)).ticket


STAFF: dict[str, Callable[[str, datetime | None], Awaitable[object]]] = {
    "accept": lambda t, at: actions.accept(t, actor="王芳", clocks=DEFAULT, now=at),
    "ask": lambda t, at: actions.ask(t, actor="王芳", clocks=DEFAULT, question="站台哪一侧？"),
    "assign": lambda t, at: actions.assign(t, actor="王芳", clocks=DEFAULT, departments=["区城管局"], now=at),
    "answer": lambda t, at: actions.answer(t, actor="王芳", clocks=DEFAULT, text="已整改", now=at),
    "reply": lambda t, at: actions.reply(t, actor="王芳", clocks=DEFAULT, text="请补充照片"),
}


async def walk(ticket: str, *steps: str, at: datetime | None = None) -> None:
    """Staff act, and every notice reaches the citizen (as the relay marks it) at ``at``."""
    if not await Department.exists(name="区城管局"):
        await Department.create(name="区城管局")
    for step in steps:
        await STAFF[step](ticket, at)
    await delivered(ticket, at or service.utcnow())


async def delivered(ticket: str, at: datetime) -> None:
    await Outbox.filter(item__ticket=ticket).exclude(status="sent").update(status="sent", sent_at=at)


async def test_a_question_waits_for_an_answer_only_once_it_was_delivered(any_db: str) -> None:
    ticket = await filed("suggestion")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.ask(ticket, actor="王芳", clocks=DEFAULT, question="站台哪一侧？")
    now = service.utcnow()
    assert (await citizen.followups(ME, now)).waiting == ()  # still in the outbox: not on their screen
    await delivered(ticket, now + timedelta(seconds=5))
    before = await citizen.followups(ME, now)
    assert before.waiting == ()  # they wrote before it arrived
    assert before.later, "it counts from their next message: their waits mark must stay"
    later = now + timedelta(seconds=9)
    assert [r.ticket for r in (await citizen.followups(ME, later)).waiting] == [ticket]


async def test_a_question_being_sent_counts_as_seen(any_db: str) -> None:
    """Regression (issue 9 acceptance): WeChat showed the question, the citizen answered at once,
    and the relay had not yet marked the row sent: the answer got "没太明白"."""
    ticket = await filed("suggestion")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.ask(ticket, actor="王芳", clocks=DEFAULT, question="站台哪一侧？")
    await Outbox.filter(item__ticket=ticket).exclude(status="sent").update(status="sending")
    assert [r.ticket for r in (await citizen.followups(ME, service.utcnow())).waiting] == [ticket]


async def test_a_rating_question_being_sent_counts_as_seen(any_db: str) -> None:
    """Regression (CI, scaled WeChat): the 落地 notice reached the citizen, they replied "满意" at
    once, and the relay had not yet marked the row sent (no ``sent_at``): "目前没有需要您评价的事项"."""
    ticket = await filed()
    await walk(ticket, "accept", "assign", at=T0)
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="已整改", now=T0)
    await Outbox.filter(item__ticket=ticket).exclude(status="sent").update(status="sending")
    assert [r.ticket for r in (await citizen.followups(ME, service.utcnow())).rating_due] == [ticket]


async def test_a_staff_message_opens_the_thread_for_a_while(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "reply", at=T0)
    assert [r.ticket for r in (await citizen.followups(ME, T0 + timedelta(days=1))).waiting] == [ticket]
    await citizen.reply(ME, ticket, "照片已补充", None)
    item = await Item.get(ticket=ticket)
    assert (
        item.status == "accepted" and await Message.filter(item_id=item.id, direction="citizen").count() == 1
    )
    assert (await citizen.followups(ME, T0 + timedelta(days=16))).waiting == ()  # after 15 days: the menu


async def test_an_answer_joins_the_thread_and_returns_the_item_to_staff(any_db: str) -> None:
    ticket = await filed("suggestion")
    await walk(ticket, "accept", "ask", at=T0)
    assert [r.ticket for r in (await citizen.followups(ME, T0 + timedelta(seconds=1))).waiting] == [ticket]
    await citizen.reply(ME, ticket, "问题确实存在，早晚高峰最严重", None)
    item = await Item.get(ticket=ticket)
    assert item.status == "accepted"
    message = await Message.get(item_id=item.id, direction="citizen")
    assert message.direction == "citizen" and message.text == "问题确实存在，早晚高峰最严重"
    assert (await ItemEvent.filter(item_id=item.id).order_by("-id").first()).action == "citizen_reply"  # type: ignore[union-attr]
    assert (await citizen.followups(ME, T0 + timedelta(seconds=1))).waiting == ()


async def test_another_citizens_ticket_is_not_found(any_db: str) -> None:
    ticket = await filed()
    with pytest.raises(NotFound):
        await citizen.reply(OTHER, ticket, "我来捣乱", None)
    assert (await citizen.request_review(OTHER, ticket, clocks=DEFAULT)).reason == "not_found"
    assert await Message.all().count() == 0


async def test_satisfied_closes_and_is_not_asked_twice(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer", at=T0)
    assert [r.ticket for r in (await citizen.followups(ME, T0 + timedelta(seconds=1))).rating_due] == [ticket]
    outcome = await citizen.rate(ME, ticket, 1, clocks=DEFAULT)
    item = await Item.get(ticket=ticket)
    assert outcome.score == 1 and item.status == "closed" and item.satisfaction == 1
    assert (await citizen.rate(ME, ticket, 3, clocks=DEFAULT)).already
    kinds = [r.kind for r in await Outbox.filter(item_id=item.id).order_by("id")]
    assert kinds == ["received", "accept", "assign", "answer"]  # the chat reply is the notice of a rating


async def test_unsatisfied_complaint_goes_back_with_a_new_deadline(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer")
    now = datetime(2026, 11, 20, 2, tzinfo=UTC)
    outcome = await citizen.rate(ME, ticket, 3, now=now, clocks=DEFAULT)
    item = await Item.get(ticket=ticket)
    assert (outcome.redo, item.redo_count, item.status) == (1, 1, "assigned")
    assert item.due_at == now + timedelta(days=30) and item.satisfaction is None
    assert (await citizen.followups(ME, service.utcnow())).rating_due == ()  # rated: not asked again
    await walk(ticket, "answer", at=now)
    assert [r.ticket for r in (await citizen.followups(ME, now + timedelta(seconds=1))).rating_due] == [
        ticket
    ]
    assert (await citizen.rate(ME, ticket, 2, clocks=DEFAULT)).redo == 0
    assert (await Item.get(ticket=ticket)).status == "closed"


async def test_review_then_final_review_then_no_more(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer", at=T0)
    day10 = T0 + timedelta(days=10)
    first = await citizen.request_review(ME, None, now=day10, clocks=DEFAULT)
    assert (first.reason, first.level) == ("accepted", 1)
    item = await Item.get(ticket=ticket)
    assert item.status == "accepted" and item.due_at == day10 + timedelta(days=30)
    assert (await citizen.request_review(ME, ticket, now=day10, clocks=DEFAULT)).reason == "pending"
    await walk(ticket, "assign", "answer", at=day10)
    second = await citizen.request_review(ME, ticket, now=day10 + timedelta(days=5), clocks=DEFAULT)
    assert (second.reason, second.level) == ("accepted", 2)
    await walk(ticket, "answer", at=day10)
    assert (
        await citizen.request_review(ME, ticket, now=day10 + timedelta(days=6), clocks=DEFAULT)
    ).reason == "final"


async def test_review_window_is_30_days_from_the_answer(any_db: str) -> None:
    ticket = await filed()
    await walk(ticket, "accept", "assign", "answer", at=T0)
    late = await citizen.request_review(ME, ticket, now=T0 + timedelta(days=30, seconds=1), clocks=DEFAULT)
    assert late.reason == "too_late"
    assert (
        await citizen.request_review(ME, ticket, now=T0 + timedelta(days=30), clocks=DEFAULT)
    ).reason == "accepted"


async def test_review_refusals(any_db: str) -> None:
    suggestion = await filed("suggestion", "k2")
    assert (await citizen.request_review(ME, suggestion, clocks=DEFAULT)).reason == "not_complaint"
    complaint = await filed("complaint", "k3")
    assert (await citizen.request_review(ME, complaint, clocks=DEFAULT)).reason == "not_answered"
    assert (await citizen.request_review(ME, None, clocks=DEFAULT)).reason == "not_found"
