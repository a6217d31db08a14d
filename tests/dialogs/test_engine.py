"""Every dialog step and command, including each invalid input (the engine through a fake port)."""

from __future__ import annotations

import pytest

from dialogs import texts
from dialogs.forms import COMPLAINT as COMPLAINT_FORM
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from tests.dialogs.chat import COMPLAINT, SUGGESTION, Chat

S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}  # each question as asked
C = {f.key: f.prompt for f in COMPLAINT_FORM.fields}


async def fill(chat: Chat, start: str, answers: list[str]) -> list[str]:
    replies = await chat.send(start)
    for answer in answers:
        replies = await chat.send(answer)
    return replies


async def test_first_contact_shows_menu() -> None:
    replies = await Chat().send("随便说点什么")
    assert replies == [texts.MENU]


async def test_unrecognised_text_while_idle_says_so_and_shows_menu() -> None:
    chat = Chat()
    await chat.send("你好")
    assert await chat.send("天气怎么样") == [texts.UNRECOGNISED, texts.MENU]


async def test_help() -> None:
    assert await Chat().send("0") == [texts.HELP]


async def test_suggestion_walkthrough_asks_the_account_first_then_only_what_is_missing() -> None:
    chat = Chat()
    first = await chat.send("1")
    assert first == [texts.FORM_INTRO["suggestion"], S["problem"]]
    understood = (await chat.send(SUGGESTION[0]))[-1]
    assert understood.startswith(texts.UNDERSTOOD_HEAD)
    assert "1. 类别：交通出行" in understood and "2. 标题：公交站没有遮雨棚" in understood
    assert understood.endswith(S["measure"])  # no 对策 in the account: asked
    expected = [S["name"], S["phone"], S["contact_ok"]]
    for answer, question in zip(SUGGESTION[1:], expected, strict=False):
        assert (await chat.send(answer))[-1] == question
    summary = (await chat.send(SUGGESTION[-1]))[-1]
    assert (
        "请核对您的建议" in summary
        and "2. 标题：公交站没有遮雨棚" in summary
        and "4. 症结：（未填）" in summary
    )
    done = await chat.send("确认")
    assert "JY-20261122-0001" in done[0] and "有进展会第一时间在这里告诉您" in done[0]
    ((_, _, values),) = chat.port.items.values()
    assert values["category"] == "交通出行" and values["contact_ok"] == "可以" and "cause" not in values
    assert not any(k.startswith("_") for k in values)  # the form's own notes are not filed


async def test_complaint_walkthrough_promises_15_days() -> None:
    chat = Chat()
    done = await fill(chat, "2", [*COMPLAINT, "确认"])
    assert "TS-20261122-0001" in done[0] and "15日内告知您是否受理" in done[0]
    ((_, brief, values),) = chat.port.items.values()
    assert brief.kind == "complaint" and values["category"] == "市容环卫" and values["name"] == "王五"
    assert values["when_where"] == "本周每天晚上，幸福路12号" and values["demand"] == "责令整改"


async def test_my_items_and_ticket_lookup_only_own() -> None:
    alice = Chat("alice")
    await fill(alice, "1", [*SUGGESTION, "确认"])
    listing = await alice.send("3")
    assert "JY-20261122-0001" in listing[0] and "已收到，待受理" in listing[0]
    shown = await alice.send("jy-20261122-0001")
    assert "当前状态：已收到，待受理" in shown[0]
    bob = Chat("bob", port=alice.port)
    assert await bob.send("JY-20261122-0001") == [texts.NOT_FOUND]
    assert await bob.send("3") == [texts.NO_ITEMS]


async def test_ticket_number_inside_a_form_answers_and_reasks() -> None:
    chat = Chat()
    await chat.send("1")
    replies = await chat.send("JY-20261122-0099")
    assert replies == [texts.NOT_FOUND, S["problem"]]


@pytest.mark.parametrize(
    ("answers", "bad", "message"),
    [
        ([], "", texts.EMPTY),
        ([], "   ", texts.EMPTY),
        ([], "这" * 1001, texts.too_long(1000, 1001)),
        ([], "跳过", texts.NOT_OPTIONAL),
        (["随便写写看看"], "99", texts.bad_choice(9)),  # nothing to propose a category from: asked
        (["随便写写看看"], "美食", texts.bad_choice(9)),
        (["随便写写看看", "1", "修改 2"], "这" * 41, texts.too_long(40, 41)),  # the proposed title
        (SUGGESTION[:3], "12345", texts.BAD_PHONE),
        (SUGGESTION[:3], "23800138000", texts.BAD_PHONE),
        (SUGGESTION[:4], "也许", texts.BAD_YES_NO),
        (SUGGESTION[:2], "张3", texts.BAD_NAME),
    ],
)
async def test_invalid_input_gets_specific_message_and_same_question(
    answers: list[str], bad: str, message: str
) -> None:
    chat = Chat()
    await fill(chat, "1", answers)
    before = chat.conv.draft
    assert before is not None
    step, values = before.step, dict(before.values)
    replies = await chat.send(bad)
    assert replies[0] == message
    assert replies[1].startswith(SUGGESTION_FORM.fields[step].prompt)
    assert chat.conv.draft is not None and chat.conv.draft.step == step and chat.conv.draft.values == values


async def test_complaint_refuses_anonymous() -> None:
    chat = Chat()
    await fill(chat, "2", COMPLAINT[:3])
    assert (await chat.send("匿名"))[0] == texts.REAL_NAME_NEEDED


