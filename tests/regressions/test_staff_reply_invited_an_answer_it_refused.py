"""Issue 9 §4: a staff ``items reply`` ended with "如需回复，直接发送消息即可", and the citizen's
reply got "抱歉，没太明白您的意思" instead of joining the thread. A delivered staff message (or a
refusal, which also invites questions) now opens the item's thread for the citizen."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from dialogs import texts
from storage.models import Message
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import COMPLAINT_FROM_MENU
from tests.bot.channels.test_web import say
from tests.bot.test_followup_web import file, poll


async def test_the_citizens_answer_to_a_staff_message_joins_the_thread(client: TestClient[Any, Any]) -> None:
    ticket = await file(client, COMPLAINT_FROM_MENU, "u9")
    await actions.reply(ticket, actor="王芳", clocks=DEFAULT, text="请问油烟是几点开始的？")
    assert "如需回复，直接发送消息即可" in (await poll(client, "u9"))[-1]
    assert await say(client, "晚上六点左右", user="u9") == [texts.THREAD_SAVED.format(ticket=ticket)]
    said = await Message.filter(item__ticket=ticket, direction="citizen").values_list("text", flat=True)
    assert said == ["晚上六点左右"]
    await actions.reject(ticket, actor="王芳", clocks=DEFAULT, reason="不属于本办职责", where="区市场监管局")
    await poll(client, "u9")
    assert await say(client, "那我该找谁？", user="u9") == [texts.THREAD_SAVED.format(ticket=ticket)]
