"""Staff actions, one function each: the deadline arithmetic and the citizen's notice, planned on
the locked row and written through ``service.apply`` (state, audit event and outbox in one
transaction). Every function takes the office's ``Clocks`` (deadlines and the time zone the
citizen reads dates in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from dialogs import notices
from storage.errors import InvalidInput
from storage.models import Department, Item, Message
from storage.workflow import service
from storage.workflow.clocks import Clocks
from storage.workflow.service import Change

URGENT = 3  # the satisfaction question goes before routine notices


def _thread(author: str, text: str, direction: str = "staff") -> service.Extra:
    async def add(conn: BaseDBAsyncClient, item: Item) -> None:
        await Message.create(using_db=conn, item=item, direction=direction, author=author, text=text)

    return add


def _required(value: str, what: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{what}不能为空。")
    return value.strip()


async def accept(ticket: str, *, actor: str, clocks: Clocks, now: datetime | None = None) -> Item:
    now = now or service.utcnow()

    def plan(item: Item) -> Change:
        due = clocks.handle_due(now)
        return Change(
            {"accepted_at": now, "due_at": due}, notices.accepted(item.kind, ticket, clocks.day(due))
        )

    return await service.apply(ticket, "accept", actor=actor, now=now, plan=plan)


async def reject(ticket: str, *, actor: str, clocks: Clocks, reason: str, where: str | None = None) -> Item:
    reason = _required(reason, "不予受理的理由（--reason）")
    note = f"{reason}（建议向{where}反映）" if where else reason
    return await service.apply(
        ticket,
        "reject",
        actor=actor,
        plan=lambda item: Change(notice=notices.rejected(item.kind, ticket, reason, where), note=note),
    )


async def ask(ticket: str, *, actor: str, clocks: Clocks, question: str) -> Item:
    question = _required(question, "问题")
    return await service.apply(
        ticket,
        "ask",
        actor=actor,
        plan=lambda item: Change(notice=notices.asked(item.kind, ticket, question), note=question),
        extra=_thread(actor, question),
    )


async def withdraw(ticket: str, *, actor: str, clocks: Clocks, reason: str = "") -> Item:
    """Take back a 事前沟通 question the citizen cannot or did not answer: the item goes on."""
    return await service.apply(
        ticket,
        "withdraw",
        actor=actor,
        plan=lambda item: Change(notice=notices.withdrawn(item.kind, ticket), note=reason or "撤回征询"),
    )


async def record_reply(ticket: str, *, actor: str, clocks: Clocks, text: str, via: str = "电话") -> Item:
    """The citizen's answer given to staff outside the chat (a call, a visit): it joins the thread."""
    text = _required(text, "群众的答复（--text）")
    return await service.apply(
        ticket,
        "record_reply",
        actor=actor,
        plan=lambda item: Change(note=f"{via}：{text[:200]}"),
        extra=_thread(f"群众（{via}，{actor} 记录）", text, direction="citizen"),
    )


async def report(ticket: str, *, actor: str, clocks: Clocks) -> Item:
    return await service.apply(
        ticket,
        "report",
        actor=actor,
        plan=lambda item: Change({"reported": True}, notices.reported(ticket)),
    )


async def instruct(ticket: str, *, actor: str, clocks: Clocks, note: str) -> Item:
    note = _required(note, "批示内容（--note）")
    return await service.apply(
        ticket,
        "instruct",
        actor=actor,
        plan=lambda item: Change(notice=notices.instructed(ticket, note), note=note),
    )


async def assign(
    ticket: str,
    *,
    actor: str,
    clocks: Clocks,
    departments: Sequence[str],
    lead: str | None = None,
    now: datetime | None = None,
) -> Item:
    if not departments:
        raise InvalidInput("请至少指定一个承办单位（--dept）。")
    found = {d.name: d for d in await Department.filter(name__in=list(departments))}
    if missing := [d for d in departments if d not in found]:
        raise InvalidInput(f"没有承办单位：{'、'.join(missing)}。请先用 departments add 添加。")
    lead = lead or departments[0]
    if lead not in found:
        raise InvalidInput(f"牵头单位 {lead} 不在 --dept 里。")
    now = now or service.utcnow()

    def plan(item: Item) -> Change:
        due = item.due_at or clocks.handle_due(now)
        text = notices.assigned(item.kind, ticket, list(departments), clocks.day(due))
        note = f"承办：{'、'.join(departments)}（牵头：{lead}）"
        return Change({"due_at": due, "lead_department_id": found[lead].id}, text, note)

    async def link(conn: BaseDBAsyncClient, it: Item) -> None:
        await it.departments.add(*found.values(), using_db=conn)

    return await service.apply(ticket, "assign", actor=actor, now=now, plan=plan, extra=link)


