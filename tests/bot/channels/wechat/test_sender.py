"""The notifier's WeChat sender: customer service inside the window, QuotaExceeded outside."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.sender import WeChatSender
from bot.channels.wechat.window import MemoryWindow
from notifier.sender import Notice, Sender
from storage.errors import QuotaExceeded, RecipientUnreachable
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import APPID, OPENID


@pytest.fixture
async def api(api_server: TestServer) -> AsyncIterator[WeChatAPI]:
    made = WeChatAPI(APPID, "s3cret", str(api_server.make_url("")), timeout_s=1.0)
    yield made
    await made.close()


def notice(text: str = "您的建议已受理。") -> Notice:
    return Notice(id=1, channel="wechat", recipient=OPENID, kind="accepted", text=text)


async def test_sends_inside_the_window_and_holds_outside(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    window = MemoryWindow(quota=2)
    sender: Sender = WeChatSender(api, window)
    assert sender.channel == "wechat"
    with pytest.raises(QuotaExceeded):
        await sender.send(notice())
    await window.opened(OPENID)
    delivery = await sender.send(notice())
    assert delivery.via == "customer_service" and delivery.provider_id
    await sender.send(notice())
    with pytest.raises(QuotaExceeded):
        await sender.send(notice())
    assert fake_api.sent_texts() == [(OPENID, "您的建议已受理。")] * 2


async def test_platform_refusals_surface_as_types(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    window = MemoryWindow()
    await window.opened(OPENID)
    fake_api.errors["/cgi-bin/message/custom/send"] = [43019]
    with pytest.raises(RecipientUnreachable):
        await WeChatSender(api, window).send(notice())


async def test_template_message_outside_the_window(api: WeChatAPI, fake_api: FakeWeChatAPI) -> None:
    sender = WeChatSender(api, MemoryWindow())
    delivery = await sender.send_template(
        notice(), "TPL-1", {"first": "您的建议已受理。", "keyword1": "JY-1"}
    )
    assert delivery.via == "template"
    (call,) = fake_api.calls["/cgi-bin/message/template/send"]
    assert call["body"]["template_id"] == "TPL-1" and call["body"]["touser"] == OPENID
    assert call["body"]["data"]["first"] == {"value": "您的建议已受理。"}


def test_the_relay_finds_the_wechat_sender_only_when_configured(api_server: TestServer) -> None:
    from notifier.registry import build_senders
    from storage.config import Settings

    off = build_senders(Settings(_env_file=None), {"wechat": "bot.channels.wechat.sender:build_sender"})
    assert off == {}
    on = Settings(
        wechat_appid=APPID,
        wechat_secret="s3cret",
        wechat_api_base=str(api_server.make_url("")),
        _env_file=None,
    )
    senders = build_senders(on, {"wechat": "bot.channels.wechat.sender:build_sender"})
    assert isinstance(senders["wechat"], WeChatSender)
