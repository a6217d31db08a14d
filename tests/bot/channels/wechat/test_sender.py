"""The notifier's WeChat sender: customer service inside the window, QuotaExceeded outside."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.sender import HOLD_FOR_SATISFACTION, HOLD_WINDOW, WeChatSender, templates_of
from bot.channels.wechat.window import MemoryWindow
from notifier.errors import QuotaExceeded, RecipientUnreachable
from notifier.sender import Notice, Sender
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import APPID, OPENID


@pytest.fixture
async def api(api_server: TestServer) -> AsyncIterator[WeChatAPI]:
    made = WeChatAPI(APPID, "s3cret", str(api_server.make_url("")), timeout_s=1.0)
    yield made
    await made.close()


def notice(text: str = "您的建议已受理。", kind: str = "accept", **flags: bool) -> Notice:
    return Notice(id=1, channel="wechat", recipient=OPENID, kind=kind, text=text, ticket="JY-1", **flags)


async def test_sends_inside_the_window_and_holds_outside(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    window = MemoryWindow(quota=2)
    sender: Sender = WeChatSender(api, window)
    assert sender.channel == "wechat" and sender.merges
    with pytest.raises(QuotaExceeded) as caught:
        await sender.send(notice())
    assert str(caught.value) == HOLD_WINDOW
    await window.opened(OPENID)
    delivery = await sender.send(notice())
    assert delivery.via == "customer_service" and delivery.provider_id
    await sender.send(notice())
    with pytest.raises(QuotaExceeded):
        await sender.send(notice())
    assert fake_api.sent_texts() == [(OPENID, "您的建议已受理。")] * 2


async def test_the_last_slot_waits_for_the_satisfaction_question(
    api: WeChatAPI, fake_api: FakeWeChatAPI
) -> None:
    window = MemoryWindow(quota=2)
    await window.opened(OPENID)
    sender = WeChatSender(api, window)
    await sender.send(notice())
    with pytest.raises(QuotaExceeded) as caught:  # a routine notice while a question waits
        await sender.send(notice(important_waiting=True))
    assert str(caught.value) == HOLD_FOR_SATISFACTION
    await sender.send(notice("满意吗？", kind="answer", important=True, important_waiting=True))
    assert [t for _, t in fake_api.sent_texts()] == ["您的建议已受理。", "满意吗？"]


async def test_platform_refusals_surface_as_types(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    window = MemoryWindow()
    await window.opened(OPENID)
    fake_api.errors["/cgi-bin/message/custom/send"] = [43019]
    with pytest.raises(RecipientUnreachable):
        await WeChatSender(api, window).send(notice())
    assert (await window.state(OPENID) or (0, 1))[1] == 0  # the refused send gave its slot back


async def test_a_template_when_the_window_is_shut_or_the_platform_says_it_is(
    api: WeChatAPI, fake_api: FakeWeChatAPI
) -> None:
    window = MemoryWindow()
    sender = WeChatSender(
        api,
        window,
        templates_of({"accept": {"id": "TPL-1", "fields": {"first": "text", "keyword1": "ticket"}}}),
    )
    assert (await sender.send(notice())).via == "template"
    await window.opened(OPENID)
    fake_api.errors["/cgi-bin/message/custom/send"] = [45015]  # WeChat: the window is closed after all
    assert (await sender.send(notice())).via == "template"
    assert await window.state(OPENID) is None  # believed until the citizen writes again
    calls = fake_api.calls["/cgi-bin/message/template/send"]
    assert (
        len(calls) == 2
        and calls[0]["body"]["template_id"] == "TPL-1"
        and calls[0]["body"]["touser"] == OPENID
    )
    assert calls[0]["body"]["data"] == {"first": {"value": "您的建议已受理。"}, "keyword1": {"value": "JY-1"}}
    with pytest.raises(QuotaExceeded):  # no template for this kind: held for the next message
        await sender.send(notice(kind="report"))
