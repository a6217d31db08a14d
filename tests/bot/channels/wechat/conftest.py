"""Fixtures for the WeChat channel: settings with a token and keys, the app, wechatpy as WeChat,
and the fake platform API."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.wechat.adapter import CHANNEL, WeChatChannel
from bot.channels.wechat.settings import WeChatSettings
from bot.root import Config
from storage.config import Settings
from tests.apps import Served, make_config
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import AES_KEY, APPID, OLD_AES_KEY, TOKEN, WeChat


def wechat_config(
    tmp_path: Any, api_base: str = "http://127.0.0.1:9", core: dict[str, Any] | None = None, **wechat: Any
) -> Config:
    """The service with the WeChat channel on (safe mode keys, the fake API at ``api_base``)."""
    values: dict[str, Any] = {
        "token": TOKEN,
        "aes_key": AES_KEY,
        "aes_key_previous": OLD_AES_KEY,
        "appid": APPID,
        "secret": "s3cret",
        "api_base": api_base,
        "api_timeout_s": 1.0,
    }
    values.update(wechat)
    base = {"database_url": "sqlite://:memory:", "media_dir": tmp_path / "media", "quiet_hours": ""}
    return make_config(
        Settings(_env_file=None, **{**base, **(core or {})}),
        wechat=WeChatSettings(_env_file=None, **values),  # type: ignore[call-arg]
    )


@pytest.fixture
def fake_api() -> FakeWeChatAPI:
    return FakeWeChatAPI()


@pytest.fixture
async def api_server(fake_api: FakeWeChatAPI) -> Any:
    server = TestServer(fake_api.app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


# How the account is configured for each mode WeChat pushes in: plaintext (明文) has no AES key,
# compatible (兼容) has one and MINYI_WECHAT_COMPATIBLE_MODE, safe (安全) has the key only.
MODE_SETTINGS: dict[str, dict[str, Any]] = {
    "plain": {"aes_key": None, "aes_key_previous": None},
    "compat": {"compatible_mode": True},
    "aes": {},
}


def _mode(request: pytest.FixtureRequest) -> str:
    """The ``wechat`` fixture's mode when the test is parametrized by it, else safe mode."""
    callspec = getattr(request.node, "callspec", None)
    return str(callspec.params.get("wechat", "aes")) if callspec is not None else "aes"


@pytest.fixture
async def wx_client(
    db: str, tmp_path: Any, api_server: TestServer, served: Served, request: pytest.FixtureRequest
) -> TestClient[Any, Any]:
    """The service configured for the mode under test (safe mode unless ``wechat`` says otherwise)."""
    extra = MODE_SETTINGS[_mode(request)]
    return await served.start(wechat_config(tmp_path, str(api_server.make_url("")), **extra))


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
