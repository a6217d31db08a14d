"""What waits for a citizen is known without a query, and still reaches them at once: a notice a
staff member's ``minyi-admin`` (another process) writes rides along with the reply to the
citizen's very next message on the web; staff questions are answerable at once on every channel
(``storage.waits``: marked after the commit, in Redis or through SQLite's data version)."""

from __future__ import annotations

import pytest

from tests.acceptance.case import Case
from tests.acceptance.runs import Runs
from tests.answers import SUGGESTION

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUESTION = "请问是哪个公交站？"


async def the_very_next_message(case: Case) -> None:
    """File, then midway through a second form staff accept the first and ask a question: the
    next message carries the notices (web) and, back at the menu, the answer is taken as one."""
    ticket = await case.file("1", SUGGESTION)
    await case.say("1")  # a second suggestion begun: the citizen is mid-form now
    await case.say("2")
    accept = await case.act("accept", ticket)
    replies = await case.citizen.say("公共交通")  # the form's next answer, typed after the command
    if case.push:
        await case.see(accept)
    else:
        assert any(accept.notice and accept.notice in r for r in replies), replies
    ask = await case.act("ask", ticket, QUESTION)
    await case.say("菜单")
    if case.push:
        await case.see(ask)
    else:
        seen = [s.text for s in case.citizen.screen()]
        assert any(ask.notice and ask.notice in text for text in seen), case.citizen.describe()
    await case.say("中山路站，早上七点到九点")
    item = await case.show(ticket)
    said = [m["text"] for m in item["thread"] if m["direction"] == "citizen"]
    assert "中山路站，早上七点到九点" in said, item["thread"]
    case.check_screen()


async def test_what_staff_write_reaches_the_very_next_message(runs: Runs, channel: str) -> None:
    await runs.check(the_very_next_message, channel)
