"""Issue 9 §3: after staff answered a complaint, the citizen's ``3`` (查进度, from the menu on
their screen) was taken as 不满意 — sending the complaint back — before the question had even
reached them; ``2`` (投诉) rated 基本满意 and closed it. Ratings are words now, and only for a
question that was delivered before the message was written. Web and console here; WeChat and
Telegram in the acceptance suite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.pipeline import Pipeline
from bot.services import build_pipeline
from dialogs import Inbound, UserRef
from storage.config import Settings
from storage.models import Department, Item
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import COMPLAINT_FROM_MENU
from tests.conftest import memory_backends


async def say(pipeline: Pipeline, user: UserRef, text: str) -> list[str]:
    inbound = Inbound(user, f"{text}-{datetime.now(UTC).timestamp()}", datetime.now(UTC), text=text)
    return [r.text for r in await pipeline.feed(inbound)]


@pytest.mark.parametrize("channel", ["web", "console"])
async def test_menu_digits_after_an_answer_are_the_menu(db: str, channel: str) -> None:
    pipeline, user = build_pipeline(Settings(_env_file=None), memory_backends()), UserRef(channel, "c")
    for text in [*COMPLAINT_FROM_MENU, "确认"]:
        await say(pipeline, user, text)
    ticket = (await Item.get()).ticket
    await Department.create(name="区城管局")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.assign(ticket, actor="王芳", clocks=DEFAULT, departments=["区城管局"])
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="已责令整改")
    first = await say(pipeline, user, "3")
    assert "已责令整改" in first[0] and "您提交的事项" in first[-1]
    assert not any("退回" in r or ("满意" in r and "抱歉" in r) for r in first)
    started = await say(pipeline, user, "2")
    assert "登记投诉" in started[0]
    item = await Item.get(ticket=ticket)
    assert (item.status, item.satisfaction, item.redo_count) == ("answered", None, 0)
