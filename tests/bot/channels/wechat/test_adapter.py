"""``/wechat`` end to end, with wechatpy playing WeChat in plaintext, compatible and safe mode."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

from aiohttp.test_utils import TestClient

from bot.channels.wechat.passive import TEXT_LIMIT
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.models import Citizen, Item
from tests.answers import SUGGESTION_FROM_MENU as SUGGESTION
from tests.bot.channels.wechat.conftest import channel_of
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import OLD_AES_KEY, OPENID, TOKEN, WeChat, push_xml, sign

S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}


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
    assert S["problem"] in replies[0]
    assert "1. 类别：交通出行" in replies[1] and S["measure"] in replies[1]  # proposed from the account
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


async def test_each_delivery_runs_one_step(wechat_aes: WeChat, wx_client: TestClient[Any, Any]) -> None:
    pipeline = channel_of(wx_client).pipeline
    steps: list[str] = []
    step = pipeline._step

    async def counting(inbound: Any, *rest: Any) -> Any:
        steps.append(inbound.message_id)
        await asyncio.sleep(0.1)  # the retries arrive while the first is still working
        return await step(inbound, *rest)

    pipeline._step = counting  # type: ignore[method-assign]
    query, body = wechat_aes.request(push_xml(Content="1"))
    results = await asyncio.gather(*(wechat_aes.post(query, body) for _ in range(3)))
    assert len(steps) == 1
    contents = {str(wechat_aes.open(b).content) for _, b in results}  # type: ignore[union-attr]
    assert len(contents) == 1 and S["problem"] in contents.pop()


async def test_forged_signature_is_403_and_nothing_happens(wechat: WeChat) -> None:
    query, body = wechat.request(push_xml(Content="1"))
    status, text = await wechat.post({**query, "signature": "f" * 40}, body)
    assert status == 403 and "<" not in text
    if wechat.mode != "plain":
        status, _ = await wechat.post({**query, "msg_signature": "f" * 40}, body)
        assert status == 403
    assert await Citizen.all().count() == 0
    assert await wechat.say("菜单")  # the genuine request still works


async def test_stale_timestamp_is_refused_as_a_replay(wechat: WeChat) -> None:
    status, _ = await wechat.push(push_xml(Content="1"), timestamp=int(time.time()) - 3600)
    assert status == 403
    status, _ = await wechat.push(push_xml(Content="1"), timestamp=int(time.time()) + 3600)
    assert status == 403
    status, _ = await wechat.push(push_xml(Content="1"), timestamp=int(time.time()) - 60)
    assert status == 200


async def test_previous_aes_key_still_opens_and_answers_with_it(wx_client: TestClient[Any, Any]) -> None:
    old = WeChat(wx_client, "aes", key=OLD_AES_KEY)
    assert "1 提建议" in await old.say("菜单")  # decrypted with OLD_AES_KEY, so the reply is too


async def test_unknown_aes_key_truncated_ciphertext_and_bad_xml_answer_success(
    wx_client: TestClient[Any, Any],
) -> None:
    stranger = WeChat(wx_client, "aes", key="Z" * 43)
    status, body = await stranger.push(push_xml(Content="1"))
    assert (status, body) == (200, "success")
    wechat = WeChat(wx_client, "aes")
    query, body = wechat.request(push_xml(Content="1"))
    encrypted = body.split("<![CDATA[")[2].split("]]>")[0]
    for broken in (encrypted[:-7], encrypted[:40], "not base64 at all!", ""):
        q = {**query, "msg_signature": sign(TOKEN, query["timestamp"], query["nonce"], broken)}
        status, text = await wechat.post(q, body.replace(encrypted, broken))
        assert (status, text) == (200, "success"), broken
    plain = WeChat(wx_client, "plain")  # safe mode: plaintext is refused before it is read
    for bad in ("<xml><ToUserName>", "not xml", "<xml><FromUserName>x</FromUserName></xml>", "<other/>", ""):
        status, text = await plain.push(bad)
        assert (status, text) == (403, "forbidden"), bad
    assert await Citizen.all().count() == 0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<xml><ToUserName>gh_x</ToUserName><FromUserName>oyORnuP8q7ou2gfYjqLzSIWZf0rs</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol4;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_x</ToUserName><FromUserName>oyORnuP8q7ou2gfYjqLzSIWZf0rs</FromUserName>
<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


async def test_entity_declarations_are_refused_without_expansion(wechat: WeChat) -> None:
    for payload in (BILLION_LAUGHS, XXE):
        status, text = await wechat.push(payload)
        assert (status, text) == (200, "success")
    assert await Citizen.all().count() == 0


async def test_a_one_megabyte_body_is_refused(wechat: WeChat) -> None:
    huge = push_xml(Content="建" * (350 * 1024))  # ~1 MB of UTF-8
    assert len(huge.encode()) > 1_000_000
    query, _ = wechat.request(push_xml(Content="x"))
    status, text = await wechat.post(query, io.BytesIO(huge.encode()))
    assert (status, text) == (200, "success")
    assert await Citizen.all().count() == 0


async def test_unknown_message_type_gets_a_polite_text(wechat: WeChat) -> None:
    status, body = await wechat.push(push_xml(msg_type="miniprogrampage", Title="x"))
    assert status == 200
    assert "暂时无法处理这类消息" in str(wechat.open(body).content)  # type: ignore[union-attr]


async def test_voice_uses_recognition_or_asks_to_type(wechat: WeChat) -> None:
    await wechat.say("1")
    said = "公交站没有遮雨棚，下雨天等车全身湿透。"
    _, body = await wechat.push(push_xml(msg_type="voice", MediaId="m1", Format="amr", Recognition=said))
    content = str(wechat.open(body).content)  # type: ignore[union-attr]
    assert "1. 类别：交通出行" in content and S["measure"] in content  # the account, taken from the voice
    _, body = await wechat.push(push_xml(msg_type="voice", MediaId="m2", Format="amr"))
    content = str(wechat.open(body).content)  # type: ignore[union-attr]
    assert "请打字告诉我们" in content and S["measure"] in content


async def test_link_and_video_are_declined_politely(wechat: WeChat) -> None:
    for kind, fields in (
        ("link", {"Title": "t", "Description": "d", "Url": "http://example.invalid/"}),
        ("video", {"MediaId": "v", "ThumbMediaId": "t"}),
        ("shortvideo", {"MediaId": "v", "ThumbMediaId": "t"}),
    ):
        _, body = await wechat.push(push_xml(msg_type=kind, **fields))
        assert "暂时无法处理这类消息" in str(wechat.open(body).content)  # type: ignore[union-attr]


async def test_location_fills_the_place_field(wechat: WeChat) -> None:
    for text in SUGGESTION:  # the place is optional: not asked, set from the summary
        await wechat.say(text)
    assert S["place"] in await wechat.say("修改 6")
    _, body = await wechat.push(
        push_xml(msg_type="location", Location_X=31.2304, Location_Y=121.4737, Scale=15, Label="人民广场")
    )
    content = str(wechat.open(body).content)  # type: ignore[union-attr]
    assert "请核对您的建议" in content and "6. 地点：人民广场（31.23040, 121.47370）" in content
    await wechat.say("确认")
    item = await Item.get()
    assert item.fields_data["place"].startswith("人民广场（31.23040, 121.47370）")


async def test_image_is_attached_and_stored_in_media_dir(
    wechat: WeChat, wx_client: TestClient[Any, Any], fake_api: FakeWeChatAPI
) -> None:
    await wechat.say("1")
    _, body = await wechat.push(push_xml(msg_type="image", PicUrl="http://x.invalid/p", MediaId="MEDIA_1-a"))
    assert "照片已收到" in str(wechat.open(body).content)  # type: ignore[union-attr]
    channel = channel_of(wx_client)
    await channel.drain()
    stored = channel.media_dir / "wechat" / "MEDIA_1-a.jpg"
    assert stored.read_bytes().startswith(b"\xff\xd8")
    assert fake_api.calls["/cgi-bin/media/get"][-1]["query"]["media_id"] == "MEDIA_1-a"
    for text in SUGGESTION[1:]:
        await wechat.say(text)
    summary_and_ticket = await wechat.say("确认")
    assert "JY-" in summary_and_ticket
    item = await Item.get()
    assert item.fields_data["photos"] == ["wechat/MEDIA_1-a.jpg"]


def event_xml(event: str, key: str | None = None, openid: str = OPENID, **more: Any) -> str:
    fields: dict[str, Any] = {"Event": event, **more}
    if key is not None:
        fields["EventKey"] = key
    return push_xml(openid, "event", **fields)


async def test_subscribe_welcomes_with_the_menu(wechat: WeChat) -> None:
    _, body = await wechat.push(event_xml("subscribe"))
    assert "感谢关注" in str(wechat.open(body).content)  # type: ignore[union-attr]
    _, body = await wechat.push(event_xml("subscribe", "qrscene_123", Ticket="TICKET"))
    assert "1 提建议" in str(wechat.open(body).content)  # type: ignore[union-attr]


async def test_menu_clicks_start_the_flows(wechat: WeChat) -> None:
    _, body = await wechat.push(event_xml("CLICK", "MINYI_STATUS"))
    assert "还没有提交过" in str(wechat.open(body).content)  # type: ignore[union-attr]
    _, body = await wechat.push(event_xml("CLICK", "MINYI_HELP"))
    assert "使用说明" in str(wechat.open(body).content)  # type: ignore[union-attr]
    _, body = await wechat.push(event_xml("CLICK", "MINYI_COMPLAIN"))
    assert "登记投诉" in str(wechat.open(body).content)  # type: ignore[union-attr]
    status, body = await wechat.push(event_xml("CLICK", "SOMETHING_ELSE"))
    assert (status, body) == (200, "success")


async def test_quiet_and_unknown_events_answer_success(wechat: WeChat) -> None:
    for xml in (
        event_xml("SCAN", "123", Ticket="T"),
        event_xml("LOCATION", Latitude=23.1, Longitude=113.3, Precision=119.4),
        event_xml("VIEW", "https://example.invalid/"),
        event_xml("TEMPLATESENDJOBFINISH", Status="success"),
        event_xml("subscribe_msg_popup_event"),
        event_xml("some_future_event", "k"),
    ):
        assert await wechat.push(xml) == (200, "success"), xml


async def test_unsubscribe_drops_the_draft_and_stops_notices(
    wechat: WeChat, wx_client: TestClient[Any, Any]
) -> None:
    for text in SUGGESTION:
        await wechat.say(text)
    await wechat.say("确认")
    for text in SUGGESTION[:4]:  # a second suggestion, half filled
        await wechat.say(text)
    assert await wechat.push(event_xml("unsubscribe")) == (200, "success")
    citizen = await Citizen.get(channel="wechat", external_id=OPENID)
    assert citizen.reachable is False and citizen.unsubscribed_at is not None
    assert await Item.all().count() == 1  # the filed item stays as a record
    channel = channel_of(wx_client)
    assert await channel.pipeline.backends.state.get(f"wechat:{OPENID}") is None
    assert await channel.window.state(OPENID) is None and not await channel.window.reserve(OPENID)
    await wechat.push(event_xml("subscribe"))  # following again makes them reachable
    assert (await Citizen.get(id=citizen.id)).reachable is True
    assert S["problem"] in await wechat.say("1")  # no draft offered back: it was dropped


async def test_long_replies_overflow_to_customer_service(
    wechat_aes: WeChat, wx_client: TestClient[Any, Any], fake_api: FakeWeChatAPI
) -> None:
    long = "很长的问题描述" * 140  # 980 characters, ~2.9 KB each
    for text in ["1", long, "2", long, "修改 4", long, "李四", "13912345678"]:  # 问题, 对策, 症结
        await wechat_aes.say(text)
    query, body = wechat_aes.request(push_xml(Content="可以"))  # → the summary, ~9 KB
    results = [await wechat_aes.post(query, body) for _ in range(3)]  # WeChat retried twice
    passive = {str(wechat_aes.open(b).content) for _, b in results}  # type: ignore[union-attr]
    assert len(passive) == 1 and len(passive.pop().encode()) <= TEXT_LIMIT
    await channel_of(wx_client).drain()
    sent = fake_api.sent_texts()
    assert len(sent) >= 3 and all(to == OPENID and len(t.encode()) <= TEXT_LIMIT for to, t in sent)
    assert "回复“确认”提交" in sent[-1][1]  # the summary's last line came by customer service, once
    assert len(sent) == len({t for _, t in sent})
