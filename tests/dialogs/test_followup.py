"""After filing, in chat: answering staff, rating in words (never a digit: digits are the menu),
commenting, asking for a review, and campaigns offered when a suggestion starts (engine through
the fake port)."""

from __future__ import annotations

from dialogs import texts
from dialogs.types import Campaign, Followups, ItemRef
from tests.dialogs.chat import Chat

A = ItemRef("JY-20261122-0001", "suggestion", "公交站遮雨棚")
B = ItemRef("TS-20261122-0002", "complaint", "油烟直排")


async def test_the_words_of_the_satisfaction_question_rate() -> None:
    chat = Chat()
    chat.port.pending = Followups(rating_due=(B,))
    replies = await chat.send("不满意。")  # as WeChat's voice recognition writes it
    assert chat.port.calls == [("rate", (B.ticket, 3))]
    assert replies[0] == texts.RATED[3] and replies[-1] == texts.ASK_COMMENT
    chat.port.pending = Followups()
    assert await chat.send("处理太慢了") == [texts.COMMENT_SAVED]
    assert chat.port.calls[-1] == ("comment", (B.ticket, "处理太慢了"))


async def test_a_menu_digit_never_rates_even_with_a_rating_due() -> None:
    chat = Chat()
    chat.port.pending = Followups(rating_due=(B,))
    assert (await chat.send("3")) == [texts.NO_ITEMS]  # 查进度, as the menu on the screen says
    assert (await chat.send("2"))[0] == texts.FORM_INTRO["complaint"]
    assert not [c for c in chat.port.calls if c[0] == "rate"]


async def test_comment_can_be_skipped_and_a_menu_digit_moves_on() -> None:
    chat = Chat()
    chat.port.pending = Followups(rating_due=(B,))
    await chat.send("满意")
    assert await chat.send("跳过") == [texts.COMMENT_SKIPPED]
    chat.port.pending = Followups(rating_due=(B,))
    await chat.send("基本满意")
    chat.port.pending = Followups()
    replies = await chat.send("3")  # the comment question was open: 3 is still the menu's 查进度
    assert replies == [texts.NO_ITEMS] and [c[0] for c in chat.port.calls] == ["rate", "rate"]


async def test_a_rating_word_with_nothing_to_rate_says_so() -> None:
    chat = Chat()
    assert await chat.send("满意") == [texts.RATING_NOTHING, texts.MENU]
    assert not chat.port.calls


async def test_with_several_ratings_due_the_bot_asks_which() -> None:
    chat = Chat()
    chat.port.pending = Followups(rating_due=(A, B))
    replies = await chat.send("满意")
    assert "2 件事项在等您评价" in replies[0] and not chat.port.calls
    chat.port.pending = Followups()
    await chat.send("2")
    assert chat.port.calls == [("rate", (B.ticket, 1))] and chat.conv.mode == "comment"


async def test_without_a_question_digits_are_the_menu() -> None:
    chat = Chat()
    replies = await chat.send("1")
    assert replies[0] == texts.FORM_INTRO["suggestion"] and not chat.port.calls


async def test_free_text_joins_the_one_waiting_item() -> None:
    chat = Chat()
    chat.port.pending = Followups(waiting=(A,))
    replies = await chat.send("问题确实存在，早晚高峰最严重")
    assert chat.port.calls == [("reply", (A.ticket, "问题确实存在，早晚高峰最严重", None))]
    assert replies == [texts.THREAD_SAVED.format(ticket=A.ticket)]
    await chat.photo("photo-7")
    assert chat.port.calls[-1] == ("reply", (A.ticket, "", "photo-7"))


async def test_with_several_waiting_the_bot_asks_which() -> None:
    chat = Chat()
    chat.port.pending = Followups(waiting=(A, B))
    replies = await chat.send("我补充一点情况")
    assert "2 件事项" in replies[0] and B.ticket in replies[0] and not chat.port.calls
    assert await chat.send("5") == [texts.bad_choice(2)]
    await chat.send("2")
    assert chat.port.calls == [("reply", (B.ticket, "我补充一点情况", None))]
    assert chat.conv.mode == "idle" and chat.conv.aside == {}


async def test_commands_still_work_while_items_wait() -> None:
    chat = Chat()
    chat.port.pending = Followups(waiting=(A,))
    assert (await chat.send("0"))[0] == texts.HELP
    assert (await chat.send("2"))[0] == texts.FORM_INTRO["complaint"]
    assert not chat.port.calls


async def test_review_request_by_command() -> None:
    chat = Chat()
    replies = await chat.send("复查 ts-20261122-0002")
    assert chat.port.calls == [("review", "TS-20261122-0002")]
    assert replies == [texts.REVIEW_ACCEPTED.format(ticket="TS-20261122-0002", level="复查")]
    await chat.send("申请复查")
    assert chat.port.calls[-1] == ("review", None)
    assert await chat.send("复查 第二件") == [texts.REVIEW_HOW]


async def test_open_campaigns_are_offered_when_a_suggestion_starts() -> None:
    chat = Chat()
    chat.port.pending = Followups(
        campaigns=(Campaign(7, "老旧小区加装电梯"), Campaign(9, "一刻钟便民生活圈"))
    )
    replies = await chat.send("1")
    assert texts.CAMPAIGN_ASK in replies[1] and "1 老旧小区加装电梯" in replies[1]
    assert await chat.send("3") == [texts.bad_choice(2), replies[1]]
    assert (await chat.send("1"))[0].startswith("请说说您发现了什么问题")
    assert chat.conv.draft is not None and chat.conv.draft.values["campaign_id"] == 7
    chat2 = Chat(port=chat.port)
    await chat2.send("1")
    await chat2.send("跳过")
    assert chat2.conv.draft is not None and "campaign_id" not in chat2.conv.draft.values


async def test_a_newer_satisfaction_question_is_answered_even_while_a_comment_was_asked() -> None:
    chat = Chat()
    chat.port.pending = Followups(rating_due=(B,))
    await chat.send("不满意")  # sent back; "还有什么想对我们说的吗？"
    chat.port.pending = Followups(rating_due=(B,))  # answered again, and the new question arrived
    await chat.send("满意")
    assert [c for c in chat.port.calls if c[0] == "rate"] == [
        ("rate", (B.ticket, 3)),
        ("rate", (B.ticket, 1)),
    ]
