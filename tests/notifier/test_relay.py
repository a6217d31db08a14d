"""The relay against a FakeSender on SQLite: channel rules, failures, merging and order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notifier.policy import HOLD_FOR_SATISFACTION, HOLD_NO_PUSH, HOLD_WINDOW, Policy, Template
from notifier.relay import Backoff, Relay
from storage import outbox
from storage.errors import QuotaExceeded, RateLimited, RecipientUnreachable, TransientError
from storage.models import Citizen, Outbox
from tests.notifier.fakes import T0, FakeSender, citizen, item, notices

pytestmark = pytest.mark.usefixtures("db")
TEMPLATES = {"accept": Template("TPL-ACCEPT", {"first": "text", "keyword1": "ticket"})}


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def relay(*senders: FakeSender, clock: Clock | None = None, templates: dict | None = None, **kw) -> Relay:
    policy = Policy(
        push_channels=frozenset(s.channel for s in senders),
        templates=templates or {},
        satisfaction_kinds=frozenset({"satisfaction"}),
    )
    kw.setdefault("backoff", Backoff(base=10, rand=lambda: 1.0))
    return Relay({s.channel: s for s in senders}, policy, clock=clock or Clock(), **kw)


async def status_of(rows: list[Outbox]) -> list[str]:
    return [(await Outbox.get(id=r.id)).status for r in rows]


async def test_telegram_notice_is_sent_once_and_marked() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "42")
    rows = await notices(owner, await item(owner), ["accept"])
    assert await relay(tg).drain() == 1
    assert [n.recipient for n in tg.sent] == ["42"]
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.sent_via, row.attempts) == ("sent", "message", 1)
    assert await relay(tg).drain() == 0  # nothing is sent twice


async def test_wechat_window_open_sends_customer_service_message() -> None:
    wx = FakeSender("wechat", templates=True)
    owner = await citizen("wechat", "openid-1", last_inbound_at=T0 - timedelta(hours=47))
    rows = await notices(owner, await item(owner), ["accept"])
    await relay(wx, templates=TEMPLATES).drain()
    assert len(wx.sent) == 1 and not wx.templates
    assert (await Outbox.get(id=rows[0].id)).sent_via == "customer_service"
    assert (await Citizen.get(id=owner.id)).window_sent == 1


async def test_wechat_window_closed_with_template_sends_template() -> None:
    wx = FakeSender("wechat", templates=True)
    owner = await citizen("wechat", "openid-1", last_inbound_at=T0 - timedelta(hours=49))
    rows = await notices(owner, await item(owner), ["accept"])
    await relay(wx, templates=TEMPLATES).drain()
    assert not wx.sent
    [(notice, template_id, data)] = wx.templates
    assert notice.recipient == "openid-1"
    assert template_id == "TPL-ACCEPT" and data == {"first": "accept 的通知", "keyword1": "JY-20261123-0001"}
    assert (await Outbox.get(id=rows[0].id)).sent_via == "template"


async def test_wechat_window_closed_without_template_is_held() -> None:
    wx = FakeSender("wechat", templates=True)
    owner = await citizen("wechat", "openid-1")
    rows = await notices(owner, await item(owner), ["report"])
    await relay(wx, templates=TEMPLATES).drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.last_error) == ("held", HOLD_WINDOW)
    assert wx.calls == 0


async def test_quota_spent_in_the_window_holds_and_platform_quota_error_reroutes() -> None:
    wx = FakeSender("wechat", templates=True)
    spent = await citizen("wechat", "spent", last_inbound_at=T0 - timedelta(hours=1))
    await Citizen.filter(id=spent.id).update(window_sent=5)
    told = await citizen("wechat", "told", last_inbound_at=T0 - timedelta(hours=1))
    wx.always["told"] = QuotaExceeded("45047 out of response count limit")
    a = await notices(spent, await item(spent, 1), ["report"])
    b = await notices(told, await item(told, 2), ["report"])
    await relay(wx, templates=TEMPLATES).drain()
    assert await status_of(a + b) == ["held", "held"]
    assert (await Citizen.get(id=told.id)).window_sent == 5  # believed until the citizen writes again


async def test_blocked_user_fails_at_once_and_is_marked_unreachable() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "blocker")
    tg.always["blocker"] = RecipientUnreachable("Forbidden: bot was blocked by the user")
    first = await notices(owner, await item(owner, 1), ["accept"])
    await relay(tg).drain()
    row = await Outbox.get(id=first[0].id)
    assert row.status == "failed" and "blocked" in row.last_error and row.attempts == 1
    assert not (await Citizen.get(id=owner.id)).reachable
    later = await notices(owner, await item(owner, 2), ["accept"])
    calls = tg.calls
    await relay(tg).drain()
    assert await status_of(later) == ["failed"] and tg.calls == calls  # no more calls to a blocked user


async def test_429_waits_retry_after_without_spending_an_attempt() -> None:
    tg, clock = FakeSender("telegram"), Clock()
    tg.script = [RateLimited("Too Many Requests", retry_after=7)]
    owner = await citizen("telegram", "42")
    rows = await notices(owner, None, ["accept"])
    r = relay(tg, clock=clock)
    await r.drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, T0 + timedelta(seconds=7))
    clock.now += timedelta(seconds=6)
    assert await r.drain() == 0
    clock.now += timedelta(seconds=1)
    await r.drain()
    assert (await Outbox.get(id=rows[0].id)).status == "sent" and len(tg.sent) == 1


async def test_5xx_then_success_backs_off_then_sends() -> None:
    tg, clock = FakeSender("telegram"), Clock()
    tg.script = [TransientError("502 Bad Gateway"), TransientError("503")]
    owner = await citizen("telegram", "42")
    rows = await notices(owner, None, ["accept"])
    r = relay(tg, clock=clock)
    await r.drain()
    assert (await Outbox.get(id=rows[0].id)).next_attempt_at == T0 + timedelta(seconds=10)
    clock.now += timedelta(seconds=10)
    await r.drain()
    assert (await Outbox.get(id=rows[0].id)).next_attempt_at == clock.now + timedelta(seconds=20)
    clock.now += timedelta(seconds=20)
    await r.drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.attempts, len(tg.sent)) == ("sent", 3, 1)


async def test_after_max_attempts_the_row_fails_with_the_last_reason() -> None:
    tg, clock = FakeSender("telegram"), Clock()
    tg.script = [TransientError("timeout")] * 3
    owner = await citizen("telegram", "42")
    rows = await notices(owner, None, ["accept"])
    r = relay(tg, clock=clock, max_attempts=3)
    for _ in range(3):
        await r.drain()
        clock.now += timedelta(hours=1)
    row = await Outbox.get(id=rows[0].id)
    assert row.status == "failed" and "3 attempts" in row.last_error and "timeout" in row.last_error


async def test_web_and_console_notices_are_held_for_the_next_message() -> None:
    owner = await citizen("web", "w-1")
    rows = await notices(owner, await item(owner), ["accept"])
    await relay().drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.last_error) == ("held", HOLD_NO_PUSH)


async def test_piled_up_notices_about_one_item_merge_into_one_wechat_message_in_order() -> None:
    wx = FakeSender("wechat")
    owner = await citizen("wechat", "o", last_inbound_at=T0 - timedelta(hours=1))
    rows = await notices(owner, await item(owner), ["accept", "report", "instruct"])
    await relay(wx).drain()
    [message] = wx.sent
    assert message.text.startswith("您有 3 条办理进展：")
    assert message.text.index("accept") < message.text.index("report") < message.text.index("instruct")
    assert await status_of(rows) == ["sent"] * 3
    assert (await Citizen.get(id=owner.id)).window_sent == 1


async def test_telegram_sends_piled_up_notices_separately_in_order() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "t")
    await notices(owner, await item(owner), ["accept", "report", "instruct"])
    await relay(tg).drain()
    assert [n.kind for n in tg.sent] == ["accept", "report", "instruct"]


async def test_last_window_slot_goes_to_the_satisfaction_question() -> None:
    wx = FakeSender("wechat")
    owner = await citizen("wechat", "o", last_inbound_at=T0 - timedelta(hours=1))
    await Citizen.filter(id=owner.id).update(window_sent=4)
    low = await notices(owner, await item(owner, 1), ["report"], priority=7)
    ask = await notices(owner, await item(owner, 2), ["satisfaction"])
    await relay(wx).drain()
    assert [n.kind for n in wx.sent] == ["satisfaction"]
    assert await status_of(low + ask) == ["held", "sent"]


async def test_last_slot_is_not_spent_while_a_satisfaction_question_waits_elsewhere() -> None:
    wx = FakeSender("wechat")
    owner = await citizen("wechat", "o", last_inbound_at=T0 - timedelta(hours=1))
    await Citizen.filter(id=owner.id).update(window_sent=4)
    await notices(owner, await item(owner, 2), ["satisfaction"], at=T0 + timedelta(hours=1))
    low = await notices(owner, await item(owner, 1), ["report"], priority=7)
    await relay(wx).drain()
    row = await Outbox.get(id=low[0].id)
    assert (row.status, row.last_error, wx.calls) == ("held", HOLD_FOR_SATISFACTION, 0)


async def test_a_later_notice_waits_for_an_earlier_one_about_the_same_item() -> None:
    tg, clock = FakeSender("telegram"), Clock()
    tg.script = [TransientError("502")]
    owner = await citizen("telegram", "t")
    about = await item(owner)
    first = await notices(owner, about, ["accept"])
    await relay(tg, clock=clock).drain()  # the first is now backing off for 10 s
    second = await notices(owner, about, ["report"])
    await relay(tg, clock=clock).drain()
    assert await status_of(first + second) == ["pending", "pending"] and not tg.sent
    clock.now += timedelta(seconds=10)
    await relay(tg, clock=clock).drain()
    assert [n.kind for n in tg.sent] == ["accept", "report"]


async def test_a_later_notice_is_held_behind_a_held_one() -> None:
    wx = FakeSender("wechat", templates=True)
    owner = await citizen("wechat", "o")
    about = await item(owner)
    held = await notices(owner, about, ["report"], status="held")
    later = await notices(owner, about, ["accept"])  # has a template, but must not overtake
    await relay(wx, templates=TEMPLATES).drain()
    assert await status_of(held + later) == ["held", "held"] and not wx.templates


async def test_a_sender_without_templates_holds_and_keeps_the_reserved_slot() -> None:
    wx = FakeSender("wechat")  # no template messages
    owner = await citizen("wechat", "o", last_inbound_at=T0 - timedelta(hours=1))
    await Citizen.filter(id=owner.id).update(window_sent=4)
    await notices(owner, await item(owner, 2), ["satisfaction"], at=T0 + timedelta(hours=1))
    low = await notices(owner, await item(owner, 1), ["accept"], priority=7)
    await relay(wx, templates=TEMPLATES).drain()
    assert await status_of(low) == ["held"] and wx.calls == 0
    assert (await Citizen.get(id=owner.id)).window_sent == 4  # the last slot is still there


async def test_a_refused_template_is_held_without_closing_the_window() -> None:
    wx = FakeSender("wechat", templates=True)
    owner = await citizen("wechat", "o", last_inbound_at=T0 - timedelta(hours=1))
    await Citizen.filter(id=owner.id).update(window_sent=4)
    await notices(owner, await item(owner, 2), ["satisfaction"], at=T0 + timedelta(hours=1))
    low = await notices(owner, await item(owner, 1), ["accept"], priority=7)
    wx.script = [QuotaExceeded("43101 user refuse to accept the msg")]
    await relay(wx, templates=TEMPLATES).drain()
    row = await Outbox.get(id=low[0].id)
    assert row.status == "held" and "43101" in row.last_error
    assert (await Citizen.get(id=owner.id)).window_sent == 4


async def test_a_database_error_mid_batch_puts_the_unsent_rows_back_for_a_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wx = FakeSender("wechat")
    owner = await citizen("wechat", "o", last_inbound_at=T0 - timedelta(hours=1))
    rows = await notices(owner, await item(owner), ["accept"])

    async def broken(*args: object) -> bool:
        raise ConnectionError("database went away")

    monkeypatch.setattr(outbox, "reserve_window_slot", broken)
    await relay(wx).drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.next_attempt_at) == ("pending", T0 + timedelta(seconds=10))
    assert "database went away" in row.last_error and not wx.sent
