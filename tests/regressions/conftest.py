"""The platform fakes for regression tests (the channels' own conftests are not in scope here)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from tests.admin_cli.staff import database_fixture
from tests.bot.channels.telegram.fake_api import FakeBotApi
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI


@pytest.fixture
async def bot_api(aiohttp_server: Callable[..., Any]) -> tuple[FakeBotApi, str]:
    """The fake Bot API and the base URL python-telegram-bot is pointed at."""
    fake = FakeBotApi()
    server: TestServer = await aiohttp_server(fake.app())
    return fake, str(server.make_url("/bot"))


@pytest.fixture
async def wechat_api() -> AsyncIterator[tuple[FakeWeChatAPI, str]]:
    """The fake WeChat API and its base URL."""
    fake = FakeWeChatAPI()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url(""))
    await server.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``MINYI_DATABASE_URL`` for ``minyi-admin``: a fresh SQLite file, then an emptied PostgreSQL."""
    yield from database_fixture(request, tmp_path, monkeypatch)
