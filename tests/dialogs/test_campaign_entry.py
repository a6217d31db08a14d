"""A chat opened on a campaign (the web link ``/?campaign=ID``, a poster's WeChat QR scene
``campaign_ID``, Telegram's ``/start campaign_ID``): the suggestion starts on that campaign."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs import texts
from dialogs.campaign import from_scene
from dialogs.engine import campaign_wanted, needs_followups
from dialogs.state import Conversation
from dialogs.types import Campaign, Followups, Inbound, UserRef
from tests.answers import COMPLAINT
from tests.dialogs.chat import Chat

LIFT = Campaign(7, "老旧小区加装电梯")
OPEN = Followups(campaigns=(LIFT, Campaign(9, "一刻钟便民生活圈")))


async def test_the_campaign_link_starts_a_suggestion_on_that_campaign_without_the_topic_question() -> None:
    chat = Chat()
    chat.port.pending = OPEN
    replies = await chat.send("7", kind="event", event="campaign")
    assert replies[0].startswith("欢迎参加专项征集“老旧小区加装电梯”！感谢您为城市发展出主意")
    assert not any(texts.CAMPAIGN_ASK in r for r in replies)
    assert replies[-1].startswith("请说说您发现了什么问题")
    assert chat.conv.mode == "form" and chat.conv.draft is not None
    assert chat.conv.draft.kind == "suggestion" and chat.conv.draft.values["campaign_id"] == 7


async def test_a_poster_scanned_by_a_new_follower_thanks_them_and_starts_on_the_campaign() -> None:
    chat = Chat()
    chat.port.pending = OPEN
    replies = await chat.send("qrscene_campaign_9", kind="event", event="subscribe")
    assert replies[0].startswith("感谢关注！欢迎参加专项征集“一刻钟便民生活圈”！")
    assert chat.conv.draft is not None and chat.conv.draft.values["campaign"] == "一刻钟便民生活圈"


async def test_an_ended_or_unknown_campaign_is_said_so_with_the_menu_and_starts_nothing() -> None:
    chat = Chat()
    chat.port.pending = OPEN
    replies = await chat.send("8", kind="event", event="campaign")
    assert replies == [texts.CAMPAIGN_CLOSED, texts.MENU]
    assert chat.conv.draft is None and chat.conv.mode == "idle"
    plain = await chat.send("qrscene_poster_3", kind="event", event="subscribe")  # not a campaign scene
    assert plain == ["感谢关注！" + texts.MENU]


async def test_a_suggestion_being_filled_in_joins_the_campaign_and_goes_on_where_it_was() -> None:
    chat = Chat()
    chat.port.pending = OPEN
    await chat.send("1")
    await chat.send("跳过")  # no topic chosen at the question
    asked = await chat.send("小区没有电梯，老人上下楼很难，建议加装电梯")
    replies = await chat.send("7", kind="event", event="campaign")
    assert replies[0] == "欢迎参加专项征集“老旧小区加装电梯”！" + texts.CAMPAIGN_DRAFT_JOINED.format(
        topic="老旧小区加装电梯"
    )
    assert replies[-1] == asked[-1].splitlines()[-1]  # the question they had on screen, asked again
    assert chat.conv.draft is not None and chat.conv.draft.values["campaign_id"] == 7


async def test_a_half_told_complaint_is_offered_back_before_a_campaign_suggestion() -> None:
    chat = Chat()
    chat.port.pending = OPEN
    await chat.send("2")
    await chat.send(COMPLAINT[0])
    replies = await chat.send("7", kind="event", event="campaign")
    assert replies[0] == "欢迎参加专项征集“老旧小区加装电梯”！"
    assert replies[1].startswith("欢迎回来！您上次的投诉还没填完")
    assert chat.conv.mode == "resume" and chat.conv.draft is not None and chat.conv.draft.kind == "complaint"


def test_the_scene_and_event_values_are_read_strictly() -> None:
    assert from_scene("campaign_7") == 7 and from_scene("qrscene_campaign_7") == 7
    for bad in (
        "campaign_",
        "campaign_x",
        "7",
        "campaign_７",
        "campaign_-1",
        "campaign_" + "9" * 12,
        "poster_7",
    ):
        assert from_scene(bad) is None, bad
    user = UserRef("web", "u")

    def event(name: str, text: str) -> Inbound:
        return Inbound(user, "m", datetime(2026, 1, 1, tzinfo=UTC), kind="event", event=name, text=text)

    assert campaign_wanted(event("campaign", "7")) == 7
    assert campaign_wanted(event("campaign", "七")) is None
    assert campaign_wanted(Inbound(user, "m", event("x", "").time, text="7")) is None  # typed 7 is the menu
    in_form = Conversation(mode="form")
    assert not needs_followups(in_form) and needs_followups(in_form, event("campaign", "7"))
