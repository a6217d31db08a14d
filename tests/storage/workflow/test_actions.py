"""Staff actions on SQLite and PostgreSQL: one transition under a race, the statutory clocks at
their edges (frozen time, Asia/Shanghai), the one-extension rule, and what stats/overdue see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dialogs.types import UserRef
from storage import reports
from storage.errors import ConcurrentChange, InvalidInput, InvalidTransition
from storage.models import Department, Item, ItemEvent, Outbox
from storage.workflow import actions, service
from storage.workflow.clocks import DEFAULT

RECEIVED = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


async def complaint(key: str = "k") -> str:
    return (
        await service.submit(
            UserRef("web", key), "complaint", {"what": "噪音"}, key, now=RECEIVED, clocks=DEFAULT
        )
    ).ticket


async def test_a_concurrent_double_accept_is_one_transition(any_db: str) -> None:
    ticket = await complaint()
    results = await asyncio.gather(
        actions.accept(ticket, actor="王芳", clocks=DEFAULT),
        actions.accept(ticket, actor="李明", clocks=DEFAULT),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Item) for r in results) == 1
    assert all(
        isinstance(r, InvalidTransition | ConcurrentChange) for r in results if not isinstance(r, Item)
    )
    item = await Item.get(ticket=ticket)
    assert (item.status, item.version) == ("accepted", 2)
    assert await ItemEvent.filter(item_id=item.id, action="accept").count() == 1
    assert await Outbox.filter(item_id=item.id, kind="accept").count() == 1


async def test_an_illegal_step_changes_nothing(any_db: str) -> None:
    ticket = await complaint()
    with pytest.raises(InvalidTransition):
        await actions.answer(ticket, actor="王芳", text="好", clocks=DEFAULT)
    item = await Item.get(ticket=ticket)
    assert (item.status, item.version, item.answered_at) == ("received", 1, None)
    assert (
        await Outbox.filter(item_id=item.id).count() == 1
        and await ItemEvent.filter(item_id=item.id).count() == 1
    )


async def test_clocks_15_then_60_days_then_one_extension_of_at_most_30(any_db: str) -> None:
    ticket = await complaint()
    item = await Item.get(ticket=ticket)
    assert item.accept_due_at == RECEIVED + timedelta(days=15)
    accepted_at = RECEIVED + timedelta(days=14, hours=23)  # the last hour of the 15 days
    with time_machine.travel(accepted_at, tick=False):
        await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await Department.create(name="区城管局")
    await actions.assign(ticket, actor="王芳", departments=["区城管局"], clocks=DEFAULT)
    item = await Item.get(ticket=ticket)
    assert item.due_at == accepted_at + timedelta(days=60)
    with pytest.raises(InvalidInput):
        await actions.extend(ticket, actor="王芳", days=31, reason="太复杂", clocks=DEFAULT)
    with pytest.raises(InvalidInput):
        await actions.extend(ticket, actor="王芳", days=10, reason=" ", clocks=DEFAULT)
    await actions.extend(ticket, actor="王芳", days=30, reason="需要联合检测", clocks=DEFAULT)
    with pytest.raises(InvalidTransition):
        await actions.extend(ticket, actor="王芳", days=1, reason="再延一次", clocks=DEFAULT)
    item = await Item.get(ticket=ticket)
    assert item.due_at == accepted_at + timedelta(days=90) and item.extended_days == 30
    notice = await Outbox.get(item_id=item.id, kind="extend")
    assert "延期 30 天" in notice.text and "需要联合检测" in notice.text
    assert (accepted_at + timedelta(days=90)).astimezone(DEFAULT.zone).strftime("%Y年%m月%d日") in notice.text


async def test_assign_refuses_unknown_departments(any_db: str) -> None:
    ticket = await complaint()
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    with pytest.raises(InvalidInput) as caught:
        await actions.assign(ticket, actor="王芳", departments=["不存在局"], clocks=DEFAULT)
    assert "departments add" in str(caught.value)
    assert (await Item.get(ticket=ticket)).status == "accepted"


async def test_on_time_in_stats_and_late_in_overdue(any_db: str) -> None:
    await Department.create(name="区城管局")
    good, late = await complaint("good"), await complaint("late")
    for ticket in (good, late):
        with time_machine.travel(RECEIVED + timedelta(days=1), tick=False):
            await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
            await actions.assign(ticket, actor="王芳", departments=["区城管局"], clocks=DEFAULT)
    await actions.extend(good, actor="王芳", days=20, reason="复杂", clocks=DEFAULT)
    with time_machine.travel(RECEIVED + timedelta(days=75), tick=False):  # after 60, inside 60+20
        await actions.answer(good, actor="王芳", text="已处理", clocks=DEFAULT)
    figures = await reports.stats(None, None)
    assert figures["total"]["on_time_rate"] == 1.0
    rows = await reports.overdue(RECEIVED + timedelta(days=75))
    assert [(r["ticket"], r["overdue"], r["departments"]) for r in rows] == [(late, True, ["区城管局"])]
    assert rows[0]["days_left"] == pytest.approx(-14.0, abs=0.1)
    by_dept = await reports.stats(None, None, "department")
    assert by_dept["groups"]["区城管局"]["count"] == 2


async def test_accepted_within_the_limit_counts_the_told_and_the_overdue_not_the_waiting(any_db: str) -> None:
    """受理告知 within 15 days: accepted in time, refused in time, accepted late, never told and past
    the limit count (2 of 4); one still inside its limit is not counted yet."""
    tickets = [await complaint(k) for k in ("in_time", "refused", "late", "untold", "waiting")]
    with time_machine.travel(RECEIVED + timedelta(days=2), tick=False):
        await actions.accept(tickets[0], actor="王芳", clocks=DEFAULT)
        await actions.reject(tickets[1], actor="王芳", reason="不属于受理范围", clocks=DEFAULT)
    with time_machine.travel(RECEIVED + timedelta(days=40), tick=False):
        await actions.accept(tickets[2], actor="王芳", clocks=DEFAULT)
    waiting = await Item.get(ticket=tickets[4])
    waiting.accept_due_at = RECEIVED + timedelta(days=60)
    await waiting.save(update_fields=["accept_due_at"])
    figures = await reports.stats(None, None, now=RECEIVED + timedelta(days=41))
    assert figures["total"]["accepted_in_time_rate"] == 0.5
    assert figures["total"]["by_kind"] == {"suggestion": 0, "complaint": 5}


async def test_digest_groups_reported_suggestions(any_db: str) -> None:
    values = {
        "category": "交通出行",
        "title": "遮雨棚",
        "problem": "淋雨",
        "cause": "",
        "measure": "加棚",
        "name": "匿名",
        "phone": "13800138000",
        "contact_ok": "不可以",
    }
    ticket = (await service.submit(UserRef("web", "d"), "suggestion", values, "d", clocks=DEFAULT)).ticket
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.report(ticket, actor="王芳", clocks=DEFAULT)
    now = service.utcnow()
    grouped = await reports.digest(now - timedelta(days=1), now + timedelta(days=1))
    (entry,) = grouped["交通出行"]
    assert entry["problem"] == "淋雨" and entry["anonymous"] and not entry["contact_ok"]
