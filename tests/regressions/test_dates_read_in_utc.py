"""Issue 9 §5: the dates a citizen read were UTC dates (ticket JY-20261202-0001 was "提交时间：
2026-12-01"; a send-back deadline was told one day early) and ``Asia/Shanghai`` was hard-coded in
five places, ignoring ``MINYI_TIMEZONE``. Every date shown now comes from the office's clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from bot.services import build_pipeline
from dialogs import Inbound, UserRef
from storage.config import Settings
from storage.models import Department, Item
from storage.workflow import actions, citizen, service
from storage.workflow.clocks import Clocks
from tests.answers import COMPLAINT_FROM_MENU
from tests.conftest import memory_backends

NIGHT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 December in Shanghai


async def test_ticket_date_and_send_back_deadline_in_the_offices_zone(db: str) -> None:
    settings = Settings(_env_file=None)
    pipeline, user = build_pipeline(settings, memory_backends()), UserRef("web", "d")
    with time_machine.travel(NIGHT, tick=False):
        for n, text in enumerate([*COMPLAINT_FROM_MENU, "确认"]):
            await pipeline.feed(Inbound(user, f"m{n}", NIGHT, text=text))
        ticket = (await Item.get()).ticket
        assert ticket == "TS-20261202-0001"
        shown = await pipeline.feed(Inbound(user, "q", NIGHT, text=ticket))
        assert "提交时间：2026-12-02" in shown[-1].text
    await Department.create(name="区城管局")
    await actions.accept(ticket, actor="王芳", clocks=settings.clocks)
    await actions.assign(ticket, actor="王芳", clocks=settings.clocks, departments=["区城管局"])
    await actions.answer(ticket, actor="王芳", clocks=settings.clocks, text="已整改")
    outcome = await citizen.rate(user, ticket, 3, clocks=settings.clocks, now=NIGHT + timedelta(days=10))
    assert outcome.new_due is not None and outcome.new_due.strftime("%Y-%m-%d") == "2027-01-11"  # not 01-10


async def test_the_configured_zone_is_the_one_used(db: str) -> None:
    new_york = Clocks(timezone="America/New_York")
    assert (
        new_york.day(NIGHT) == "2026年12月01日"
        and Settings(timezone="America/New_York", _env_file=None).clocks.zone.key == "America/New_York"
    )
    due = await actions.accept((await _filed(new_york)).ticket, actor="王芳", clocks=new_york, now=NIGHT)
    assert due.due_at == NIGHT + timedelta(days=60)


async def _filed(clocks: Clocks) -> Item:
    receipt = await service.submit(
        UserRef("web", "ny"), "complaint", {"what": "噪音"}, "ny", clocks=clocks, now=NIGHT
    )
    assert receipt.ticket == "TS-20261201-0001"  # the office's date in New York
    return await Item.get(ticket=receipt.ticket)