async def extend(ticket: str, *, actor: str, clocks: Clocks, days: int, reason: str) -> Item:
    if not 1 <= days <= clocks.max_extension_days:
        raise InvalidInput(f"延期天数须在 1 到 {clocks.max_extension_days} 天之间。")
    reason = _required(reason, "延期理由（--reason）")

    def plan(item: Item) -> Change:
        assert item.due_at is not None  # the guard refused an item without a deadline
        due = item.due_at + timedelta(days=days)
        text = notices.extended(ticket, days, reason, clocks.day(due))
        return Change({"due_at": due, "extended_days": days}, text, reason)

    return await service.apply(ticket, "extend", actor=actor, plan=plan)


async def adopt(ticket: str, *, actor: str, clocks: Clocks, note: str, conversion: str | None = None) -> Item:
    note = _required(note, "采纳情况（--note）")
    detail = f"{note}（转化为：{conversion}）" if conversion else note
    now = service.utcnow()
    return await service.apply(
        ticket,
        "adopt",
        actor=actor,
        now=now,
        plan=lambda item: Change({"adopted_at": now}, notices.adopted(ticket, note), detail),
    )


async def decline(ticket: str, *, actor: str, clocks: Clocks, reason: str) -> Item:
    reason = _required(reason, "不予采纳的理由（--reason）")
    return await service.apply(
        ticket,
        "decline",
        actor=actor,
        plan=lambda item: Change(notice=notices.declined(ticket, reason), note=reason),
    )


async def implement(ticket: str, *, actor: str, clocks: Clocks, result: str) -> Item:
    result = _required(result, "落地情况（--result）")
    return await service.apply(
        ticket,
        "implement",
        actor=actor,
        plan=lambda item: Change({"satisfaction": None}, notices.implemented(ticket, result), result),
        extra=_thread(actor, result),
        priority=URGENT,
    )


async def answer(ticket: str, *, actor: str, clocks: Clocks, text: str, now: datetime | None = None) -> Item:
    text = _required(text, "答复内容（--text）")
    now = now or service.utcnow()

    def plan(item: Item) -> Change:
        notice = notices.answered(ticket, text, item.review_level, clocks.review_request_days)
        return Change({"answered_at": now, "satisfaction": None}, notice, text)

    return await service.apply(
        ticket, "answer", actor=actor, now=now, plan=plan, extra=_thread(actor, text), priority=URGENT
    )


async def close(ticket: str, *, actor: str, clocks: Clocks, now: datetime | None = None) -> Item:
    now = now or service.utcnow()
    return await service.apply(
        ticket,
        "close",
        actor=actor,
        now=now,
        plan=lambda item: Change({"closed_at": now}, notices.closed(item.kind, ticket)),
    )


async def reopen(ticket: str, *, actor: str, clocks: Clocks, reason: str) -> Item:
    reason = _required(reason, "重新办理的理由（--reason）")
    return await service.apply(
        ticket,
        "reopen",
        actor=actor,
        plan=lambda item: Change({"closed_at": None}, notices.reopened(item.kind, ticket, reason), reason),
    )


async def showcase(ticket: str, *, actor: str, clocks: Clocks) -> Item:
    return await service.apply(
        ticket,
        "showcase",
        actor=actor,
        plan=lambda item: Change({"showcased": True}, notices.showcased(ticket)),
    )


async def reward(ticket: str, *, actor: str, clocks: Clocks, note: str) -> Item:
    note = _required(note, "褒奖内容（--note）")
    return await service.apply(
        ticket,
        "reward",
        actor=actor,
        plan=lambda item: Change({"rewarded": True}, notices.rewarded(ticket, note), note),
    )


async def reply(ticket: str, *, actor: str, clocks: Clocks, text: str) -> Item:
    """A free message to the citizen in the item's thread; their answer joins it (see ``citizen``)."""
    text = _required(text, "留言")
    return await service.apply(
        ticket,
        "staff_reply",
        actor=actor,
        plan=lambda item: Change(notice=notices.staff_reply(item.kind, ticket, text), note=text),
        extra=_thread(actor, text),
    )
