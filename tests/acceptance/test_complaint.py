"""Complaints from the citizen's chat and the staff tool: answered, sent back with 不满意,
answered again, rated; and a second one through 复查 and 复核."""

from __future__ import annotations

import pytest

from dialogs import texts
from tests.acceptance.case import Case
from tests.acceptance.runs import Runs
from tests.answers import COMPLAINT

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def sent_back_then_rated(case: Case) -> None:
    """受理, 延期, 答复; `3` at once lists the items; 不满意 sends it back; answered again; 满意."""
    ticket = await case.file("2", COMPLAINT)
    assert ticket.startswith("TS-")
    accept = await case.act("accept", ticket)
    extend = await case.act("extend", ticket, "--days", "10", "--reason", "需要环保部门现场检测")
    await case.see(accept, extend)

    answer = await case.act("answer", ticket, "--text", "已责令幸福饭店安装油烟净化设备")
    assert answer.status == "answered"
    # at once, before the answer could be seen: `3` is the menu's 查进度, never a rating
    replies = await case.say("3")
    assert any(texts.MY_ITEMS_HEAD in r and ticket in r for r in replies), replies
    assert not any(texts.ASK_COMMENT in r or "评价" in r for r in replies), replies
    item = await case.show(ticket)
    assert (item["status"], item["satisfaction"]) == ("answered", None)

    await case.see(answer)
    await case.say("不满意")
    item = await case.show(ticket)
    assert (item["status"], item["redo_count"]) == ("assigned", 1), "不满意 sends the complaint back"

    again = await case.act("answer", ticket, "--text", "经复测油烟排放已达标，设备运行正常")
    await case.see(again)
    await case.say("满意")
    item = await case.show(ticket)
    assert (item["status"], item["satisfaction"]) == ("closed", 1)
    case.check_screen()


async def review_then_second_review(case: Case) -> None:
    """A second complaint: answered, 复查, answered (offering 复核), 复核, answered, rated."""
    ticket = await case.file("2", COMPLAINT)
    accept = await case.act("accept", ticket)
    answer = await case.act("answer", ticket, "--text", "经核查饭店已整改")
    await case.see(accept, answer)

    await case.say(f"复查 {ticket}")
    item = await case.show(ticket)
    assert (item["status"], item["review_level"]) == ("accepted", 1), "复查 is accepted for review"

    reviewed = await case.act("answer", ticket, "--text", "复查认为原答复正确")
    assert reviewed.notice is not None
    assert f"复核 {ticket}" in reviewed.notice, "after a 复查 the next step offered is 复核"
    assert f"复查 {ticket}" not in reviewed.notice, "复查 is not offered twice"
    await case.see(reviewed)

    await case.say(f"复核 {ticket}")
    item = await case.show(ticket)
    assert (item["status"], item["review_level"]) == ("accepted", 2), "复核 is accepted"

    final = await case.act("answer", ticket, "--text", "复核维持复查意见")
    await case.see(final)
    await case.say("满意")
    item = await case.show(ticket)
    assert (item["status"], item["satisfaction"]) == ("closed", 1)
    case.check_screen()


async def test_complaint_sent_back_then_rated(runs: Runs, channel: str) -> None:
    await runs.check(sent_back_then_rated, channel)


async def test_complaint_review_then_second_review(runs: Runs, channel: str) -> None:
    await runs.check(review_then_second_review, channel)
