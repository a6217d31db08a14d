"""Issue 12: say it once, answer only what is missing — a matter told at the menu starts its form,
what the words say is proposed in one message and corrected in one reply, name, phone and
consent go in one message, and a returning citizen's contact is one tap."""

from __future__ import annotations

import pytest

from dialogs import reading, texts
from dialogs.forms import COMPLAINT as COMPLAINT_FORM
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from dialogs.types import Campaign, Followups, Media
from tests.dialogs.chat import Chat

S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}
C = {f.key: f.prompt for f in COMPLAINT_FORM.fields}
SAID_AT_ONCE = "我是江苏路的，社区服务中心周末不开门，上班的人没法去办事，建议周六上午也开"
OILY = "我住阳光小区，楼下饭店每天晚上油烟直排，熏得没法开窗，投诉一下，希望城管来查处"


def filed(chat: Chat) -> dict[str, object]:
    ((_, _, values),) = chat.port.items.values()
    return values


async def test_a_suggestion_said_at_once_is_filed_in_three_messages() -> None:
    chat = Chat()
    understood = (await chat.send(SAID_AT_ONCE))[-1]  # the very first message: no menu first
    assert understood.startswith(texts.UNDERSTOOD_KIND["suggestion"])
    for line in ["1. 类别：社区治理", "5. 对策：建议周六上午也开", "6. 地点：江苏路", texts.UNDERSTOOD_FIX]:
        assert line in understood
    assert understood.endswith(S["name"])  # only the contact is missing
    summary = (await chat.send("李四 13912345678 可以联系"))[-1]
    assert summary.startswith("请核对您的建议") and "9. 可否联系：可以" in summary
    assert not chat.port.items, "nothing is filed before 确认"
    assert "JY-" in (await chat.send("确认"))[0]
    values = filed(chat)
    assert values["problem"] == SAID_AT_ONCE and values["place"] == "江苏路"
    assert (values["name"], values["phone"], values["contact_ok"]) == ("李四", "13912345678", "可以")
    assert 0 < len(str(values["title"])) <= 20


async def test_a_complaint_said_at_once_asks_only_the_name_and_phone() -> None:
    chat = Chat()
    await chat.send("菜单")
    understood = (await chat.send(OILY))[-1]
    assert understood.startswith(texts.UNDERSTOOD_KIND["complaint"])
    assert "1. 类别：市容环卫" in understood and "3. 时间地点：阳光小区" in understood
    assert "4. 诉求：希望城管来查处" in understood and understood.endswith(C["name"])
    assert "请核对您的投诉" in (await chat.send("王五 13700001111"))[-1]
    await chat.send("确认")
    assert filed(chat)["what"] == OILY


@pytest.mark.parametrize("kind", ["voice", "image"])
async def test_a_voice_message_or_a_photos_caption_starts_the_form_too(kind: str) -> None:
    chat = Chat()
    await chat.send("菜单")
    media = Media("image", "photo-1") if kind == "image" else None
    replies = await chat.send(OILY, kind=kind, media=media)
    assert replies[-1].startswith(texts.UNDERSTOOD_KIND["complaint"])
    assert chat.conv.draft is not None and chat.conv.draft.values["what"] == OILY
    assert chat.conv.draft.values.get("photos", []) == (["photo-1"] if kind == "image" else [])


@pytest.mark.parametrize("said", ["你好", "在吗", "怎么提建议？", "谢谢", "你们几点下班", "我要投诉"])
async def test_greetings_questions_and_commands_are_not_taken_for_a_matter(said: str) -> None:
    chat = Chat()
    await chat.send("菜单")
    await chat.send(said)
    assert chat.conv.mode != "form" or said == "我要投诉"  # 我要投诉 opens the complaint form itself
    assert chat.conv.draft is None or "what" not in chat.conv.draft.values


async def test_a_matter_told_at_the_first_question_of_the_other_kind_offers_the_switch() -> None:
    chat = Chat()
    await chat.send("1")
    understood = (await chat.send(OILY))[-1]
    assert texts.UNDERSTOOD_SWITCH["suggestion"] in understood  # "如果您是要投诉，请回复“改成投诉”"
    switched = await chat.send("改成投诉")
    assert switched[0] == texts.SWITCHED["complaint"] and "1. 类别：市容环卫" in switched[1]
    draft = chat.conv.draft
    assert draft is not None and draft.kind == "complaint"
    assert draft.values["what"] == OILY and draft.values["when_where"] == "阳光小区"


async def test_one_reply_corrects_a_proposal_and_the_same_question_comes_back() -> None:
    chat = Chat()
    await chat.send(SAID_AT_ONCE)
    fixed = await chat.send("1 改成 交通出行")
    assert fixed == [texts.CORRECTED.format(label="类别", value="交通出行"), S["name"]]
    assert (await chat.send("6 改为 长宁区江苏路街道"))[0].endswith("长宁区江苏路街道")
    tapped = await chat.send("改类别")  # the button: the list, then back to where the form was
    assert tapped[-1].startswith(S["category"])
    assert (await chat.send("8"))[-1].startswith(S["name"])
    draft = chat.conv.draft
    assert draft is not None and draft.values["category"] == "社区治理"
    assert draft.values["place"] == "长宁区江苏路街道"
    bad = await chat.send("1 改成 美食")
    assert bad[0] == texts.bad_choice(9) and bad[1].startswith(S["category"])


