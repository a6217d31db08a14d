"""Refused at the edge: ids and keys that would not fit the database, or carry control
characters, are answered ``success`` with one warning, before any step; the longest allowed
ones go all the way through."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.channels.wechat.parse import MAX_MESSAGE_ID, event_id, incoming, message_of
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.models import Citizen, Item
from tests.answers import SUGGESTION
from tests.bot.channels.wechat.test_adapter import event_xml
from tests.bot.channels.wechat.test_safe_mode import counting_steps
from tests.bot.channels.wechat.wechat_server import ACCOUNT, OPENID, WeChat, push_xml

FIRST_QUESTION = SUGGESTION_FORM.field("problem").prompt  # what "1" asks first
LONGEST_OPENID = "o" + "AbCdEfGh_-0123456789" * 6 + "zzzzzzz"  # 128 characters

OVER_THE_EDGE = {
    "openid over 128": push_xml("o" * 129, Content="1"),
    "openid with a newline": push_xml("oyORnuP8q7ou2gfY\njqLzSIWZf0rs", Content="1"),
    "openid with a zero-width space": push_xml("oyORnuP8q7ou2gfY\u200bjqLzSIWZf0rs", Content="1"),
    "nested openid": push_xml(Content="1").replace(f"<![CDATA[{OPENID}]]>", f"<a>{OPENID}</a><b>x</b>"),
    "account over 128": push_xml(Content="1").replace(ACCOUNT, "gh_" + "x" * 126),
    "MsgId over 64": push_xml(Content="1", msg_id=10**70),
    "EventKey over 256": event_xml("CLICK", "K" * 257),
    "MediaId with a tab": push_xml(msg_type="image", PicUrl="u", MediaId="a\tb"),
}


@pytest.mark.parametrize("xml", OVER_THE_EDGE.values(), ids=OVER_THE_EDGE.keys())
async def test_bad_ids_are_refused_before_any_step(
    xml: str, wechat_aes: WeChat, wx_client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    steps = counting_steps(wx_client)
    caplog.set_level(logging.INFO)
    query, body = wechat_aes.request(xml)
    resp = await wx_client.post("/wechat", params=query, data=body)
    assert (resp.status, await resp.text()) == (200, "success")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert resp.headers["X-Request-Id"] in warnings[0].getMessage()
    assert "o" * 129 not in caplog.text and "x" * 126 not in caplog.text  # not repeated in the log
    assert steps == [] and await Citizen.all().count() == 0


async def test_the_longest_openid_files_a_suggestion_from_the_menu(wechat_aes: WeChat) -> None:
    assert len(LONGEST_OPENID) == 128
    status, body = await wechat_aes.push(event_xml("CLICK", "MINYI_SUGGEST", openid=LONGEST_OPENID))
    assert status == 200 and FIRST_QUESTION in str(wechat_aes.open(body).content)  # type: ignore[union-attr]
    for text in SUGGESTION:
        await wechat_aes.say(text, openid=LONGEST_OPENID)
    assert "JY-" in await wechat_aes.say("确认", openid=LONGEST_OPENID)
    item = await Item.get().prefetch_related("citizen")
    assert item.citizen.external_id == LONGEST_OPENID


async def test_the_longest_msgid_files_a_suggestion(wechat_aes: WeChat) -> None:
    status, body = await wechat_aes.push(push_xml(LONGEST_OPENID, Content="1", msg_id=10**63))
    assert status == 200 and FIRST_QUESTION in str(wechat_aes.open(body).content)  # type: ignore[union-attr]
    for text in [*SUGGESTION, "确认"]:
        await wechat_aes.say(text, openid=LONGEST_OPENID)
    assert await Item.all().count() == 1


def test_an_event_message_id_is_short_and_distinct() -> None:
    assert event_id("1", "click", "MINYI_HELP") == "1:click:MINYI_HELP"
    long_a, long_b = (
        event_id("1", "subscribe", "qrscene_" + "a" * 200),
        event_id("1", "subscribe", "qrscene_" + "b" * 200),
    )
    assert len(long_a) <= MAX_MESSAGE_ID and long_a != long_b
    inc = incoming(message_of(event_xml("subscribe", "qrscene_" + "a" * 200, openid=LONGEST_OPENID)))
    assert inc.inbound is not None and len(f"wechat:{LONGEST_OPENID}:{inc.inbound.message_id}") <= 200
    assert inc.dedupe_key == f"{LONGEST_OPENID}:{inc.inbound.message_id}"
    assert inc.who.startswith("u:") and LONGEST_OPENID not in inc.who
