"""``minyi-admin items golden`` and ``golden list`` (Typer's runner, SQLite and PostgreSQL): only an
adopted suggestion, the author told once in warm words, the list by year in a table and in JSON."""

from __future__ import annotations

import json

import typer

from admin_cli import golden
from storage.workflow.golden import golden_notice
from tests.admin_cli.staff import Citizen, admin, look, runner
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU


def cli() -> typer.Typer:
    """The two commands on an app of their own (``admin_cli/main.py`` adds them to the real one)."""
    app, items = typer.Typer(), typer.Typer()
    app.add_typer(items, name="items")
    golden.register(items, app)
    return app


def test_golden_marks_an_adopted_suggestion_and_lists_it(database: str) -> None:
    app = cli()
    me = Citizen(database, "g1")
    ticket = me.files(SUGGESTION_FROM_MENU)
    complaint = Citizen(database, "g2").files(COMPLAINT_FROM_MENU)
    admin("departments", "add", "市交通委")
    admin("items", "accept", ticket)
    early = runner.invoke(app, ["items", "golden", ticket, "--year", "2026", "--note", "优秀建议奖"])
    assert early.exit_code == 1 and "不能执行“评为金点子”" in early.output
    admin("items", "assign", ticket, "--dept", "市交通委")
    admin("items", "adopt", ticket, "--note", "纳入年度站台改造")
    empty = runner.invoke(app, ["items", "golden", ticket, "--year", "2026", "--note", " "])
    assert empty.exit_code == 1 and "不能为空" in empty.output
    done = runner.invoke(app, ["items", "golden", ticket.lower(), "--year", "2026", "--note", "优秀建议奖"])
    assert done.exit_code == 0, done.output
    assert f"✓ {ticket}" in done.output and "将通知群众" in done.output and "金点子" in done.output
    status, notices = look(database, ticket)
    assert status == "adopted" and notices[-1] == ("golden", golden_notice(ticket, 2026, "优秀建议奖"))
    assert golden_notice(ticket, 2026, "优秀建议奖") in me.poll()[-1]
    refused = runner.invoke(app, ["items", "golden", complaint, "--year", "2026", "--note", "好"])
    assert refused.exit_code == 1
    table = runner.invoke(app, ["golden", "list", "--year", "2026"])
    assert table.exit_code == 0 and "2026 年度金点子（1 件）" in table.output and "优秀建议奖" in table.output
    rows = json.loads(runner.invoke(app, ["golden", "list", "--year", "2026", "--json"]).output)
    assert [(r["ticket"], r["year"], r["note"], r["departments"]) for r in rows] == [
        (ticket, 2026, "优秀建议奖", ["市交通委"])
    ]
    assert json.loads(runner.invoke(app, ["golden", "list", "--year", "2025", "--json"]).output) == []
    as_json = runner.invoke(app, ["items", "golden", ticket, "--year", "2025", "--note", "再评", "--json"])
    assert json.loads(as_json.output)["status"] == "adopted"
    assert [r["year"] for r in json.loads(runner.invoke(app, ["golden", "list", "--json"]).output)] == [2025]
