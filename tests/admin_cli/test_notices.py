"""``minyi-admin notices list/retry`` on a SQLite file, through Typer's test runner."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from admin_cli.main import app
from storage.db import close_db, open_db
from storage.models import Outbox
from tests.notifier.fakes import citizen, item, notices

runner = CliRunner()


@pytest.fixture
def dbfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite://{tmp_path / 'minyi.db'}"
    monkeypatch.setenv("MINYI_DATABASE_URL", url)

    async def seed() -> None:
        await open_db(url, apply_migrations=True)
        try:
            owner = await citizen("telegram", "42")
            about = await item(owner)
            await notices(owner, about, ["accept"], status="failed")
            await notices(owner, about, ["report"], status="held")
            await notices(owner, about, ["instruct"], status="sent")
            await Outbox.filter(status="failed").update(last_error="unreachable: blocked", attempts=3)
        finally:
            await close_db()

    asyncio.run(seed())
    return url


def status_by_kind(url: str) -> dict[str, tuple[str, int]]:
    async def read() -> dict[str, tuple[str, int]]:
        await open_db(url, apply_migrations=False)
        try:
            return {r.kind: (r.status, r.attempts) for r in await Outbox.all()}
        finally:
            await close_db()

    return asyncio.run(read())


def test_list_filters_by_status_as_json_and_as_a_table(dbfile: str) -> None:
    result = runner.invoke(app, ["notices", "list", "--status", "failed", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert (row["kind"], row["ticket"], row["last_error"]) == (
        "accept",
        "JY-20261123-0001",
        "unreachable: blocked",
    )
    table = runner.invoke(app, ["notices", "list"])
    assert (
        table.exit_code == 0
        and "失败" in table.output
        and "暂存" in table.output
        and "已送达" in table.output
    )


def test_retry_one_and_all_failed(dbfile: str) -> None:
    held_id = json.loads(runner.invoke(app, ["notices", "list", "--status", "held", "--json"]).output)[0][
        "id"
    ]
    result = runner.invoke(app, ["notices", "retry", str(held_id), "--as", "王芳"])
    assert result.exit_code == 0 and "1 条" in result.output
    result = runner.invoke(app, ["--as", "王芳", "notices", "retry", "--all-failed"])
    assert result.exit_code == 0 and "1 条" in result.output
    assert status_by_kind(dbfile) == {
        "accept": ("pending", 0),
        "report": ("pending", 0),
        "instruct": ("sent", 0),
    }
    assert runner.invoke(app, ["notices", "retry", "--as", "王芳"]).exit_code == 2
