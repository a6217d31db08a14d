"""Issue 9 §7: an anonymous suggestion showed a real name to staff — ``items list/show`` printed the
name the same person gave later on a complaint, while ``export`` said 匿名 — and ``--json`` printed
the full phone of letter/phone/visit items without ``--reveal``. Anonymity is the item's own, and
no full phone leaves ``minyi-admin`` unless revealed (and that is recorded)."""

from __future__ import annotations

import json
from pathlib import Path

from admin_cli.main import app
from storage.models import StaffEvent
from tests.admin_cli.staff import Citizen, admin, runner
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU
from tests.runtime import run_with_db

_NAME = SUGGESTION_FROM_MENU.index("李四")
ANONYMOUS = [*SUGGESTION_FROM_MENU[:_NAME], "匿名", *SUGGESTION_FROM_MENU[_NAME + 1 :]]


def test_the_same_anonymity_and_masked_phones_in_every_output(database: str, tmp_path: Path) -> None:
    me = Citizen(database, "a1")
    suggestion = me.files(ANONYMOUS)
    me.files(COMPLAINT_FROM_MENU)  # named: 王五, 13700001111
    admin("items", "accept", suggestion)
    admin("items", "report", suggestion)
    letter = json.loads(
        admin(
            "items",
            "new",
            "--channel",
            "letter",
            "--kind",
            "complaint",
            "--name",
            "赵六",
            "--phone",
            "13600001234",
            "--content",
            "来信",
            "--request",
            "处理",
            "--json",
        )
    )["ticket"]
    listed = {r["ticket"]: r for r in json.loads(admin("items", "list", "--json"))}
    assert listed[suggestion]["citizen"]["name"] == "匿名" and listed[suggestion]["citizen"]["anonymous"]
    shown = admin("items", "show", suggestion, "--json")
    assert "王五" not in shown and "13912345678" not in shown
    assert "王五" not in admin("items", "show", suggestion) and "匿名" in admin("items", "list")
    assert "13600001234" not in admin("items", "show", letter, "--json") + admin("items", "list", "--json")
    assert "13600001234" not in admin("export", "--format", "csv")
    out = tmp_path / "digest.md"
    digest = runner.invoke(
        app, ["digest", "--since", "2020-01-01", "--until", "2099-01-01", "--out", str(out)]
    )
    assert digest.exit_code == 0 and "作者：匿名" in out.read_text(encoding="utf-8")
    revealed = admin("--as", "李主任", "items", "show", letter, "--json", "--reveal")
    assert "13600001234" in revealed

    async def audited() -> list[tuple[str, str, str]]:
        return [(e.actor, e.action, e.subject) for e in await StaffEvent.all()]

    assert run_with_db(database, audited, migrate=False) == [("李主任", "reveal", f"items show: {letter}")]
