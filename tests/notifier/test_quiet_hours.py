"""Quiet hours (22:00–08:00 Asia/Shanghai by default) and the order of notices, with frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifier.policy import Policy, QuietHours
from notifier.relay import Relay
from storage.config import Settings
from storage.models import Outbox
from tests.notifier.fakes import FakeSender, citizen, item, notices

SH = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 23, 23, 0, tzinfo=SH)
MORNING = datetime(2026, 11, 24, 8, 0, tzinfo=SH)


def quiet_relay(tg: FakeSender, spec: str = "22:00-08:00") -> Relay:
    settings = Settings(quiet_hours=spec, _env_file=None)
    return Relay({"telegram": tg}, Policy.from_settings(settings, frozenset({"telegram"})))


def test_quiet_hours_parse_and_span_midnight() -> None:
    assert QuietHours.parse("", "Asia/Shanghai") is None
    q = QuietHours.parse("22:00-08:00", "Asia/Shanghai")
    assert q is not None
    assert q.until(NIGHT) == MORNING
    assert q.until(datetime(2026, 11, 24, 7, 59, tzinfo=SH)) == MORNING
    assert q.until(MORNING) is None and q.until(datetime(2026, 11, 23, 21, 59, tzinfo=SH)) is None
    lunch = QuietHours.parse("12:00-13:30", "Asia/Shanghai")
    assert lunch is not None and lunch.until(datetime(2026, 11, 23, 12, 5, tzinfo=SH)) == datetime(
        2026, 11, 23, 13, 30, tzinfo=SH
    )


@pytest.mark.usefixtures("db")
async def test_non_urgent_notices_wait_until_morning_urgent_ones_go_now() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "t")
    with time_machine.travel(NIGHT, tick=False):
        now = datetime.now(UTC)
        calm = await notices(owner, await item(owner, 1), ["report"], at=now)
        urgent = await notices(owner, await item(owner, 2), ["ask"], at=now, priority=1)
        await quiet_relay(tg).drain()
        assert [n.kind for n in tg.sent] == ["ask"]
        row = await Outbox.get(id=calm[0].id)
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, MORNING)
        assert (await Outbox.get(id=urgent[0].id)).status == "sent"
    with time_machine.travel(MORNING - timedelta(minutes=1), tick=False):
        assert await quiet_relay(tg).drain() == 0
    with time_machine.travel(MORNING, tick=False):
        await quiet_relay(tg).drain()
        assert [n.kind for n in tg.sent] == ["ask", "report"]


@pytest.mark.usefixtures("db")
async def test_empty_setting_switches_quiet_hours_off() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "t")
    with time_machine.travel(NIGHT, tick=False):
        await notices(owner, await item(owner), ["report"], at=datetime.now(UTC))
        await quiet_relay(tg, spec="").drain()
    assert [n.kind for n in tg.sent] == ["report"]


@pytest.mark.usefixtures("db")
async def test_an_urgent_notice_keeps_its_place_behind_an_earlier_one_about_the_same_item() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "t")
    about = await item(owner)
    with time_machine.travel(NIGHT, tick=False):
        await notices(owner, about, ["accept"], at=datetime.now(UTC))
        await quiet_relay(tg).drain()
        await notices(owner, about, ["ask"], at=datetime.now(UTC), priority=1)
        await quiet_relay(tg).drain()
        assert tg.sent == []
    with time_machine.travel(MORNING + timedelta(seconds=1), tick=False):
        await quiet_relay(tg).drain()
    assert [n.kind for n in tg.sent] == ["accept", "ask"]
