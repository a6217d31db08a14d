"""Staff actions, one function each: the deadline arithmetic and the citizen's notice, written
through ``service.apply`` (state, audit event and outbox in one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from dialogs import notices
from storage.errors import InvalidInput, InvalidTransition, NotFound
from storage.models import Department, Item, Message
from storage.workflow import service
from storage.workflow.clocks import DEFAULT, Clocks

TZ = ZoneInfo("Asia/Shanghai")
URGENT = 3  # the satisfaction question goes before routine notices


def day(at: datetime) -> str:
    """A deadline as the citizen reads it: ``2026年12月07日`` in Shanghai time."""
    return at.astimezone(TZ).strftime("%Y年%m月%d日")


async def _item(ticket: str) -> Item:
    item = await Item.filter(ticket=ticket).first()
    if item is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    return item


def _thread(author: str, text: str) -> service.Extra:
    async def add(conn: BaseDBAsyncClient, item: Item) -> None:
        await Message.create(using_db=conn, item=item, direction="staff", author=author, text=text)

    return add


async def accept(ticket: str, *, actor: str, clocks: Clocks = DEFAULT, now: datetime | None = None) -> Item:
    item, now = await _item(ticket), now or service.utcnow()
    due = clocks.handle_due(now)
    text = notices.accepted(item.kind, ticket, day(due))
    return await service.apply(
        ticket, "accept", actor=actor, notice=text, now=now, changes={"accepted_at": now, "due_at": due}
    )


async def reject(ticket: str, *, actor: str, reason: str, where: str | None = None) -> Item:
    item = await _item(ticket)
    note = f"{reason}（建议向{where}反映）" if where else reason
    return await service.apply(
        ticket, "reject", actor=actor, note=note, notice=notices.rejected(item.kind, ticket, reason, where)
    )


async def ask(ticket: str, *, actor: str, question: str) -> Item:
    item = await _item(ticket)
    return await service.apply(
        ticket,
        "ask",
        actor=actor,
        note=question,
        extra=_thread(actor, question),
        notice=notices.asked(item.kind, ticket, question),
    )


async def report(ticket: str, *, actor: str) -> Item:
    return await service.apply(
        ticket, "report", actor=actor, changes={"reported": True}, notice=notices.reported(ticket)
    )


async def instruct(ticket: str, *, actor: str, note: str) -> Item:
    return await service.apply(
        ticket, "instruct", actor=actor, note=note, notice=notices.instructed(ticket, note)
    )


async def assign(
    ticket: str,
    *,
    actor: str,
    departments: Sequence[str],
    lead: str | None = None,
    clocks: Clocks = DEFAULT,
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
    item, now = await _item(ticket), now or service.utcnow()
    due = item.due_at or clocks.handle_due(now)

    async def link(conn: BaseDBAsyncClient, it: Item) -> None:
        await it.departments.add(*found.values(), using_db=conn)

    text = notices.assigned(item.kind, ticket, list(departments), day(due))
    return await service.apply(
        ticket,
        "assign",
        actor=actor,
        note=f"承办：{'、'.join(departments)}（牵头：{lead}）",
        notice=text,
        now=now,
        extra=link,
        changes={"due_at": due, "lead_department_id": found[lead].id},
    )


async def extend(ticket: str, *, actor: str, days: int, reason: str, clocks: Clocks = DEFAULT) -> Item:
    item = await _item(ticket)
    if not 1 <= days <= clocks.max_extension_days:
        raise InvalidInput(f"延期天数须在 1 到 {clocks.max_extension_days} 天之间。")
    if item.extended_days:
        raise InvalidTransition(f"{ticket} 已经延期过一次（{item.extended_days} 天），按规定只能延期一次。")
    if not reason.strip():
        raise InvalidInput("延期必须说明理由（--reason）。")
    if item.due_at is None:
        raise InvalidTransition(f"{ticket} 还没有办理期限，不能延期。")
    due = item.due_at + timedelta(days=days)
    return await service.apply(
        ticket,
        "extend",
        actor=actor,
        note=reason,
        changes={"due_at": due, "extended_days": days},
        notice=notices.extended(ticket, days, reason, day(due)),
    )


async def adopt(ticket: str, *, actor: str, note: str, conversion: str | None = None) -> Item:
    detail = f"{note}（转化为：{conversion}）" if conversion else note
    return await service.apply(
        ticket, "adopt", actor=actor, note=detail, notice=notices.adopted(ticket, note)
    )


async def decline(ticket: str, *, actor: str, reason: str) -> Item:
    return await service.apply(
        ticket, "decline", actor=actor, note=reason, notice=notices.declined(ticket, reason)
    )


async def implement(ticket: str, *, actor: str, result: str) -> Item:
    return await service.apply(
        ticket,
        "implement",
        actor=actor,
        note=result,
        extra=_thread(actor, result),
        notice=notices.implemented(ticket, result),
        priority=URGENT,
        changes={"satisfaction": None},
    )


async def answer(ticket: str, *, actor: str, text: str, now: datetime | None = None) -> Item:
    now = now or service.utcnow()
    return await service.apply(
        ticket,
        "answer",
        actor=actor,
        note=text,
        extra=_thread(actor, text),
        now=now,
        notice=notices.answered(ticket, text),
        priority=URGENT,
        changes={"answered_at": now, "satisfaction": None},
    )


async def close(ticket: str, *, actor: str, now: datetime | None = None) -> Item:
    item, now = await _item(ticket), now or service.utcnow()
    return await service.apply(
        ticket,
        "close",
        actor=actor,
        now=now,
        changes={"closed_at": now},
        notice=notices.closed(item.kind, ticket),
    )


async def reopen(ticket: str, *, actor: str, reason: str) -> Item:
    item = await _item(ticket)
    return await service.apply(
        ticket,
        "reopen",
        actor=actor,
        note=reason,
        changes={"closed_at": None},
        notice=notices.reopened(item.kind, ticket, reason),
    )


async def showcase(ticket: str, *, actor: str) -> Item:
    return await service.apply(
        ticket, "showcase", actor=actor, changes={"showcased": True}, notice=notices.showcased(ticket)
    )


async def reward(ticket: str, *, actor: str, note: str) -> Item:
    return await service.apply(
        ticket,
        "reward",
        actor=actor,
        note=note,
        changes={"rewarded": True},
        notice=notices.rewarded(ticket, note),
    )


async def reply(ticket: str, *, actor: str, text: str) -> Item:
    """A free message to the citizen in the item's thread."""
    if not text.strip():
        raise InvalidInput("留言不能为空。")
    item = await _item(ticket)
    return await service.apply(
        ticket,
        "staff_reply",
        actor=actor,
        note=text,
        extra=_thread(actor, text),
        notice=notices.staff_reply(item.kind, ticket, text),
    )
