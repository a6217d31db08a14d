"""``/wechat`` end to end, with wechatpy playing WeChat in plaintext, compatible and safe mode."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp.test_utils import TestClient

from bot.channels.wechat.passive import TEXT_LIMIT
from storage.models import Citizen, Item
from tests.bot.channels.test_web import SUGGESTION
from tests.bot.channels.wechat.conftest import channel_of
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import OLD_AES_KEY, OPENID, TOKEN, WeChat, push_xml, sign


async def test_server_verification_echoes_echostr(wx_client: TestClient[Any, Any]) -> None:
    ts, nonce = str(int(time.time())), "1514711492"
    query = {
        "signature": sign(TOKEN, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": "4375120948345356249",
    }
    resp = await wx_client.get("/wechat", params=query)
    assert resp.status == 200 and await resp.text() == "4375120948345356249"
    resp = await wx_client.get("/wechat", params={**query, "signature": "0" * 40})
    assert resp.status == 403


async def test_whole_suggestion_over_wechat(wechat: WeChat) -> None:
    replies = [await wechat.say(text) for text in [*SUGGESTION, "确认"]]
    assert "您的建议属于哪一类" in replies[0]
    assert "JY-" in replies[-1] and "编号" in replies[-1]
    item = await Item.get().prefetch_related("citizen")
    assert item.channel == "wechat" and item.citizen.external_id == OPENID
    assert item.fields_data["measure"] == "建议加装遮雨棚"


async def test_three_deliveries_are_one_step_with_identical_replies(wechat: WeChat) -> None:
    for text in SUGGESTION:
        await wechat.say(text)
    query, body = wechat.request(push_xml(Content="确认"))
    results = [await wechat.post(query, body) for _ in range(3)]
    assert all(status == 200 for status, _ in results)
    # safe mode encrypts with a fresh random prefix each time: compare what the citizen reads
    contents = {str(wechat.open(b).content) for _, b in results}  # type: ignore[union-attr]
    assert len(contents) == 1 and "JY-" in contents.pop()
    assert await Item.all().count() == 1


async def test_concurrent_deliveries_are_one_step(wechat_aes: WeChat) -> None:
    for text in SUGGESTION:
        await wechat_aes.say(text)
    query, body = wechat_aes.request(push_xml(Content="确认"))
    results = await asyncio.gather(*(wechat_aes.post(query, body) for _ in range(3)))
    contents = {str(wechat_aes.open(b).content) for _, b in results}  # type: ignore[union-attr]
    assert len(contents) == 1 and "JY-" in contents.pop()
    assert await Item.all().count() == 1
    # a fresh message after the retries is a new step
    assert "1 提建议" in await wechat_aes.say("菜单")
