"""Fixtures: the fake Bot API, settings pointing python-telegram-bot at it, and the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import create_app
from storage.config import Settings
from tests.bot.channels.telegram.fake_api import TOKEN, FakeBotApi

SECRET = "s3cret-Token_1"
FAST = "1000/second"  # the per-chat limit has its own tests; flows here should not wait 1 s a step
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def with_telegram(base: Settings, api_base: str, **changes: Any) -> Settings:
    """``base`` with the Telegram channel on, pointed at the fake Bot API at ``api_base``."""
    return base.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_secret": SecretStr(SECRET),
            "telegram_api_base": api_base,
            "telegram_rate_per_chat": FAST,
            **changes,
        }
    )


@pytest.fixture
async def fake_api(aiohttp_server: Callable[..., Any]) -> tuple[FakeBotApi, str]:
    fake = FakeBotApi()
    server: TestServer = await aiohttp_server(fake.app())
    return fake, str(server.make_url("/bot"))


@pytest.fixture
def fake(fake_api: tuple[FakeBotApi, str]) -> FakeBotApi:
    return fake_api[0]


@pytest.fixture
async def tg(
    db: str,
    settings: Settings,
    fake_api: tuple[FakeBotApi, str],
    aiohttp_client: Callable[..., Any],
) -> TestClient[Any, Any]:
    """The service with the Telegram channel on, talking to the fake Bot API."""
    app = create_app(with_telegram(settings, fake_api[1]), manage_db=False)
    client: TestClient[Any, Any] = await aiohttp_client(app)
    return client
