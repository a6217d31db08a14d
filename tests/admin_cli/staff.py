"""Helpers for the staff-tool tests: a database (SQLite file or PostgreSQL) behind ``MINYI_DATABASE_URL``,
a citizen talking through the real pipeline, and ``admin(...)`` running ``minyi-admin``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from typer.testing import CliRunner

from admin_cli.main import app
from bot.services import build_pipeline
from dialogs import Inbound, UserRef
from notifier import held
from storage.backends import build_backends
from storage.config import Settings
from storage.db import migrate
from storage.models import Item, Outbox
from tests.runtime import run_with_db
from tests.services import PG_URL, require

runner = CliRunner()


def database_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    EXECUTOR_CACHE.clear()  # SQL cached per table, not per dialect: see tests/conftest.py
    if request.param == "postgres":
        require(PG_URL, "PostgreSQL")
        from tests.conftest import _reset_pg_schema, _truncate_all

        _reset_pg_schema()
        url = PG_URL
        run_with_db(url, _truncate_all, migrate=False)
    else:
        url = f"sqlite://{tmp_path / 'loop.db'}"
        asyncio.run(migrate(url))
    monkeypatch.setenv("MINYI_DATABASE_URL", url)
    monkeypatch.setenv("MINYI_STAFF", "王芳")
    yield url


class Citizen:
    """One citizen in the web chat, each message through the real pipeline."""

    def __init__(self, url: str, user: str) -> None:
        self.settings = Settings(database_url=url, _env_file=None)
        self.user = UserRef("web", user)
        self.n = 0

    def say(self, *texts: str) -> list[str]:
        async def work() -> list[str]:
            pipeline = build_pipeline(self.settings, build_backends(self.settings))
            replies: list[str] = []
            for text in texts:
                self.n += 1
                inbound = Inbound(self.user, f"m{self.n}", datetime.now(UTC), text=text)
                replies = [r.text for r in await pipeline.feed(inbound)]
            return replies

        return run_with_db(self.settings.database_url, work, migrate=False)

    def poll(self) -> list[str]:
        """What the web page's 15-second poll shows now (the notices that reached the citizen)."""

        async def work() -> list[str]:
            return await held.poll(self.user, datetime.now(UTC))

        return run_with_db(self.settings.database_url, work, migrate=False)

    def files(self, answers: list[str]) -> str:
        return self.say(*answers, "确认")[-1].split("编号 ")[1][:16]


def admin(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def look(url: str, ticket: str) -> tuple[str, list[tuple[str, str]]]:
    async def work() -> tuple[str, list[tuple[str, str]]]:
        item = await Item.get(ticket=ticket)
        rows = await Outbox.filter(item_id=item.id).order_by("id")
        return item.status, [(r.kind, r.text) for r in rows]

    return run_with_db(url, work, migrate=False)
