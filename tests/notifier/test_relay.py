"""The relay against a FakeSender on SQLite: the generic rules (unreachable, no push, retries),
failures, merging for a platform that counts messages, and order. WeChat's own rules (window,
quota, templates) are its sender's: ``tests/bot/channels/wechat/test_relay_wechat.py``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notifier.errors import QuotaExceeded, RateLimited, RecipientUnreachable, TransientError
from notifier.policy import HOLD_NO_PUSH, Policy
from notifier.relay import Backoff, Relay
from storage import outbox
from storage.models import Citizen, Outbox
from tests.notifier.fakes import T0, FakeSender, citizen, item, notices

pytestmark = pytest.mark.usefixtures("db")


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def relay(*senders: FakeSender, clock: Clock | None = None, **kw: object) -> Relay:
    policy = Policy(
        push_channels=frozenset(s.channel for s in senders), satisfaction_kinds=frozenset({"satisfaction"})
    )
    kw.setdefault("backoff", Backoff(base=10, rand=lambda: 1.0))
    return Relay({s.channel: s for s in senders}, policy, clock=clock or Clock(), **kw)  # type: ignore[arg-type]


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


async def test_telegram_sends_piled_up_notices_separately_in_order() -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "t")
    await notices(owner, await item(owner), ["accept", "report", "instruct"])
    await relay(tg).drain()
    assert [n.kind for n in tg.sent] == ["accept", "report", "instruct"]


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


async def test_a_channel_that_cannot_reach_the_citizen_now_holds_the_notice() -> None:
    sender = FakeSender("wechat", merges=True)
    owner = await citizen("wechat", "o")
    sender.always["o"] = QuotaExceeded("窗口已关闭：随群众下一条消息送达")
    rows = await notices(owner, await item(owner), ["report"])
    await relay(sender).drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.last_error) == ("held", "窗口已关闭：随群众下一条消息送达")


async def test_piled_up_notices_about_one_item_merge_for_a_counting_platform_in_order() -> None:
    sender = FakeSender("wechat", merges=True)
    owner = await citizen("wechat", "o")
    rows = await notices(owner, await item(owner), ["accept", "report", "instruct"])
    await relay(sender).drain()
    [message] = sender.sent
    assert message.text.startswith("您有 3 条办理进展：")
    assert message.text.index("accept") < message.text.index("report") < message.text.index("instruct")
    assert await status_of(rows) == ["sent"] * 3


async def test_the_sender_is_told_what_is_important_and_what_waits() -> None:
    sender = FakeSender("wechat", merges=True)
    owner = await citizen("wechat", "o")
    await notices(owner, await item(owner, 2), ["satisfaction"], at=T0 + timedelta(hours=1))  # not due yet
    await notices(owner, await item(owner, 1), ["report"], priority=7)
    await notices(owner, await item(owner, 3), ["accept"], priority=1)
    await relay(sender).drain()
    flags = {n.kind: (n.important, n.important_waiting) for n in sender.sent}
    assert flags == {"accept": (True, True), "report": (False, True)}  # urgent first; a question waits


async def test_a_later_notice_is_held_behind_a_held_one() -> None:
    sender = FakeSender("wechat", merges=True)
    owner = await citizen("wechat", "o")
    about = await item(owner)
    held = await notices(owner, about, ["report"], status="held")
    later = await notices(owner, about, ["accept"])
    await relay(sender).drain()
    assert await status_of(held + later) == ["held", "held"] and not sender.sent


async def test_a_database_error_mid_batch_puts_the_unsent_rows_back_for_a_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tg = FakeSender("telegram")
    owner = await citizen("telegram", "t")
    tg.always["t"] = RecipientUnreachable("blocked")
    rows = await notices(owner, await item(owner), ["accept"])

    async def broken(*args: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(outbox, "mark_unreachable", broken)
    await relay(tg).drain()
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.next_attempt_at) == ("pending", T0 + timedelta(seconds=10))
    assert "database went away" in row.last_error
