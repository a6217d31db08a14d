"""Issue 9 §9: staff rules were decided before the row was locked: two concurrent ``items extend``
gave two extensions, two audit events and two notices; ``showcase``/``reward`` worked on a declined,
closed suggestion and told the citizen it was showcased. Guards now run on the locked row inside
the transaction. Races on PostgreSQL (real row locks), beside the double-accept test."""

from __future__ import annotations

import asyncio

import pytest

from dialogs.types import UserRef
from storage.errors import ConcurrentChange, InvalidTransition
from storage.models import Department, Item, ItemEvent, Message, Outbox
from storage.workflow import actions, service
from storage.workflow.clocks import DEFAULT

REFUSED = (InvalidTransition, ConcurrentChange)


async def filed(kind: str) -> str:
    values = {"what": "噪音", "title": "遮雨棚", "name": "李四", "phone": "13900000000"}
    return (await service.submit(UserRef("web", kind), kind, values, kind, clocks=DEFAULT)).ticket


async def once(ticket: str, action: str) -> tuple[int, int, int]:
    item = await Item.get(ticket=ticket)
    return (
        await ItemEvent.filter(item_id=item.id, action=action).count(),
        await Outbox.filter(item_id=item.id, kind=action).count(),
        item.version,
    )


async def test_two_extensions_at_once_are_one(pg_db: str) -> None:
    ticket = await filed("complaint")
    await Department.create(name="区城管局")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.assign(ticket, actor="王芳", clocks=DEFAULT, departments=["区城管局"])
    results = await asyncio.gather(
        *(
            actions.extend(ticket, actor=who, clocks=DEFAULT, days=10, reason="复杂")
            for who in ("王芳", "李明")
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Item) for r in results) == 1
    assert all(isinstance(r, (Item, *REFUSED)) for r in results)
    assert (await once(ticket, "extend"))[:2] == (1, 1)
    assert (await Item.get(ticket=ticket)).extended_days == 10


@pytest.mark.parametrize("mark", ["showcase", "reward"])
async def test_a_mark_twice_at_once_is_one(pg_db: str, mark: str) -> None:
    ticket = await filed("suggestion")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.report(ticket, actor="王芳", clocks=DEFAULT)
    await actions.adopt(ticket, actor="王芳", clocks=DEFAULT, note="采纳")
    act = actions.showcase if mark == "showcase" else actions.reward
    extra = {} if mark == "showcase" else {"note": "优秀建议奖"}
    results = await asyncio.gather(
        *(act(ticket, actor=who, clocks=DEFAULT, **extra) for who in ("王芳", "李明")), return_exceptions=True
    )
    assert sum(isinstance(r, Item) for r in results) == 1
    assert (await once(ticket, mark))[:2] == (1, 1)


async def test_two_replies_at_once_both_land_in_order(pg_db: str) -> None:
    ticket = await filed("complaint")
    await asyncio.gather(
        actions.reply(ticket, actor="王芳", clocks=DEFAULT, text="第一条"),
        actions.reply(ticket, actor="李明", clocks=DEFAULT, text="第二条"),
    )
    events, notices, version = await once(ticket, "staff_reply")
    assert (events, notices, version) == (2, 2, 3)
    assert await Message.filter(item__ticket=ticket).count() == 2


async def test_a_declined_and_closed_suggestion_is_not_showcased(any_db: str) -> None:
    ticket = await filed("suggestion")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.decline(ticket, actor="王芳", clocks=DEFAULT, reason="条件不具备")
    await actions.close(ticket, actor="王芳", clocks=DEFAULT)
    for act, extra in ((actions.showcase, {}), (actions.reward, {"note": "奖"})):
        with pytest.raises(InvalidTransition, match="只有被采纳的建议"):
            await act(ticket, actor="王芳", clocks=DEFAULT, **extra)  # type: ignore[operator]
    assert await Outbox.filter(item__ticket=ticket, kind__in=["showcase", "reward"]).count() == 0
