"""``minyi-admin items list/show`` through Typer's runner, on a SQLite file filled by the web chat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from admin_cli.main import app
from bot.services import build_pipeline
from dialogs import Inbound, UserRef
from storage.config import Settings
from tests.answers import COMPLAINT, SUGGESTION
from tests.runtime import run_with_db

runner = CliRunner()


@pytest.fixture
def filed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A database with one suggestion (web) and one complaint (console); returns their tickets."""
    url = f"sqlite://{tmp_path / 'admin.db'}"
    monkeypatch.setenv("MINYI_DATABASE_URL", url)
    settings = Settings(database_url=url, _env_file=None)

    async def file_items() -> dict[str, str]:
        from storage.backends import build_backends

        pipeline = build_pipeline(settings, build_backends(settings))
        tickets = {}
        for channel, answers in (("web", ["1", *SUGGESTION, "确认"]), ("console", ["2", *COMPLAINT, "确认"])):
            for n, text in enumerate(answers):
                inbound = Inbound(
                    UserRef(channel, "citizen-1"), f"{channel}{n}", datetime.now(UTC), text=text
                )
                replies = await pipeline.feed(inbound)
            tickets[channel] = replies[0].text.split("编号 ")[1][:16]
        return tickets

    return run_with_db(settings.database_url, file_items, migrate=True)


def test_list_json_has_the_contract_fields(filed: dict[str, str]) -> None:
    result = runner.invoke(app, ["items", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["ticket"] for r in rows} == set(filed.values())
    for row in rows:
        assert {"ticket", "kind", "status", "category", "title", "channel", "created_at"} <= row.keys()
    web = next(r for r in rows if r["channel"] == "web")
    assert web["kind"] == "suggestion" and web["status"] == "received" and web["category"] == "交通出行"
    assert web["citizen"]["phone"] == "139****5678"


def test_list_filters_by_kind_and_status(filed: dict[str, str]) -> None:
    rows = json.loads(runner.invoke(app, ["items", "list", "--kind", "complaint", "--json"]).output)
    assert [r["ticket"] for r in rows] == [filed["console"]]
    rows = json.loads(runner.invoke(app, ["items", "list", "--status", "accepted", "--json"]).output)
    assert rows == []
    bad = runner.invoke(app, ["items", "list", "--kind", "letter"])
    assert bad.exit_code == 2


def test_show_json_has_fields_events_thread_and_masks_phone(filed: dict[str, str]) -> None:
    result = runner.invoke(app, ["items", "show", filed["web"].lower(), "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)
    assert row["fields"]["measure"] == "建议加装遮雨棚" and row["fields"]["phone"] == "139****5678"
    assert [e["action"] for e in row["events"]] == ["submit"] and row["thread"] == []
    revealed = runner.invoke(app, ["items", "show", filed["web"], "--json", "--reveal", "--as", "王芳"])
    assert json.loads(revealed.output)["citizen"]["phone"] == "13912345678"
    who = runner.invoke(app, ["items", "show", filed["web"], "--json", "--reveal"], env={"MINYI_STAFF": ""})
    assert who.exit_code == 2  # a reveal says who asked


def test_rich_tables_for_people(filed: dict[str, str]) -> None:
    listing = runner.invoke(app, ["items", "list"], env={"COLUMNS": "200"})
    assert filed["web"] in listing.output and "139****5678" in listing.output
    shown = runner.invoke(app, ["items", "show", filed["console"]], env={"COLUMNS": "200"})
    assert "油烟直排" in shown.output and "办理记录" in shown.output and "13700001111" not in shown.output


def test_unknown_ticket_is_a_clear_error(filed: dict[str, str]) -> None:
    result = runner.invoke(app, ["items", "show", "JY-20990101-0001"])
    assert result.exit_code == 1 and "没有编号为 JY-20990101-0001 的事项" in result.output


def test_the_real_command_exits_and_does_not_hang(filed: dict[str, str]) -> None:
    """A forgotten close_connections hangs the process after its work (aiosqlite thread)."""
    cmd = [sys.executable, "-c", "from admin_cli.main import main; main()", "items", "list", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 2
