"""Fixtures for the WeChat channel: settings with a token and keys, the app, wechatpy as WeChat,
and the fake platform API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels.wechat.adapter import CHANNEL, WeChatChannel
from storage.config import Settings
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import AES_KEY, APPID, OLD_AES_KEY, TOKEN, WeChat


def wechat_settings(tmp_path: Any, api_base: str = "http://127.0.0.1:9", **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": "sqlite://:memory:",
        "media_dir": tmp_path / "media",
        "wechat_token": TOKEN,
        "wechat_aes_key": AES_KEY,
        "wechat_aes_key_previous": OLD_AES_KEY,
        "wechat_appid": APPID,
        "wechat_secret": "s3cret",
        "wechat_api_base": api_base,
        "wechat_api_timeout_s": 1.0,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@pytest.fixture
def fake_api() -> FakeWeChatAPI:
    return FakeWeChatAPI()


@pytest.fixture
async def api_server(fake_api: FakeWeChatAPI) -> Any:
    server = TestServer(fake_api.app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
async def wx_app(db: str, tmp_path: Any, api_server: TestServer) -> web.Application:
    return create_app(wechat_settings(tmp_path, str(api_server.make_url(""))), manage_db=False)


@pytest.fixture
async def wx_client(
    wx_app: web.Application, aiohttp_client: Callable[[web.Application], Any]
) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(wx_app)
    return result


def channel_of(client: TestClient[Any, Any]) -> WeChatChannel:
    app = client.server.app
    assert app is not None
    return app[CHANNEL]


@pytest.fixture(params=["aes", "plain", "compat"])
def wechat(request: pytest.FixtureRequest, wx_client: TestClient[Any, Any]) -> WeChat:
    """wechatpy as WeChat, in each of the three modes."""
    return WeChat(wx_client, request.param)


@pytest.fixture
def wechat_aes(wx_client: TestClient[Any, Any]) -> WeChat:
    return WeChat(wx_client, "aes")