async def test_phone_accepts_full_width_landline_and_plus86() -> None:
    for typed, stored in [
        ("１３９１２３４５６７８", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("021-12345678", "021-12345678"),
    ]:
        chat = Chat()
        await fill(chat, "1", [*SUGGESTION[:3], typed, "可以", "确认"])
        ((_, _, values),) = chat.port.items.values()
        assert values["phone"] == stored


async def test_back_keeps_the_answer_and_shows_it() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:2])
    replies = await chat.send("返回")
    assert replies[-1].startswith(S["measure"]) and "之前填写：建议加装遮雨棚" in replies[-1]
    assert chat.conv.draft is not None and chat.conv.draft.values["measure"] == "建议加装遮雨棚"
    assert (await chat.send("建议加装带座椅的遮雨棚"))[-1].startswith(S["name"])
    assert chat.conv.draft.values["measure"] == "建议加装带座椅的遮雨棚"


async def test_back_at_first_question() -> None:
    chat = Chat()
    await chat.send("1")
    replies = await chat.send("返回")
    assert replies == [texts.FIRST_STEP, S["problem"]]


async def test_cancel_asks_then_discards() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:3])
    assert await chat.send("取消") == [texts.CANCEL_ASK]
    assert await chat.send("是") == [texts.CANCEL_DONE, texts.MENU]
    assert chat.conv.draft is None and not chat.port.items


async def test_cancel_declined_continues_where_it_was() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:3])
    await chat.send("取消")
    replies = await chat.send("否")
    assert replies == [texts.CANCEL_KEPT, S["phone"]]


async def test_cancel_when_idle() -> None:
    assert await Chat().send("取消") == [texts.CANCEL_NOTHING, texts.MENU]


async def test_menu_pauses_the_draft_and_its_number_goes_on_with_it() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:1])
    replies = await chat.send("菜单")
    assert replies[0] == texts.DRAFT_PAUSED.format(noun="建议", number="1") and replies[1] == texts.MENU
    assert await chat.send("1") == [S["measure"]]  # "回复 1 可以接着填" does just that
    await chat.send("菜单")
    offer = await chat.send("2")  # the other form: go on with the suggestion, or start over?
    assert "已填 3/9 项" in offer[0]  # the account, and the category and title proposed from it
    resumed = await chat.send("继续")
    assert resumed == [S["measure"]]


async def test_start_over_discards_the_old_answers() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:4])
    await chat.send("菜单")
    await chat.send("2")
    replies = await chat.send("重填")
    assert replies[0] == texts.START_OVER and replies[1] == texts.FORM_INTRO["complaint"]
    assert (
        chat.conv.draft is not None and chat.conv.draft.kind == "complaint" and chat.conv.draft.values == {}
    )


async def test_idle_gap_offers_to_continue() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:2])
    chat.now = chat.now.replace(hour=18)
    offer = await chat.send("我回来了")
    assert "欢迎回来" in offer[0] and "已填 4/9 项" in offer[0]
    assert await chat.send("什么") == [texts.RESUME_BAD]
    assert (await chat.send("1")) == [S["name"]]


async def test_skip_only_on_optional_and_edit_from_summary() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION)
    replies = await chat.send("修改 4")
    assert replies[0].startswith(S["cause"]) and replies[0].endswith("（可回复“跳过”）")
    summary = (await chat.send("因为没人管"))[-1]
    assert "4. 症结：因为没人管" in summary
    assert (await chat.send("修改 12")) == [texts.BAD_EDIT.format(n=9)]
    assert (await chat.send("好的"))[0] == texts.AT_SUMMARY
    replies = await chat.send("修改2")
    assert "之前填写：公交站没有遮雨棚" in replies[0]
    assert "请核对" in (await chat.send("返回"))[0]


async def test_photos_join_the_form_and_location_fills_place() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION[:2])
    replies = await chat.photo("media-42")
    assert replies == [texts.PHOTO_SAVED.format(noun="建议"), S["name"]]
    await chat.send("修改 6")
    replies = await chat.location()
    assert replies[-1].startswith(S["name"])  # the change made, the form goes on where it was
    await fill(chat, "张三", ["13800138000", "可以"])
    await chat.send("确认")
    ((_, _, values),) = chat.port.items.values()
    assert values["photos"] == ["media-42"] and values["place"].startswith("人民广场")


async def test_location_where_not_asked_and_voice_without_text() -> None:
    chat = Chat()
    await chat.send("1")
    assert (await chat.location())[0] == texts.LOCATION_NOT_NOW
    replies = await chat.send(None, kind="voice")
    assert replies == [texts.VOICE_UNCLEAR, S["problem"]]
    assert (await chat.send(None, kind="video"))[0] == texts.UNSUPPORTED_KIND


async def test_submit_failure_keeps_the_draft_for_a_second_try() -> None:
    chat = Chat()
    await fill(chat, "1", SUGGESTION)
    chat.port.fail_submit = True
    saved = chat.conv
    with pytest.raises(RuntimeError):
        await chat.send("确认")
    chat.conv = saved  # the pipeline keeps the old state when a step fails
    chat.port.fail_submit = False
    assert "JY-" in (await chat.send("确认"))[0]


async def test_phone_step_offers_contact_button_and_choices_have_buttons() -> None:
    chat = Chat()
    await chat.send_full("1")
    category = await chat.send_full("随便写写看看")  # nothing to propose from: the choice is asked
    assert category[-1].choices[0] == "城市建设"
    for answer in ["2", "加个棚", *SUGGESTION[1:3]]:
        replies = await chat.send_full(answer)
    assert replies[-1].hint == "phone"
    shared = await chat.send_full(None, phone="13800001111")
    assert shared[-1].text == S["contact_ok"] and chat.conv.draft is not None
    assert chat.conv.draft.values["phone"] == "13800001111"
