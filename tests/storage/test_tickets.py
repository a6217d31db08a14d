"""Ticket numbering on SQLite and PostgreSQL, including many submissions racing in one second."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
import time_machine

from dialogs.types import UserRef
from storage.models import Item, ItemEvent, Outbox
from storage.workflow import service
from storage.workflow.clocks import DEFAULT

VALUES = {
    "category": "交通出行",
    "title": "公交站遮雨棚",
    "problem": "淋雨",
    "measure": "加棚",
    "name": "李四",
    "phone": "13912345678",
    "contact_ok": "可以",
}


async def test_numbers_are_per_kind_per_local_day(any_db: str) -> None:
    user = UserRef("web", "u1")
    late_utc = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 on the 23rd in Shanghai
    a = await service.submit(
        user, "suggestion", VALUES, "k1", now=datetime(2026, 11, 22, 3, tzinfo=UTC), clocks=DEFAULT
    )
    b = await service.submit(
        user, "suggestion", VALUES, "k2", now=datetime(2026, 11, 22, 4, tzinfo=UTC), clocks=DEFAULT
    )
    c = await service.submit(
        user, "complaint", {"what": "噪音"}, "k3", now=datetime(2026, 11, 22, 5, tzinfo=UTC), clocks=DEFAULT
    )
    d = await service.submit(user, "suggestion", VALUES, "k4", now=late_utc, clocks=DEFAULT)
    assert [a.ticket, b.ticket, c.ticket, d.ticket] == [
        "JY-20261122-0001",
        "JY-20261122-0002",
        "TS-20261122-0001",
        "JY-20261123-0001",
    ]


async def test_retried_submit_never_makes_a_second_item(any_db: str) -> None:
    user = UserRef("web", "u1")
    first = await service.submit(user, "suggestion", VALUES, "same-key", clocks=DEFAULT)
    again = await service.submit(user, "suggestion", VALUES, "same-key", clocks=DEFAULT)
    assert again.ticket == first.ticket and again.duplicate
    assert await Item.all().count() == 1 and await Outbox.all().count() == 1


async def test_submit_writes_item_event_and_notice_together(any_db: str) -> None:
    receipt = await service.submit(UserRef("web", "u1"), "suggestion", VALUES, "k", clocks=DEFAULT)
    item = await Item.get(ticket=receipt.ticket)
    event = await ItemEvent.get(item_id=item.id)
    notice = await Outbox.get(item_id=item.id)
    assert (event.action, event.from_status, event.to_status) == ("submit", None, "received")
    assert notice.kind == "received" and receipt.ticket in notice.text
    assert notice.status == "sent" and notice.sent_via == "reply"  # delivered as the chat reply itself


async def test_failed_notice_rolls_back_the_item(any_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Outbox, "create", broken)
    with pytest.raises(RuntimeError):
        await service.submit(UserRef("web", "u1"), "suggestion", VALUES, "k", clocks=DEFAULT)
    assert await Item.all().count() == 0 and await ItemEvent.all().count() == 0


@time_machine.travel(datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC), tick=False)
async def test_racing_submissions_in_one_second_get_distinct_numbers(pg_db: str) -> None:
    users = [UserRef("web", f"u{i}") for i in range(40)]
    receipts = await asyncio.gather(
        *(
            service.submit(u, "complaint", {"what": f"事{i}"}, f"key-{i}", clocks=DEFAULT)
            for i, u in enumerate(users)
        )
    )
    tickets = [r.ticket for r in receipts]
    assert len(set(tickets)) == 40
    assert all(re.fullmatch(r"TS-20261122-\d{4}", t) for t in tickets)
    assert sorted(tickets)[-1] == "TS-20261122-0040"
