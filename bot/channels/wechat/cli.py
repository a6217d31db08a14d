"""``minyi wechat``: push the custom menu, check the configuration."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import typer
from pydantic import ValidationError

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.token import MemoryTokenStore, RedisTokenStore, TokenStore
from dialogs import texts
from storage.backends import redis_client
from storage.config import Settings
from storage.errors import MinyiError

app = typer.Typer(help="微信公众号：自定义菜单与配置检查。", no_args_is_help=True)
menu_app = typer.Typer(help="自定义菜单。", no_args_is_help=True)
app.add_typer(menu_app, name="menu")

TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9]{3,32}$")
APPID_FORMAT = re.compile(r"^wx[0-9a-f]{16}$")


def menu() -> dict[str, Any]:
    """The custom menu; its CLICK keys are the ones ``parse.MENU_KEYS`` understands."""

    def click(name: str, key: str) -> dict[str, str]:
        return {"type": "click", "name": name, "key": key}

    return {
        "button": [
            click(texts.WECHAT_MENU_SUGGEST, "MINYI_SUGGEST"),
            click(texts.WECHAT_MENU_COMPLAIN, "MINYI_COMPLAIN"),
            {
                "name": texts.WECHAT_MENU_MORE,
                "sub_button": [
                    click(texts.WECHAT_MENU_STATUS, "MINYI_STATUS"),
                    click(texts.WECHAT_MENU_HELP, "MINYI_HELP"),
                ],
            },
        ]
    }


def _settings() -> tuple[WeChatSettings, str | None]:
    """The WeChat settings and the Redis URL; every wrong setting printed, then exit code 1."""
    try:
        return WeChatSettings(), Settings().redis_url
    except ValidationError as exc:
        prefix = "MINYI_WECHAT_" if exc.title == WeChatSettings.__name__ else "MINYI_"
        for err in exc.errors():
            field = prefix + "_".join(str(p) for p in err["loc"]).upper()
            typer.secho(f"✗ {field}: {err['msg']}", fg="red")
        raise typer.Exit(1) from exc


def _api(settings: WeChatSettings, redis_url: str | None) -> WeChatAPI:
    if not (settings.appid and settings.secret):
        typer.secho("✗ 需要 MINYI_WECHAT_APPID 和 MINYI_WECHAT_SECRET 才能调用微信接口。", fg="red")
        raise typer.Exit(1)
    tokens: TokenStore = MemoryTokenStore()
    if redis_url:
        tokens = RedisTokenStore(redis_client(redis_url), settings.appid)
    return WeChatAPI(
        settings.appid,
        settings.secret.get_secret_value(),
        settings.api_base,
        tokens=tokens,
        timeout_s=settings.api_timeout_s,
    )


async def _with_api(config: tuple[WeChatSettings, str | None], work: Any) -> Any:
    api = _api(*config)
    try:
        return await work(api)
    finally:
        await api.close()
        if isinstance(api.tokens, RedisTokenStore):
            await api.tokens.redis.aclose()


@menu_app.command("push")
def menu_push() -> None:
    """Create the account's custom menu (提建议 / 投诉 / 我的: 查进度, 使用帮助)."""
    config = _settings()
    try:
        asyncio.run(_with_api(config, lambda api: api.create_menu(menu())))
    except MinyiError as exc:
        typer.secho(f"✗ 菜单创建失败：{exc}", fg="red")
        raise typer.Exit(1) from exc
    typer.secho("✓ 自定义菜单已创建（微信客户端约 5 分钟内生效）。", fg="green")


def _static_problems(settings: WeChatSettings) -> list[str]:
    problems = []
    token = settings.token.get_secret_value() if settings.token else ""
    if not token:
        problems.append("MINYI_WECHAT_TOKEN 未设置：/wechat 不会启用。")
    elif not TOKEN_FORMAT.match(token):
        problems.append("MINYI_WECHAT_TOKEN 须为 3–32 位英文字母或数字（与公众平台“令牌”一致）。")
    if settings.aes_key is None:
        typer.echo("· MINYI_WECHAT_AES_KEY 未设置：只能用明文模式（建议在公众平台选择安全模式）。")
    if settings.aes_key is not None and not settings.appid:
        problems.append("安全模式需要 MINYI_WECHAT_APPID（解密时校验）。")
    if settings.appid and not APPID_FORMAT.match(settings.appid):
        problems.append(f"MINYI_WECHAT_APPID {settings.appid!r} 不像 AppID（wx 加 16 位十六进制）。")
    return problems


def _mode(settings: WeChatSettings) -> str:
    """The message encryption mode, as the platform's settings page names it."""
    if settings.aes_key is None:
        return "明文模式（建议在公众平台改为安全模式并设置 MINYI_WECHAT_AES_KEY）"
    if settings.compatible_mode:
        return "兼容模式（明文和密文都接受；切换完成后请关闭 MINYI_WECHAT_COMPATIBLE_MODE）"
    return "安全模式（只接受加密消息）"


@app.command()
def check() -> None:
    """Check the WeChat settings and that the API answers with an access token."""
    config = _settings()
    settings = config[0]
    problems = _static_problems(settings)
    typer.echo(f"消息加解密方式：{_mode(settings)}")
    if settings.appid and settings.secret:
        try:
            asyncio.run(_with_api(config, lambda api: api.token()))
            typer.echo(f"✓ 微信接口可用（{settings.api_base}），已取得 access_token。")
        except MinyiError as exc:
            problems.append(f"微信接口 {settings.api_base} 不可用：{exc}")
    else:
        problems.append("MINYI_WECHAT_APPID / MINYI_WECHAT_SECRET 未设置：无法发送客服消息、下载图片。")
    for problem in problems:
        typer.secho(f"✗ {problem}", fg="red")
    if problems:
        raise typer.Exit(1)
    typer.secho("✓ 微信公众号配置正确。", fg="green")
