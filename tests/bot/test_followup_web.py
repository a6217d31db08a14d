"""The citizen's side of the loop through the web chat: staff ask, the citizen answers; staff
answer, the citizen rates 不满意 (sent back), then 满意 (closed), then asks for 复查."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from dialogs import texts
from storage.models import Item, Message
from storage.workflow import service
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU
from tests.bot.channels.test_web import say


async def file(client: TestClient[Any, Any], answers: list[str], user: str) -> str:
    for text in answers:
        await say(client, text, user=user)
    await say(client, "确认", user=user)
    return (await Item.filter(citizen__external_id=user).order_by("-id").first()).ticket  # type: ignore[union-attr]


async def test_answering_a_question_from_staff(client: TestClient[Any, Any]) -> None:
    ticket = await file(client, SUGGESTION_FROM_MENU, "u1")
    await service.apply(ticket, "accept", actor="王芳")
    await service.apply(ticket, "ask", actor="王芳", notice="请问遮雨棚建在站台哪一侧合适？")
    replies = await say(client, "建在北侧，那边人行道宽", user="u1")
    assert replies[-1] == texts.THREAD_SAVED.format(ticket=ticket)
    item = await Item.get(ticket=ticket)
    assert item.status == "accepted"
    assert [m.text for m in await Message.filter(item_id=item.id)] == ["建在北侧，那边人行道宽"]


async def test_rating_sends_back_then_closes_then_review(client: TestClient[Any, Any]) -> None:
    ticket = await file(client, COMPLAINT_FROM_MENU, "u2")
    for action in ("accept", "assign", "answer"):
        await service.apply(ticket, action, actor="王芳")
    replies = await say(client, "3", user="u2")
    assert replies[0] == texts.RATED[3] and "退回承办单位重新办理（第 1 次）" in replies[1]
    assert await say(client, "跳过", user="u2") == [texts.COMMENT_SKIPPED]
    assert (await Item.get(ticket=ticket)).status == "assigned"
    await service.apply(ticket, "answer", actor="王芳")
    replies = await say(client, "1", user="u2")
    assert replies[0] == texts.RATED[1].format(ticket=ticket)
    assert await say(client, "这次处理得很好", user="u2") == [texts.COMMENT_SAVED]
    assert (await Item.get(ticket=ticket)).status == "closed"
    assert (await say(client, f"复查 {ticket}", user="u2")) == [
        texts.REVIEW_ACCEPTED.format(ticket=ticket, level="复查")
    ]
