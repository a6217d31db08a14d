"""What the citizen had on screen decides what a message answers: a button of an earlier turn (a
double tap, a page that had not refreshed) answers nothing; quick replies for every fixed answer;
voice transcripts' closing "。"; nothing offered back that was never filled in."""

from __future__ import annotations

from dialogs import texts
from dialogs.types import Campaign, Followups
from tests.dialogs.chat import SUGGESTION, Chat


async def test_a_double_tap_answers_only_the_question_it_was_shown_with() -> None:
    chat = Chat()
    await chat.send("1")
    shown = chat.conv.turn
    first = await chat.send("2", re=shown)  # 交通出行: now the title is asked
    assert "（2/9）" in first[-1]
    again = await chat.send("2", re=shown)  # the same button, tapped twice
    assert again == [texts.STALE_ANSWER]
    assert chat.conv.draft is not None and chat.conv.draft.step == 1 and "title" not in chat.conv.draft.values
    assert "（3/9）" in (await chat.send("公交站没有遮雨棚", re=chat.conv.turn))[-1]


async def test_typed_text_without_a_turn_answers_the_open_question() -> None:
    chat = Chat()
    await chat.send("1")
    assert "（2/9）" in (await chat.send("2"))[-1]


async def test_cancel_at_the_campaign_question_leaves_nothing_behind() -> None:
    chat = Chat()
    chat.port.pending = Followups(campaigns=(Campaign(7, "老旧小区加装电梯"),))
    await chat.send("1")
    assert await chat.send("取消") == [texts.CANCEL_DONE, texts.MENU]
    assert chat.conv.draft is None and chat.conv.mode == "idle"


async def test_a_reload_offers_back_only_a_draft_with_something_in_it() -> None:
    chat = Chat()
    await chat.send("1")  # the category question, nothing answered
    assert await chat.send(None, kind="event", event="hello") == [texts.MENU]
    assert chat.conv.draft is None
    await chat.send("1")
    await chat.send("2")
    offer = await chat.send(None, kind="event", event="hello")
    assert "已填 1/9 项" in offer[0]


async def test_every_fixed_answer_has_a_button() -> None:
    chat = Chat()
    replies = [await chat.send_full("1")]
    for answer in SUGGESTION:
        replies.append(await chat.send_full(answer))
    asked = {r.text.split("）")[0] + "）": r for step in replies for r in step if r.text.startswith("（")}
    assert asked["（1/9）"].choices[0] == "城市建设"
    assert asked["（2/9）"].choices == () and asked["（3/9）"].choices == ()
    assert asked["（4/9）"].choices == ("跳过",)  # 症结 is optional
    assert asked["（6/9）"].choices == ("跳过",) and asked["（6/9）"].hint == "location"
    assert asked["（7/9）"].choices == ("匿名",)
    assert asked["（9/9）"].choices == ("可以", "不可以")
    assert replies[-1][-1].choices == texts.SUMMARY_CHOICES


async def test_a_voice_transcripts_closing_mark_changes_nothing() -> None:
    chat = Chat()
    await chat.send("1")
    for answer in [
        "2",
        "公交站没有遮雨棚",
        "下雨天等车全身湿透",
        "跳过。",
        "建议加装遮雨棚",
        "跳过",
        "匿名。",
    ]:
        await chat.send(answer)
    await chat.send("13912345678。")
    assert "请核对您的建议" in (await chat.send("可以。"))[-1]
    assert chat.conv.draft is not None and chat.conv.draft.values["name"] == "匿名"
    assert chat.conv.draft.values["phone"] == "13912345678"
    await chat.send("确认。")
    (values,) = [v for _, _, v in chat.port.items.values()]
    assert values["name"] == "匿名" and values["contact_ok"] == "可以"


async def test_a_shared_contact_is_remembered_as_verified_a_typed_phone_is_not() -> None:
    chat = Chat()
    await chat.send("2")
    for answer in ["1", "楼下饭店油烟直排", "本周每天晚上，幸福路12号", "责令整改", "幸福饭店", "王五"]:
        await chat.send(answer)
    await chat.send("+8613700001111", phone="+8613700001111")
    assert chat.conv.draft is not None and chat.conv.draft.values["verified_phone"] == "13700001111"
    other = Chat()
    await other.send("2")
    for answer in ["1", "楼下饭店油烟直排", "本周每天晚上，幸福路12号", "责令整改", "幸福饭店", "王五"]:
        await other.send(answer)
    await other.send("13700001111")
    assert other.conv.draft is not None and "verified_phone" not in other.conv.draft.values


async def test_text_typed_before_a_notice_arrived_is_not_taken_for_nonsense() -> None:
    chat = Chat()
    await chat.send("菜单")
    inbound_replies = await chat.send_full("在人民路口")  # nothing arrives: the usual fallback
    assert [r.text for r in inbound_replies] == [texts.UNRECOGNISED, texts.MENU]
    from dialogs import Context, Inbound, handle

    context = Context(chat.now, chat.port.pending, arriving=True)  # a staff question rides along
    _, replies = await handle(
        chat.conv, Inbound(chat.user, "x", chat.now, text="在人民路口"), context, chat.port
    )
    assert [r.text for r in replies] == [texts.SEE_ABOVE] and not chat.port.calls
