"""A suggestion, the whole loop (征集 → 事前沟通 → 报送 → 批示 / 事中沟通 → 交办 → 采纳 → 落地 /
事后沟通 → 展示 → 褒奖), from the citizen's chat and the staff tool."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.case import Case
from tests.acceptance.runs import Runs
from tests.acceptance.shapes import DEPARTMENT
from tests.answers import SUGGESTION

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "遮雨棚大概需要多长？站台有多少人候车？"
ANSWER = "站台长约二十米，早高峰大约五十人候车"
VIEW = "建议优先在早晚高峰人多的站台先装"


def citizen_messages(item: dict[str, Any]) -> list[str]:
    return [m["text"] for m in item["thread"] if m["direction"] == "citizen"]


async def suggestion_whole_loop(case: Case) -> None:
    """File, 事前沟通, 报送, 批示 and 事中沟通, 交办, 采纳, 落地, rate in words, 展示, 褒奖."""
    ticket = await case.file("1", SUGGESTION)
    assert ticket.startswith("JY-")

    # 受理, then 事前沟通: staff ask, the citizen answers in chat, the answer joins the thread
    accept = await case.act("accept", ticket)
    ask = await case.act("ask", ticket, QUESTION)
    assert ask.status == "consulting" and ask.notice and QUESTION in ask.notice
    await case.see(accept, ask)
    await case.say(ANSWER)
    item = await case.show(ticket)
    assert ANSWER in citizen_messages(item), item["thread"]
    assert item["status"] == "accepted", "the citizen's answer returns the item to where it was"

    # 报送, 批示: 事中沟通 invites the citizen's view, which joins the thread
    report = await case.act("report", ticket)
    instruct = await case.act("instruct", ticket, "--note", "请住建局研究落实")
    await case.see(report, instruct)
    await case.say(VIEW)
    item = await case.show(ticket)
    assert VIEW in citizen_messages(item), item["thread"]
    assert item["status"] == "instructed"

    # 交办, 采纳, 落地 with the satisfaction question; the citizen answers in words
    assign = await case.act("assign", ticket, "--dept", DEPARTMENT)
    adopt = await case.act("adopt", ticket, "--note", "纳入明年公交站改造计划")
    implement = await case.act("implement", ticket, "--result", "全市30个站台已加装遮雨棚")
    assert implement.status == "implemented"
    await case.see(assign, adopt, implement)
    await case.say("满意")
    item = await case.show(ticket)
    assert (item["status"], item["satisfaction"]) == ("closed", 1)

    # 展示, 褒奖
    showcase = await case.act("showcase", ticket)
    reward = await case.act("reward", ticket, "--note", "年度金点子奖")
    await case.see(showcase, reward)
    case.check_screen()


async def test_suggestion_whole_loop(runs: Runs, channel: str) -> None:
    await runs.check(suggestion_whole_loop, channel)
