"""``minyi wechat check`` and ``minyi wechat menu push`` against the fake WeChat API."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestServer
from typer.testing import CliRunner

from bot.cli import app
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import AES_KEY, APPID, TOKEN

runner = CliRunner()


def env(api_server: TestServer, **more: str) -> dict[str, str]:
    values = {
        "MINYI_WECHAT_TOKEN": TOKEN,
        "MINYI_WECHAT_AES_KEY": AES_KEY,
        "MINYI_WECHAT_APPID": APPID,
        "MINYI_WECHAT_SECRET": "s3cret",
        "MINYI_WECHAT_API_BASE": str(api_server.make_url("")),
        "MINYI_REDIS_URL": "",
    }
    values.update(more)
    return values


async def invoke(args: list[str], environment: dict[str, str]) -> Any:
    return await asyncio.to_thread(runner.invoke, app, args, env=environment)


async def test_check_passes_with_a_good_configuration(api_server: TestServer) -> None:
    result = await invoke(["wechat", "check"], env(api_server))
    assert result.exit_code == 0, result.output
    assert "access_token" in result.output and "配置正确" in result.output
    assert "安全模式（只接受加密消息）" in result.output


async def test_check_names_the_encryption_mode(api_server: TestServer) -> None:
    plain = await invoke(["wechat", "check"], env(api_server, MINYI_WECHAT_AES_KEY=""))
    assert "明文模式" in plain.output
    compatible = await invoke(["wechat", "check"], env(api_server, MINYI_WECHAT_COMPATIBLE_MODE="true"))
    assert compatible.exit_code == 0 and "兼容模式" in compatible.output


async def test_check_says_what_is_wrong(api_server: TestServer) -> None:
    result = await invoke(["wechat", "check"], env(api_server, MINYI_WECHAT_AES_KEY="short"))
    assert result.exit_code == 1 and "应为 43 个字符" in result.output
    result = await invoke(["wechat", "check"], env(api_server, MINYI_WECHAT_TOKEN="bad token!"))
    assert result.exit_code == 1 and "3–32" in result.output
    result = await invoke(["wechat", "check"], env(api_server, MINYI_WECHAT_SECRET="wrong"))
    assert result.exit_code == 1 and "AppSecret" in result.output
    result = await invoke(["wechat", "check"], env(api_server, MINYI_WECHAT_API_BASE="http://127.0.0.1:9"))
    assert result.exit_code == 1 and "不可用" in result.output


async def test_menu_push_creates_the_menu(api_server: TestServer, fake_api: FakeWeChatAPI) -> None:
    result = await invoke(["wechat", "menu", "push"], env(api_server))
    assert result.exit_code == 0, result.output
    menu = fake_api.calls["/cgi-bin/menu/create"][0]["body"]
    names = [b["name"] for b in menu["button"]]
    assert names[:2] == ["提建议", "投诉"]
    keys = {b["key"] for b in menu["button"][2]["sub_button"]}
    assert keys == {"MINYI_STATUS", "MINYI_HELP"}
    fake_api.errors["/cgi-bin/menu/create"] = [48001]
    result = await invoke(["wechat", "menu", "push"], env(api_server))
    assert result.exit_code == 1 and "菜单创建失败" in result.output
