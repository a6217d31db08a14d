"""Issue 9 §10: ``items ask`` to a citizen without a chat (a letter, a call), or one who never
answers, left the item in 事前沟通 with no way out but ``reject``; ``items new`` ignored the
configured clocks and recorded the author's consent to be contacted without asking; after a 复查
answer the notice offered 复查 again instead of 复核. (Merged WeChat notices spending one window
slot each: ``tests/bot/channels/wechat/test_relay_wechat.py``.)"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from admin_cli.main import app
from dialogs.types import UserRef
from storage.models import Department
from storage.workflow import actions, citizen, service
from storage.workflow.clocks import DEFAULT
from tests.admin_cli.staff import admin, runner


def letter(*more: str) -> str:
    args = [
        "items",
        "new",
        "--channel",
        "phone",
        "--kind",
        "suggestion",
        "--name",
        "王五",
        "--phone",
        "13600001234",
        "--content",
        "路口没有红绿灯",
        "--request",
        "加装红绿灯",
        *more,
        "--json",
    ]
    return str(json.loads(admin(*args))["ticket"])


def test_a_question_to_a_caller_has_two_ways_out(database: str) -> None:
    ticket = letter("--contact", "yes")
    admin("items", "accept", ticket)
    asked = admin("items", "ask", ticket, "红绿灯装在哪个方向？")
    assert "群众没有关联聊天，请电话或书面告知" in asked and "items record-reply" in asked
    recorded = json.loads(
        admin("items", "record-reply", ticket, "--text", "东西方向", "--via", "电话", "--json")
    )
    assert recorded["status"] == "accepted"
    thread = json.loads(admin("items", "show", ticket, "--json"))["thread"]
    assert (thread[-1]["direction"], thread[-1]["text"]) == ("citizen", "东西方向")
    admin("items", "ask", ticket, "还有别的路口吗？")
    withdrawn = json.loads(admin("items", "withdraw", ticket, "--reason", "联系不上", "--json"))
    assert withdrawn["status"] == "accepted" and "不用再回复" in withdrawn["notice"]


def test_items_new_asks_about_consent_and_uses_the_offices_clocks(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = runner.invoke(
        app,
        [
            "items",
            "new",
            "--channel",
            "visit",
            "--kind",
            "suggestion",
            "--name",
            "王五",
            "--phone",
            "13600001234",
            "--content",
            "x",
            "--request",
            "y",
        ],
    )
    assert refused.exit_code == 2 and "--contact" in refused.output
    monkeypatch.setenv("MINYI_CLOCK_ACCEPT_DAYS", "7")
    ticket = letter("--contact", "no")
    row = json.loads(admin("items", "show", ticket, "--json"))
    created, due = (datetime.fromisoformat(row[k]) for k in ("created_at", "accept_due_at"))
    assert due - created == timedelta(days=7) and row["fields"]["contact_ok"] == "不可以"


async def test_after_a_review_answer_the_next_step_is_the_final_review(db: str) -> None:
    me = UserRef("web", "r")
    ticket = (await service.submit(me, "complaint", {"what": "噪音"}, "r", clocks=DEFAULT)).ticket
    await Department.create(name="区城管局")
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.assign(ticket, actor="王芳", clocks=DEFAULT, departments=["区城管局"])
    first = await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="已处理")
    assert first.review_level == 0
    assert (await citizen.request_review(me, ticket, clocks=DEFAULT)).level == 1
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="复查：维持")
    assert (await citizen.request_review(me, ticket, clocks=DEFAULT)).level == 2
    await actions.answer(ticket, actor="王芳", clocks=DEFAULT, text="复核：维持")
    from storage.models import Outbox

    texts = [r.text for r in await Outbox.filter(item__ticket=ticket, kind="answer").order_by("id")]
    assert f"复查 {ticket}" in texts[0] and f"复核 {ticket}" in texts[1]
    assert "不再受理复查复核申请" in texts[2] and "复查 " not in texts[2]
