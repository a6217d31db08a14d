"""Issue 9 §11, what a newcomer met in the staff tool and the service: ``--as`` before the command
failed in English and ``departments add``/``campaigns add`` refused it; ``items list --status
bogus`` was an empty table with exit 0; ``items show`` offered ``staff_reply`` and a second
``extend``; English state codes in ``overdue``, ``stats`` and refusals; ``stats`` printed "—" for
0.0; ``minyi-admin`` in another folder made an empty ``minyi.db`` there; a second ``minyi serve``
on a busy port printed "已启动" and a 74-line traceback. (The chat's: 取消 at the campaign
question, an empty draft offered back, the paste, the double tap, the buttons and the end of a
long question — ``tests/dialogs/test_turns.py`` and ``tests/bot/channels/test_web_browser.py``.)"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from storage.workflow.vocabulary import STATES
from tests.admin_cli.staff import Citizen, admin
from tests.answers import COMPLAINT_FROM_MENU

MAIN = ["-c", "from admin_cli.main import main; main()"]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``minyi-admin ARGS`` (or ``minyi``) as a newcomer types it, in ``cwd``."""
    command = MAIN if args[0] != "minyi" else ["-c", "from bot.cli import main; main()"]
    rest = args if args[0] != "minyi" else args[1:]
    return subprocess.run(
        [sys.executable, *command, *rest],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", **env},
    )


def test_as_before_the_command_and_on_every_command(database: str, tmp_path: Path) -> None:
    ticket = Citizen(database, "n1").files(COMPLAINT_FROM_MENU)
    env = {"MINYI_DATABASE_URL": database}
    accepted = run(["--as", "王芳", "items", "accept", ticket, "--json"], tmp_path, **env)
    assert accepted.returncode == 0 and json.loads(accepted.stdout)["status"] == "accepted"
    assert run(["--as", "王芳", "departments", "add", "区城管局"], tmp_path, **env).returncode == 0
    added = run(
        [
            "campaigns",
            "add",
            "--topic",
            "口袋公园",
            "--starts",
            "2026-12-01",
            "--ends",
            "2026-12-31",
            "--as",
            "王芳",
        ],
        tmp_path,
        **env,
    )
    assert added.returncode == 0
    events = json.loads(admin("items", "show", ticket, "--json"))["events"]
    assert events[-1]["actor"] == "王芳"


def test_mistakes_are_told_in_chinese(database: str, tmp_path: Path) -> None:
    env = {"MINYI_DATABASE_URL": database, "MINYI_STAFF": "王芳"}
    bogus = run(["items", "list", "--status", "bogus"], tmp_path, **env)
    assert bogus.returncode == 2 and "没有“bogus”这个状态" in bogus.stderr and "待受理" in bogus.stderr
    assert run(["items", "list", "--status", "待受理"], tmp_path, **env).returncode == 0
    for args, said in (
        (["itmes"], "没有 itmes 这个命令"),
        (["items", "accept"], "缺少参数"),
        (["items", "accept", "JY-1", "--foo"], "没有 --foo 这个选项"),
    ):
        wrong = run(args, tmp_path, **env)
        assert wrong.returncode == 2 and said in wrong.stderr and "Error" not in wrong.stderr + wrong.stdout


def test_states_are_named_and_next_actions_are_commands(database: str, tmp_path: Path) -> None:
    ticket = Citizen(database, "n2").files(COMPLAINT_FROM_MENU)
    admin("departments", "add", "区城管局")
    for args in (["accept"], ["assign", "--dept", "区城管局"], ["extend", "--days", "5", "--reason", "检测"]):
        admin("items", args[0], ticket, *args[1:])
    show = run(["items", "show", ticket], tmp_path, MINYI_DATABASE_URL=database).stdout
    actions = next(line for line in show.splitlines() if "可执行操作" in line)
    assert "reply（工作人员留言）" in actions and "staff_reply" not in actions and "extend" not in actions
    refused = run(["items", "report", ticket], tmp_path, MINYI_DATABASE_URL=database, MINYI_STAFF="王芳")
    assert refused.returncode == 1 and "投诉不能执行“报送”" in refused.stderr
    overdue = run(["overdue", "--within", "90"], tmp_path, MINYI_DATABASE_URL=database).stdout
    stats = run(["stats"], tmp_path, MINYI_DATABASE_URL=database).stdout
    for text in (show, overdue, stats):
        assert not any(f" {code} " in f" {text} " or f"{code}:" in text for code in STATES), text
    assert "已交办" in overdue and "已交办:1" in stats


def test_a_zero_rate_is_zero_percent(database: str) -> None:
    me = Citizen(database, "n3")
    ticket = me.files(COMPLAINT_FROM_MENU)
    admin("departments", "add", "区城管局")
    for args in (["accept"], ["assign", "--dept", "区城管局"], ["answer", "--text", "已处理"]):
        admin("items", args[0], ticket, *args[1:])
    me.poll()
    me.say("不满意", "跳过")
    admin("items", "answer", ticket, "--text", "再处理")
    me.poll()
    me.say("不满意")
    stats = json.loads(admin("stats", "--json"))["total"]
    assert stats["satisfied_rate"] in (None, 0.0)
    table = admin("stats")
    assert "0%" in table or stats["satisfied_rate"] is None


def test_another_folder_does_not_get_an_empty_database(tmp_path: Path) -> None:
    elsewhere = run(["items", "list"], tmp_path)
    assert elsewhere.returncode == 1 and "没有找到数据库文件" in elsewhere.stderr
    assert not (tmp_path / "minyi.db").exists()


def test_a_second_serve_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        second = run(
            ["minyi", "serve"], tmp_path, MINYI_PORT=port, MINYI_DATABASE_URL=f"sqlite://{tmp_path}/m.db"
        )
    assert second.returncode == 1 and "端口已被占用" in second.stderr
    assert "已启动" not in second.stdout and len(second.stderr.strip().splitlines()) == 1


@pytest.fixture(autouse=True)
def _staff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINYI_STAFF", "王芳")
