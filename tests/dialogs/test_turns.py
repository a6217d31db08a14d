"""What the citizen had on screen decides what a message answers: a button of an earlier turn (a
double tap, a page that had not refreshed) answers nothing; quick replies for every fixed answer;
voice transcripts' closing "。"; nothing offered back that was never filled in."""

from __future__ import annotations

from dialogs import texts
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from dialogs.types import Campaign, Followups
from tests.dialogs.chat import COMPLAINT, SUGGESTION, Chat

S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}


async def test_a_double_tap_answers_only_the_question_it_was_shown_with() -> None:
    chat = Chat()
    for answer in ["1", *SUGGESTION[:2]]:
        await chat.send(answer)
    shown = chat.conv.turn
    first = await chat.send("匿名", re=shown)  # the name question's button: now the phone is asked
    assert first[-1] == S["phone"]
    again = await chat.send("匿名", re=shown)  # the same button, tapped twice
    assert again == [texts.STALE_ANSWER]
    assert chat.conv.draft is not None and chat.conv.draft.values["name"] == "匿名"
    assert "phone" not in chat.conv.draft.values
    assert (await chat.send("13912345678", re=chat.conv.turn))[-1] == S["contact_ok"]


async def test_typed_text_without_a_turn_answers_the_open_question() -> None:
    chat = Chat()
    await chat.send("1")
    assert (await chat.send(SUGGESTION[0]))[-1].endswith(S["measure"])


async def test_cancel_at_the_campaign_question_leaves_nothing_behind() -> None:
    chat = Chat()
    chat.port.pending = Followups(campaigns=(Campaign(7, "老旧小区加装电梯"),))
    await chat.send("1")
    assert await chat.send("取消") == [texts.CANCEL_DONE, texts.MENU]
    assert chat.conv.draft is None and chat.conv.mode == "idle"


async def test_a_reload_offers_back_only_a_draft_with_something_in_it() -> None:
    chat = Chat()
    await chat.send("1")  # the first question, nothing answered
    assert await chat.send(None, kind="event", event="hello") == [texts.MENU]
    assert chat.conv.draft is None
    await chat.send("1")
    await chat.send(SUGGESTION[0])
    offer = await chat.send(None, kind="event", event="hello")
    assert "已填 3/9 项" in offer[0]  # the account, and the category and title proposed from it


async def test_every_fixed_answer_has_a_button() -> None:
    chat = Chat()
    await chat.send_full("1")
    category = await chat.send_full("随便写写看看")  # nothing to propose a category from
    assert category[-1].choices[:2] == ("城市建设", "交通出行")
    assert category[-1].choices[-1] == "改成投诉"  # the kind is one tap away too
    await chat.send_full("2")
    replies = [await chat.send_full(answer) for answer in SUGGESTION[1:]]
    asked = {r.text.split("\n")[0]: r for step in replies for r in step}
    assert asked[S["name"]].choices == ("匿名",)
    assert asked[S["phone"]].hint == "phone"
    assert asked[S["contact_ok"]].choices == ("可以", "不可以")
    assert replies[-1][-1].choices == texts.SUMMARY_CHOICES == ("确认", "修改", "取消")
    cause = (await chat.send_full("修改 4"))[-1]
    assert cause.choices == ("跳过",)  # 症结 is optional
    await chat.send_full("跳过")
    place = (await chat.send_full("修改 6"))[-1]
    assert place.choices == ("跳过",) and place.hint == "location"


async def test_a_voice_transcripts_closing_mark_changes_nothing() -> None:
    chat = Chat()
    await chat.send("1")
    for answer in ["公交站没有遮雨棚，下雨天等车全身湿透。", "建议加装遮雨棚。", "匿名。"]:
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
    for answer in ["2", *COMPLAINT[:3], "王五"]:
        await chat.send(answer)
    await chat.send("+8613700001111", phone="+8613700001111")
    assert chat.conv.draft is not None and chat.conv.draft.values["verified_phone"] == "13700001111"
    other = Chat()
    for answer in ["2", *COMPLAINT[:3], "王五"]:
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
