"""``minyi-admin overdue | stats | digest | export | departments | campaigns`` as staff use them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from admin_cli.main import app
from tests.admin_cli.staff import Citizen, admin, runner
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU


def test_digest_stats_export(database: str, tmp_path: Path) -> None:
    me = Citizen(database, "r1")
    suggestion = me.files(SUGGESTION_FROM_MENU)
    complaint = me.files(COMPLAINT_FROM_MENU)
    admin("items", "accept", suggestion)
    admin("items", "report", suggestion)
    out = tmp_path / "digest.md"
    printed = admin("digest", "--since", "2000-01-01", "--until", "2099-12-31", "--out", str(out))
    assert str(out.resolve()) in printed.replace("\n", "")
    text = out.read_text(encoding="utf-8")
    assert (
        "## 交通出行" in text
        and "- 问题：公交站没有遮雨棚，下雨天等车全身湿透" in text
        and "作者同意联系" in text
    )
    page = tmp_path / "digest.html"
    admin("digest", "--since", "2000-01-01", "--until", "2099-12-31", "--format", "html", "--out", str(page))
    assert "<h2>交通出行</h2>" in page.read_text(encoding="utf-8")
    figures = json.loads(admin("stats", "--by", "channel", "--json"))
    assert figures["total"]["count"] == 2 and figures["groups"]["web"]["by_state"] == {
        "received": 1,
        "reported": 1,
    }
    rows = list(csv.DictReader(io.StringIO(admin("export", "--format", "csv"))))
    assert {r["ticket"] for r in rows} == {suggestion, complaint}
    assert all(r["citizen_phone"] == "139****5678" for r in rows if r["ticket"] == suggestion)
    assert runner.invoke(app, ["export", "--format", "xlsx"]).exit_code == 2


def test_overdue_lists_by_department(database: str) -> None:
    ticket = Citizen(database, "r2").files(COMPLAINT_FROM_MENU)
    rows = json.loads(admin("overdue", "--within", "15", "--json"))
    assert [(r["ticket"], r["clock"], r["overdue"]) for r in rows] == [(ticket, "accept", False)]
    assert json.loads(admin("overdue", "--json")) == []  # 15 days left: not near yet


def test_departments_and_campaigns(database: str) -> None:
    admin("departments", "add", "市交通委")
    dup = runner.invoke(app, ["departments", "add", "市交通委"])
    assert dup.exit_code == 1 and "已经存在" in dup.output
    assert json.loads(admin("departments", "list", "--json")) == [{"id": 1, "name": "市交通委"}]
    admin("campaigns", "add", "--topic", "老旧小区加装电梯", "--starts", "2026-01-01", "--ends", "2099-12-31")
    bad = runner.invoke(
        app, ["campaigns", "add", "--topic", "x", "--starts", "2026-02-01", "--ends", "2026-01-01"]
    )
    assert bad.exit_code == 1 and "结束日期不能早于开始日期" in bad.output
    (campaign,) = json.loads(admin("campaigns", "list", "--json"))
    assert campaign["open"] and campaign["topic"] == "老旧小区加装电梯"
    me = Citizen(database, "r3")
    offered = me.say("1")
    assert "1 老旧小区加装电梯" in offered[-1]
    me.say("1", *SUGGESTION_FROM_MENU[1:], "确认")
    assert json.loads(admin("campaigns", "list", "--json"))[0]["items"] == 1
    admin("campaigns", "close", str(campaign["id"]))
    assert "专项征集" not in Citizen(database, "r4").say("1")[-1]
