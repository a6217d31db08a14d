"""The whole loop, driven by ``minyi-admin`` (Typer's runner) and the chat together, on SQLite and
PostgreSQL: every citizen-facing staff step leaves exactly one outbox notice with the right text,
and the citizen answers a question only once it reached them (here: the web page's poll)."""

from __future__ import annotations

import json
from typing import Any

from admin_cli.main import app
from dialogs import notices as notice_texts
from dialogs import texts
from tests.admin_cli.staff import Citizen, admin, look, runner
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU


def test_the_suggestion_loop(database: str) -> None:
    me = Citizen(database, "s1")
    ticket = me.files(SUGGESTION_FROM_MENU)
    admin("departments", "add", "市交通委")
    admin("items", "accept", ticket)
    admin("items", "ask", ticket, "遮雨棚建在站台哪一侧合适？")
    assert look(database, ticket)[0] == "consulting"
    assert "遮雨棚建在站台哪一侧合适" in me.poll()[-1]
    reply = me.say("北侧，人行道宽")
    assert reply == [texts.THREAD_SAVED.format(ticket=ticket)]
    assert look(database, ticket)[0] == "accepted"
    admin("items", "report", ticket)
    admin("items", "instruct", ticket, "--note", "请交通委研究落实")
    admin("items", "assign", ticket, "--dept", "市交通委")
    admin("items", "adopt", ticket, "--note", "纳入年度站台改造", "--conversion", "工作计划")
    admin("items", "implement", ticket, "--result", "幸福路站已加装遮雨棚")
    assert notice_texts.SATISFACTION_QUESTION in me.poll()[-1]
    rated = me.say("满意")
    assert texts.RATED[1].format(ticket=ticket) in rated and rated[-1] == texts.ASK_COMMENT
    assert look(database, ticket)[0] == "closed"
    admin("items", "showcase", ticket)
    admin("items", "reward", ticket, "--note", "优秀建议奖")
    _, notices = look(database, ticket)
    kinds = [k for k, _ in notices]
    assert kinds == [
        "received",
        "accept",
        "ask",
        "report",
        "instruct",
        "assign",
        "adopt",
        "implement",
        "showcase",
        "reward",
    ]
    sent = dict(notices)
    assert "已受理" in sent["accept"] and "遮雨棚建在站台哪一侧合适？" in sent["ask"]
    assert "请交通委研究落实" in sent["instruct"] and "市交通委" in sent["assign"]
    assert notice_texts.SATISFACTION_QUESTION in sent["implement"] and "优秀建议奖" in sent["reward"]
    shown = admin("items", "show", ticket, "--json")
    assert '"北侧，人行道宽"' in shown and '"departments": [\n    "市交通委"\n  ]' in shown


def test_the_complaint_loop_with_redo_and_review(database: str) -> None:
    me = Citizen(database, "c1")
    ticket = me.files(COMPLAINT_FROM_MENU)
    admin("departments", "add", "区城管局")
    admin("departments", "add", "区市场监管局")
    admin("items", "accept", ticket)
    admin("items", "assign", ticket, "--dept", "区城管局", "--dept", "区市场监管局", "--lead", "区城管局")
    admin("items", "extend", ticket, "--days", "15", "--reason", "需要联合检测油烟")
    admin("items", "answer", ticket, "--text", "已责令饭店安装油烟净化器")
    before = me.say("3")  # typed from the menu before the answer reached the page: 查进度
    assert "已责令饭店安装油烟净化器" in before[0] and "您提交的事项" in before[-1]
    assert look(database, ticket)[0] == "answered"
    sent_back = me.say("不满意")
    assert any("退回承办单位重新办理（第 1 次）" in r for r in sent_back)
    assert look(database, ticket)[0] == "assigned"
    me.say("跳过")
    admin("items", "answer", ticket, "--text", "净化器已安装并复测达标")
    me.poll()
    me.say("满意", "跳过")
    assert look(database, ticket)[0] == "closed"
    review = me.say(f"复查 {ticket}")
    assert "复查申请" in review[-1]
    status, notices = look(database, ticket)
    assert status == "accepted"
    assert [k for k, _ in notices] == ["received", "accept", "assign", "extend", "answer", "answer"]
    assert "需要联合检测油烟" in dict(notices)["extend"] and f"复查 {ticket}" in notices[-1][1]


def test_illegal_transition_is_refused_and_changes_nothing(database: str) -> None:
    ticket = Citizen(database, "x").files(COMPLAINT_FROM_MENU)
    result = runner.invoke(app, ["items", "report", ticket])
    assert result.exit_code == 1 and "投诉不能执行“报送”" in result.output
    result = runner.invoke(app, ["items", "answer", ticket, "--text", "好"])
    assert result.exit_code == 1 and "当前状态“待受理”不能执行“答复”" in result.output
    assert look(database, ticket) == ("received", [look(database, ticket)[1][0]])
    assert runner.invoke(app, ["items", "accept", ticket], env={"MINYI_STAFF": ""}).exit_code == 2


def test_a_letter_reaches_a_chat_only_when_staff_link_it(database: str) -> None:
    me = Citizen(database, "c9")
    chat_ticket = me.files(COMPLAINT_FROM_MENU)  # typed 13700001111: that proves nothing
    out = admin(
        "items", "new", "--channel", "letter", "--kind", "complaint", "--name", "王五",
        "--phone", "137 0000 1111", "--content", "来信反映噪音", "--request", "停止夜间施工", "--json",
    )  # fmt: skip
    letter: dict[str, Any] = json.loads(out)
    assert letter["linked_chat"] is None
    admin("items", "accept", letter["ticket"])
    assert me.poll() == [] and letter["ticket"] not in me.say("3")[-1]
    linked = json.loads(admin("items", "link", letter["ticket"], "--to", chat_ticket, "--json"))
    assert "已关联到这里" in linked["notice"]
    shown = me.poll()  # what waited for the letter's author now reaches their chat, in order
    assert "已收到" in shown[0] and "已受理" in shown[1] and "已关联到这里" in shown[2]
    assert letter["ticket"] in me.say("3")[-1]
    row = json.loads(admin("items", "show", letter["ticket"], "--json"))
    assert row["citizen"]["chat"] == "web" and (row["events"][-1]["action"], row["events"][-1]["actor"]) == (
        "link",
        "王芳",
    )
