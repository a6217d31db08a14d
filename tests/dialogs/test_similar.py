"""The chat's side of similar items (issue 13), on the pure engine and a fake port: the offer after
the matter is told, 附议 N, 继续, 补充 to one's own open complaint, and 附议/取消附议 TICKET."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs import texts
from dialogs.ports import SimilarBrief
from tests.dialogs.chat import Chat

IDEA = "中山公园地铁站出口那边能不能划一块共享单车停车区域，现在单车没地方停"
OILY = "楼下那家饭店的油烟还是直排，熏得家里全是味"
NOV = datetime(2026, 11, 20, tzinfo=UTC)
PUBLISHED = (
    SimilarBrief("JY-20261120-0003", "suggestion", "中山公园站增设单车停放点", "accepted", NOV, None, 12),
    SimilarBrief("JY-20261121-0004", "suggestion", "地铁站单车停放", "received", NOV),
)
MINE = SimilarBrief(
    "TS-20261118-0002", "complaint", "楼下饭店油烟直排", "accepted",
    datetime(2026, 11, 18, 9, tzinfo=UTC), datetime(2027, 1, 17, tzinfo=UTC),
)  # fmt: skip


def chat_with(**alike: tuple[SimilarBrief, ...]) -> Chat:
    chat = Chat()
    chat.port.alike = dict(alike)
    return chat


async def test_nothing_similar_means_no_extra_message() -> None:
    chat = chat_with()
    await chat.send("1")
    reply = chat.last(await chat.send(IDEA))
    assert texts.SIMILAR_HEAD not in reply and "称呼和手机号" in reply, reply
    assert ("similar", ("suggestion", IDEA)) in chat.port.calls


async def test_published_suggestions_are_offered_and_cosigning_ends_the_draft() -> None:
    chat = chat_with(suggestion=PUBLISHED)
    await chat.send("1")
    reply = chat.last(await chat.send_full(IDEA))
    assert texts.SIMILAR_HEAD in reply.text and "1 中山公园站增设单车停放点（已有 12 人附议）" in reply.text
    assert "2 地铁站单车停放\n" in reply.text and texts.SIMILAR_FOOT in reply.text
    assert reply.choices == ("附议 1", "附议 2", "继续")
    done = await chat.send("附议 1")
    assert chat.port.calls[-1] == ("cosign", "JY-20261120-0003")
    assert "已为您附议" in done[-1] and chat.conv.draft is None and chat.conv.mode == "idle"


async def test_going_on_asks_the_next_question_and_files_once() -> None:
    chat = chat_with(suggestion=PUBLISHED)
    await chat.send("1")
    await chat.send(IDEA)
    assert chat.last(await chat.send("不知道")) == texts.SIMILAR_AGAIN
    assert "称呼和手机号" in chat.last(await chat.send("继续"))
    await chat.send("李四 13912345678 可以")
    assert any("JY-" in r for r in await chat.send("确认"))
    assert len(chat.port.items) == 1
    assert not any(call[0] == "cosign" for call in chat.port.calls)


async def test_an_item_no_longer_open_to_cosigning_lets_the_form_go_on() -> None:
    chat = chat_with(suggestion=PUBLISHED)
    chat.port.cosigns["JY-20261121-0004"] = "gone"
    await chat.send("1")
    await chat.send(IDEA)
    replies = await chat.send("2")
    assert replies[0] == texts.COSIGN_GONE_IN_FORM and "称呼和手机号" in replies[-1]
    assert chat.conv.mode == "form" and chat.conv.draft is not None


async def test_menu_and_cancel_leave_the_offer() -> None:
    chat = chat_with(suggestion=PUBLISHED)
    await chat.send("1")
    await chat.send(IDEA)
    assert chat.last(await chat.send("取消")) == texts.CANCEL_ASK
    await chat.send("是")
    assert chat.conv.draft is None and chat.conv.mode == "idle"


async def test_a_complaint_like_ones_own_open_one_can_be_added_to_it() -> None:
    chat = chat_with(complaint=(MINE,))
    await chat.send("2")
    reply = await chat.send_full(OILY)
    offer = reply[-1]
    assert "您在11月18日反映的 TS-20261118-0002（楼下饭店油烟直排）正在办理中，办理期限 1月17日" in offer.text
    assert offer.choices == ("补充", "继续")
    added = await chat.send("补充")
    assert chat.port.calls[-1] == ("supplement", ("TS-20261118-0002", OILY, ()))
    assert added == [texts.REPEAT_ADDED.format(ticket="TS-20261118-0002")]
    assert chat.conv.draft is None and not chat.port.items


async def test_cosigning_and_withdrawing_by_ticket_at_any_time() -> None:
    chat = chat_with()
    chat.port.cosigns["JY-20261120-0003"] = "done"
    assert "已为您附议" in chat.last(await chat.send("附议 JY-20261120-0003"))
    assert chat.last(await chat.send("取消附议 JY-20261120-0003")) == texts.UNCOSIGNED.format(
        ticket="JY-20261120-0003"
    )
    assert chat.last(await chat.send("取消附议 JY-20261120-0009")) == texts.UNCOSIGN_NONE.format(
        ticket="JY-20261120-0009"
    )
