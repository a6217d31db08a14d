"""Fixtures: the fake Bot API, settings pointing python-telegram-bot at it, and the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram.settings import TelegramSettings
from bot.root import Config
from storage.config import Settings
from tests.apps import Served, make_config
from tests.bot.channels.telegram.fake_api import TOKEN, FakeBotApi

SECRET = "s3cret-Token_1"
FAST = "1000/second"  # the per-chat limit has its own tests; flows here should not wait 1 s a step
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def with_telegram(base: Settings, api_base: str, **core: Any) -> Config:
    """``base`` (changed by ``core``) with the Telegram channel on, at the fake Bot API."""
    telegram = TelegramSettings(
        _env_file=None,  # type: ignore[call-arg]
        token=TOKEN,
        secret=SECRET,
        api_base=api_base,
        rate_per_chat=FAST,
    )
    return make_config(base.model_copy(update=core), telegram=telegram)


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
    db: str, settings: Settings, fake_api: tuple[FakeBotApi, str], served: Served
) -> TestClient[Any, Any]:
    """The service with the Telegram channel on, talking to the fake Bot API."""
    return await served.start(with_telegram(settings, fake_api[1]))
