"""Packing replies into WeChat's text limit and rendering them CDATA-safe."""

from __future__ import annotations

from wechatpy import parse_message

from bot.channels.wechat.passive import TEXT_LIMIT, pack, text_xml
from dialogs import Reply


def test_short_replies_become_one_message() -> None:
    assert pack([Reply("a"), Reply("b")]) == ["a\n\nb"]
    assert pack([]) == []


def test_long_replies_are_split_within_the_limit_without_losing_text() -> None:
    replies = [Reply("第一段" * 200), Reply("第二段\n" * 300), Reply("尾")]
    messages = pack(replies)
    assert len(messages) > 1 and all(len(m.encode()) <= TEXT_LIMIT for m in messages)
    joined = "".join(messages).replace("\n", "")
    assert joined == "".join(r.text for r in replies).replace("\n", "")


def test_citizen_text_cannot_break_the_reply_xml() -> None:
    nasty = "标题]]><MsgType>image</MsgType><![CDATA["
    msg = parse_message(text_xml("openid", "gh_account", f"您的标题：{nasty}"))
    assert msg.type == "text" and msg.content == f"您的标题：{nasty}"
    assert msg.source == "gh_account" and msg.target == "openid"
