"""Issue 9 §6: WeChat voice transcripts end in "。", so "可以。" and "确认。" were refused and "匿名。"
was stored as a real name (the item lost its anonymity). A sentence's closing mark no longer
changes what a command, a choice, a name or a phone is. Through the real ``/wechat`` endpoint."""

from __future__ import annotations

from pathlib import Path

from storage.models import Item
from tests.apps import Served
from tests.bot.channels.wechat.conftest import wechat_config
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import WeChat, push_xml


async def test_a_suggestion_spoken_from_start_to_finish(
    db: str, tmp_path: Path, served: Served, wechat_api: tuple[FakeWeChatAPI, str]
) -> None:
    wechat = WeChat(await served.start(wechat_config(tmp_path, wechat_api[1])), "aes")
    spoken = ["一。", "公交站没有遮雨棚，下雨天全身湿透。", "改类别。", "城市建设。", "加装遮雨棚。"]
    spoken += ["匿名。", "一三九一二三四五六七八。", "可以。", "修改4。", "跳过。"]
    for said in spoken:
        _, body = await wechat.push(push_xml(msg_type="voice", MediaId="v", Format="amr", Recognition=said))
    assert "请核对您的建议" in str(wechat.open(body).content)  # type: ignore[union-attr]
    _, body = await wechat.push(push_xml(msg_type="voice", MediaId="v", Format="amr", Recognition="确认。"))
    assert "您的建议已收到" in str(wechat.open(body).content)  # type: ignore[union-attr]
    item = await Item.get()
    assert item.anonymous and item.fields_data["name"] == "匿名"
    assert item.fields_data["category"] == "城市建设" and item.fields_data["cause"] == ""
    assert item.fields_data["phone"] == "13912345678" and item.fields_data["contact_ok"] == "可以"
