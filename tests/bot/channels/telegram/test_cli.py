"""The commands: items filed on Telegram show in ``minyi-admin items list --json``;
``minyi telegram set-webhook`` registers the secret and the allowed updates."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from admin_cli.main import app as admin_app
from bot.cli import app as minyi_app
from bot.root import database
from storage.config import Settings
from tests.apps import service_app
from tests.bot.channels.telegram import updates as U
from tests.bot.channels.telegram.conftest import HEADERS, SECRET, with_telegram
from tests.bot.channels.telegram.fake_api import TOKEN, FakeBotApi

CAROL = 31337
COMPLAINT = ["2", "楼下饭店油烟直排", "本周每天晚上，幸福路12号", "责令整改", "王五"]


async def file_a_complaint(url: str) -> None:
    fake = FakeBotApi()
    async with TestServer(fake.app()) as api:
        base = Settings(database_url=url, _env_file=None)
        config = with_telegram(base, str(api.make_url("/bot")))
        async with (
            database(config, migrate=True),
            service_app(config) as (app, _),
            TestClient(TestServer(app)) as client,
        ):
            for update in [U.text(CAROL, t) for t in COMPLAINT] + [
                U.contact(CAROL, "13700001111", owner=CAROL)
            ]:
                resp = await client.post("/telegram", json=update, headers=HEADERS)
                assert resp.status == 200
            tap = U.callback(CAROL, fake.button(CAROL, "确认"))
            assert (await client.post("/telegram", json=tap, headers=HEADERS)).status == 200
            poison = U.text(CAROL, "你好")
            del poison["message"]["from"]["is_bot"]
            assert (await client.post("/telegram", json=poison, headers=HEADERS)).status == 200
    assert "TS-" in fake.texts(CAROL)[-1]


def test_items_from_telegram_are_listed_by_the_staff_tool(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'minyi.db'}"
    asyncio.run(file_a_complaint(url))
    letters = CliRunner().invoke(minyi_app, ["telegram", "dead-letters"], env={"MINYI_DATABASE_URL": url})
    assert letters.exit_code == 0 and "#1 " in letters.output and "is_bot" in letters.output
    result = CliRunner().invoke(
        admin_app, ["items", "list", "--json", "--channel", "telegram"], env={"MINYI_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 1 and rows[0]["channel"] == "telegram" and rows[0]["kind"] == "complaint"
    assert rows[0]["ticket"].startswith("TS-")


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 in a thread of its own (the command under test runs its own loop)."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(runner.addresses[0][1])
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield f"http://127.0.0.1:{port[0]}/bot"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_set_webhook_sends_the_secret_and_the_allowed_updates() -> None:
    fake = FakeBotApi()
    with serving(fake.app()) as base:
        env: dict[str, Any] = {
            "MINYI_TELEGRAM_TOKEN": TOKEN,
            "MINYI_TELEGRAM_SECRET": SECRET,
            "MINYI_TELEGRAM_API_BASE": base,
        }
        result = CliRunner().invoke(
            minyi_app, ["telegram", "set-webhook", "https://x.example/telegram"], env=env
        )
    assert result.exit_code == 0, result.output
    (call,) = [c for c in fake.calls if c.method == "setWebhook"]
    assert call.params["url"] == "https://x.example/telegram"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query", "my_chat_member"]


def test_set_webhook_without_a_secret_refuses() -> None:
    env = {
        "MINYI_TELEGRAM_TOKEN": TOKEN,
        "MINYI_TELEGRAM_SECRET": "",
        "MINYI_TELEGRAM_API_BASE": "http://127.0.0.1:9/bot",  # never the real Bot API
    }
    result = CliRunner().invoke(minyi_app, ["telegram", "set-webhook", "https://x.example/telegram"], env=env)
    assert result.exit_code == 2