async def test_a_returning_citizen_gets_their_name_and_phone_back_with_one_tap() -> None:
    chat = Chat()
    for said in ["1", "公交站没有遮雨棚，下雨天等车全身湿透", "建议加装遮雨棚"]:
        await chat.send(said)
    await chat.send("王小明")
    await chat.send("+8613700001111", phone="+8613700001111")  # shared through the platform
    for said in ["可以", "确认"]:
        await chat.send(said)
    replies = await chat.send_full(SAID_AT_ONCE)
    assert "上次您留的是：王小明 137****1111" in replies[-1].text and "用上次的" in replies[-1].choices
    after = await chat.send("用上次的")
    assert after[-1] == S["contact_ok"]
    await chat.send("不可以")
    await chat.send("确认")
    (_, second) = [v for _, _, v in chat.port.items.values()]
    assert (second["name"], second["phone"], second["contact_ok"]) == ("王小明", "13700001111", "不可以")
    assert second["verified_phone"] == "13700001111"  # shared by the platform before: still verified


async def test_an_anonymous_suggesters_contact_is_not_offered_for_a_complaint() -> None:
    chat = Chat()
    for said in ["1", "公交站没有遮雨棚，下雨天等车全身湿透", "建议加装遮雨棚", "匿名 13912345678 可以"]:
        await chat.send(said)
    await chat.send("确认")
    replies = await chat.send_full(OILY)
    assert "上次您留的是" not in replies[-1].text  # a complaint needs a real name


async def test_a_matter_at_the_campaign_question_is_the_account() -> None:
    chat = Chat()
    chat.port.pending = Followups(campaigns=(Campaign(7, "老旧小区加装电梯"),))
    await chat.send("1")
    replies = await chat.send(SAID_AT_ONCE)
    assert replies[-1].startswith(texts.UNDERSTOOD_HEAD) and replies[-1].endswith(S["name"])
    assert chat.conv.draft is not None and "campaign_id" not in chat.conv.draft.values


async def test_when_the_words_do_not_say_which_kind_the_citizen_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = reading.read
    monkeypatch.setattr(reading, "read", lambda text: real(text).__class__(text, None, {}, "", None, None))
    chat = Chat()
    await chat.send("菜单")
    assert await chat.send(SAID_AT_ONCE) == [texts.KIND_ASK]
    monkeypatch.setattr(reading, "read", real)
    replies = await chat.send("1")  # the button "1 提建议" types "1"
    assert replies[-1].startswith(texts.UNDERSTOOD_HEAD)
    assert chat.conv.draft is not None and chat.conv.draft.values["problem"] == SAID_AT_ONCE


async def test_a_contact_sent_to_another_question_is_kept_and_the_question_stays() -> None:
    chat = Chat()
    for said in ["2", "楼下饭店油烟直排"]:
        await chat.send(said)
    replies = await chat.send("王五 13700001111")  # the place was asked
    assert replies == [texts.CONTACT_NOTED, C["when_where"]]
    assert chat.conv.draft is not None and chat.conv.draft.values["phone"] == "13700001111"


async def test_an_account_too_long_to_take_is_said_so() -> None:
    chat = Chat()
    await chat.send("菜单")
    replies = await chat.send("楼下饭店油烟直排，" * 120)
    assert replies == [texts.TOO_LONG_START.format(got=len("楼下饭店油烟直排，" * 120))]
    assert chat.conv.draft is None


async def test_a_spoken_edit_number_opens_that_field() -> None:
    chat = Chat()
    for said in ["1", "公交站没有遮雨棚，下雨天等车全身湿透", "建议加装遮雨棚", "李四 13912345678 可以"]:
        await chat.send(said)
    assert (await chat.send("修改四。"))[0].startswith(S["cause"])  # WeChat's voice input writes numerals


async def test_nothing_proposed_promises_no_list() -> None:
    chat = Chat()
    await chat.send("2")
    replies = await chat.send_full("随便写写看看")  # nothing to propose a complaint's category from
    assert len(replies) == 1 and replies[0].text.startswith(C["category"])  # the question alone
    assert replies[0].choices[-1] == "改成建议"  # the other kind still one tap away


async def test_an_account_too_short_for_a_title_gets_the_title_asked() -> None:
    chat = Chat()
    await chat.send("1")
    assert (await chat.send("2"))[-1].startswith(S["category"])  # nothing to propose from
    assert (await chat.send("2"))[-1].startswith(S["title"])  # no title made of "2"
    assert (await chat.send("公交站加装遮雨棚"))[-1].startswith(S["measure"])
