"""The relay with the real WeChat sender, its window counted once on the citizen's row (no Redis)
and the fake WeChat API: customer service while the window has slots (one slot per message, a
merged one included), the last slot kept for the satisfaction question, templates, then held."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.sender import HOLD_FOR_SATISFACTION, HOLD_WINDOW, WeChatSender, templates_of
from bot.channels.wechat.window import DatabaseWindow
from notifier.policy import Policy
from notifier.relay import Relay
from storage.models import Outbox
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import APPID
from tests.notifier.fakes import T0, citizen, item, notices

pytestmark = pytest.mark.usefixtures("db")
TEMPLATES = {"accept": {"id": "TPL-ACCEPT", "fields": {"first": "text", "keyword1": "ticket"}}}


@pytest.fixture
async def api(api_server: TestServer) -> AsyncIterator[WeChatAPI]:
    made = WeChatAPI(APPID, "s3cret", str(api_server.make_url("")), timeout_s=1.0)
    yield made
    await made.close()


def relay(api: WeChatAPI, window: DatabaseWindow, templates: dict[str, Any] | None = None) -> Relay:
    sender = WeChatSender(api, window, templates_of(templates or {}))
    policy = Policy(push_channels=frozenset({"wechat"}), satisfaction_kinds=frozenset({"answer"}))
    return Relay({"wechat": sender}, policy, clock=lambda: T0)


def window() -> DatabaseWindow:
    return DatabaseWindow(quota=5, clock=lambda: T0.timestamp())


async def rows_of(rows: list[Outbox]) -> list[tuple[str, str, str]]:
    fresh = [await Outbox.get(id=r.id) for r in rows]
    return [(r.status, r.sent_via, r.last_error) for r in fresh]


async def test_merged_notices_take_one_slot_each_message(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    """Regression (issue 9): each notice merged into one WeChat message used a window slot, so the
    6th notice was held with 2 slots left."""
    owner, w = await citizen("wechat", "o"), window()
    await w.opened("o")
    one = await notices(owner, await item(owner, 1), ["accept", "report", "instruct"])
    two = await notices(owner, await item(owner, 2), ["accept", "report", "instruct"])
    await relay(api, w).drain()
    assert len(fake_api.sent_texts()) == 2 and all("您有 3 条办理进展" in t for _, t in fake_api.sent_texts())
    assert [s for s, _, _ in await rows_of(one + two)] == ["sent"] * 6
    assert await w.state("o") == (T0.timestamp(), 2)  # two messages, two slots: three are left


async def test_the_last_slot_goes_to_the_satisfaction_question(
    api: WeChatAPI, fake_api: FakeWeChatAPI
) -> None:
    owner, w = await citizen("wechat", "o"), window()
    await w.opened("o")
    for _ in range(4):
        assert await w.reserve("o")
    routine = await notices(owner, await item(owner, 1), ["report"], priority=7)
    question = await notices(owner, await item(owner, 2), ["answer"], at=T0 + timedelta(hours=1))  # later
    await relay(api, w).drain()
    assert await rows_of(routine) == [("held", "", HOLD_FOR_SATISFACTION)]
    await Outbox.filter(id=question[0].id).update(next_attempt_at=T0)
    await relay(api, w).drain()
    assert (await rows_of(question))[0][:2] == ("sent", "customer_service")


async def test_outside_the_window_a_template_or_else_held(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    owner, w = await citizen("wechat", "o"), window()
    accept = await notices(owner, await item(owner, 1), ["accept"])
    report = await notices(owner, await item(owner, 2), ["report"])
    await relay(api, w, TEMPLATES).drain()
    assert (await rows_of(accept))[0][:2] == ("sent", "template")
    assert await rows_of(report) == [("held", "", HOLD_WINDOW)]
    (call,) = fake_api.calls["/cgi-bin/message/template/send"]
    assert call["body"]["data"] == {
        "first": {"value": "accept 的通知"},
        "keyword1": {"value": "JY-20261123-0001"},
    }


async def test_when_wechat_says_the_window_is_closed_it_is_believed(
    api: WeChatAPI, fake_api: FakeWeChatAPI
) -> None:
    owner, w = await citizen("wechat", "o"), window()
    await w.opened("o")
    fake_api.errors["/cgi-bin/message/custom/send"] = [45015]
    rows = await notices(owner, await item(owner), ["report"])
    await relay(api, w).drain()
    assert await rows_of(rows) == [("held", "", HOLD_WINDOW)]
    assert await w.state("o") is None and not await w.reserve("o")
