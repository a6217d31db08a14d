"""WeChat XML → what it means: dedupe keys, kinds, refusals."""

from __future__ import annotations

import pytest

from bot.channels.wechat.parse import Malformed, incoming, message_of
from tests.bot.channels.wechat.wechat_server import ACCOUNT, OPENID, push_xml


def test_message_dedupe_key_is_openid_and_msgid() -> None:
    inc = incoming(message_of(push_xml(Content="你好", msg_id=6054768590064713728)))
    assert inc.dedupe_key == f"{OPENID}:6054768590064713728" and inc.account == ACCOUNT
    assert inc.opens_window and inc.inbound is not None and inc.inbound.text == "你好"
    other = incoming(message_of(push_xml("o" * 28, Content="你好", msg_id=6054768590064713728)))
    assert other.dedupe_key != inc.dedupe_key  # MsgId collides across users (WxJava #333)


def test_event_dedupe_key_has_time_event_and_key() -> None:
    a = incoming(message_of(push_xml(msg_type="event", Event="CLICK", EventKey="MINYI_HELP", CreateTime=1)))
    b = incoming(message_of(push_xml(msg_type="event", Event="CLICK", EventKey="MINYI_STATUS", CreateTime=1)))
    assert a.dedupe_key == f"{OPENID}:1:click:MINYI_HELP" and a.dedupe_key != b.dedupe_key
    assert not a.opens_window  # a menu click does not open the 48-h window
    assert a.inbound is not None and a.inbound.kind == "event" and a.inbound.event == "click:help"


def test_qr_scene_subscribe_is_recorded() -> None:
    inc = incoming(
        message_of(push_xml(msg_type="event", Event="subscribe", EventKey="qrscene_42", Ticket="T"))
    )
    assert inc.inbound is not None and inc.inbound.event == "subscribe"
    assert inc.inbound.text == "qrscene_42" and "42" in inc.note


def test_a_campaign_poster_scanned_by_a_follower_opens_the_campaign() -> None:
    """``SCAN`` (already following) with the scene ``campaign_<id>``: the chat opens on it; any
    other scene stays a quiet event."""
    inc = incoming(message_of(push_xml(msg_type="event", Event="SCAN", EventKey="campaign_7", Ticket="T")))
    assert inc.action == "feed" and inc.inbound is not None
    assert (inc.inbound.kind, inc.inbound.event, inc.inbound.text) == ("event", "campaign", "7")
    assert not inc.opens_window
    other = incoming(message_of(push_xml(msg_type="event", Event="SCAN", EventKey="poster_7", Ticket="T")))
    assert other.action == "ignore"


def test_image_location_voice() -> None:
    image = incoming(message_of(push_xml(msg_type="image", PicUrl="u", MediaId="a/b..c")))
    assert image.media_id == "a/b..c"
    assert image.inbound is not None and image.inbound.media is not None
    assert image.inbound.media.ref == "wechat/a_b__c.jpg"  # no path tricks from a MediaId
    loc = incoming(message_of(push_xml(msg_type="location", Location_X=31.2, Location_Y=121.5, Label="")))
    assert loc.inbound is not None and loc.inbound.location is not None
    assert (loc.inbound.location.latitude, loc.inbound.location.longitude) == (31.2, 121.5)
    voice = incoming(message_of(push_xml(msg_type="voice", MediaId="m", Format="amr", Recognition=" ")))
    assert voice.inbound is not None and voice.inbound.kind == "voice" and voice.inbound.text is None


@pytest.mark.parametrize(
    "xml",
    [
        "",
        "<xml>",
        "<xml>text</xml>",
        "<other><MsgType>text</MsgType></other>",
        push_xml(msg_type="location", Label="no coordinates"),
        push_xml(msg_type="image", PicUrl="u"),
        '<!DOCTYPE xml [<!ENTITY a "b">]><xml><MsgType>text</MsgType></xml>',
        "<xml><MsgType>text</MsgType><Content>" + "x" * 70_000 + "</Content></xml>",
    ],
)
def test_unreadable_pushes_are_malformed(xml: str) -> None:
    with pytest.raises(Malformed):
        incoming(message_of(xml))
