"""``minyi notifier`` as operators run it: starts, holds web notices, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise

from storage.config import Settings
from storage.db import open_db
from storage.models import Outbox
from tests.apps import Served, make_config
from tests.notifier.fakes import citizen, item, notices

ROOT = Path(__file__).resolve().parents[2]


async def test_minyi_notifier_holds_web_notices_and_stops_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'minyi.db'}"
    await open_db(url, apply_migrations=True)
    owner = await citizen("web", "w-1")
    rows = await notices(owner, await item(owner), ["accept"], at=datetime.now(UTC))
    await Tortoise.close_connections()
    env = {**os.environ, "MINYI_DATABASE_URL": url, "MINYI_QUIET_HOURS": "", "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "notifier", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdout is not None
    async with asyncio.timeout(30):
        while "通知中继已启动" not in (await proc.stdout.readline()).decode():
            pass
    await open_db(url, apply_migrations=False)
    try:
        async with asyncio.timeout(10):
            while (await Outbox.get(id=rows[0].id)).status != "held":
                await asyncio.sleep(0.05)
    finally:
        await Tortoise.close_connections()
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0 and "通知中继已停止" in out.decode()


@pytest.mark.usefixtures("db")
async def test_embedded_relay_runs_inside_the_service_and_stops_with_it(
    served: Served, tmp_path: Path
) -> None:
    settings = Settings(
        database_url="sqlite://:memory:",
        notifier_embedded=True,
        notifier_poll_seconds=0.05,
        quiet_hours="",
        media_dir=tmp_path,
        _env_file=None,
    )
    owner = await citizen("telegram", "t")  # no Telegram sender configured: held
    [row] = await notices(owner, await item(owner), ["accept"], at=datetime.now(UTC))
    client = await served.start(make_config(settings))
    async with asyncio.timeout(5):
        while (await Outbox.get(id=row.id)).status != "held":
            await asyncio.sleep(0.02)
    assert (await client.get("/metrics")).status == 200
    await client.close()
