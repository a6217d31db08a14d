"""The citizen's side of the loop through the web chat: staff ask, the question reaches the page,
the citizen answers; staff answer, the citizen types the menu's 3 before seeing it (their items,
never a rating), then rates 不满意 (sent back), then 满意 (closed), then asks for 复查."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from dialogs import texts
from storage.models import Department, Item, Message
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU
from tests.bot.channels.test_web import external_id, page, say


async def file(client: TestClient[Any, Any], answers: list[str], user: str) -> str:
    for text in answers:
        await say(client, text, user=user)
    await say(client, "确认", user=user)
    mine = Item.filter(citizen__external_id=external_id(client, user))
    return (await mine.order_by("-id").first()).ticket  # type: ignore[union-attr]


async def poll(client: TestClient[Any, Any], user: str) -> list[str]:
    """What the page's poll puts on screen (it then acknowledges them)."""
    return await page(client, user).poll()


async def test_answering_a_question_from_staff(client: TestClient[Any, Any]) -> None:
    ticket = await file(client, SUGGESTION_FROM_MENU, "u1")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.ask(ticket, actor="王芳", clocks=DEFAULT, question="请问遮雨棚建在站台哪一侧合适？")
    shown = await poll(client, "u1")  # the page polls every 15 s
    assert "请问遮雨棚建在站台哪一侧合适？" in shown[-1]
    replies = await say(client, "建在北侧，那边人行道宽", user="u1")
    assert replies[-1] == texts.THREAD_SAVED.format(ticket=ticket)
    item = await Item.get(ticket=ticket)
    assert item.status == "accepted"
    said = [m.text for m in await Message.filter(item_id=item.id, direction="citizen")]
    assert said == ["建在北侧，那边人行道宽"]


async def test_rating_sends_back_then_closes_then_review(client: TestClient[Any, Any]) -> None:
    ticket = await file(client, COMPLAINT_FROM_MENU, "u2")
    await Department.create(name="区城管局")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.assign(ticket, actor="王芳", clocks=DEFAULT, departments=["区城管局"])
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="已责令饭店加装净化器")
    before = await say(client, "3", user="u2")  # the menu's 查进度, typed before any poll
    assert "已责令饭店加装净化器" in before[0] and "您提交的事项" in before[-1]  # the answer rode along
    assert (await Item.get(ticket=ticket)).status == "answered"  # and nothing was rated
    replies = await say(client, "不满意", user="u2")
    assert replies[0] == texts.RATED[3] and "退回承办单位重新办理（第 1 次）" in replies[1]
    assert await say(client, "跳过", user="u2") == [texts.COMMENT_SKIPPED]
    assert (await Item.get(ticket=ticket)).status == "assigned"
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="已复查，净化器已运行")
    assert "复核" not in (await poll(client, "u2"))[-1]  # the first answer after a redo still offers 复查
    replies = await say(client, "满意", user="u2")
    assert replies[0] == texts.RATED[1].format(ticket=ticket)
    assert await say(client, "这次处理得很好", user="u2") == [texts.COMMENT_SAVED]
    assert (await Item.get(ticket=ticket)).status == "closed"
    assert (await say(client, f"复查 {ticket}", user="u2")) == [
        texts.REVIEW_ACCEPTED.format(ticket=ticket, level="复查")
    ]
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="复查维持原答复")
    assert f"复核 {ticket}" in (await poll(client, "u2"))[-1]  # after a 复查 answer: 复核, not 复查
