"""The composition root: every shipped command (``minyi serve|notifier|chat``, ``minyi telegram
poll``, ``minyi-admin``) starts here, from one read of the settings (``load_config``) and the
database opened the one way (``database``); ``bot.services`` builds the long-lived parts from
that config. A wrong setting raises ``StartupError``: the command prints that one line and
exits 1. This module stays light (no platform library): ``minyi-admin`` starts from it too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from bot.channels.telegram.settings import TelegramSettings
from bot.channels.wechat.settings import WeChatSettings
from storage import waits
from storage.backends import redis_client
from storage.config import Settings
from storage.db import close_db, open_db, sqlite_path
from storage.errors import StartupError
from storage.sqlite import written_elsewhere
from storage.waits import MemoryWaits, RedisWaits

PREFIXES = {Settings: "MINYI_", WeChatSettings: "MINYI_WECHAT_", TelegramSettings: "MINYI_TELEGRAM_"}


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting of one process: the core, and each platform's own."""

    core: Settings
    wechat: WeChatSettings
    telegram: TelegramSettings


def _settings(kind: type[BaseSettings]) -> BaseSettings:
    try:
        return kind()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = PREFIXES[kind] + "_".join(str(p) for p in err["loc"]).upper()
        raise StartupError(f"设置 {name} 有误：{_reason(err)}") from exc


def _reason(err: Any) -> str:
    """Pydantic's reason in Chinese (our own validators already speak it)."""
    if err["type"] == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    ctx = err.get("ctx") or {}
    known = {
        "int_parsing": "应为整数",
        "float_parsing": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "greater_than": f"应大于 {ctx.get('gt')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "less_than": f"应小于 {ctx.get('lt')}",
        "json_invalid": "不是有效的 JSON",
    }
    return known.get(err["type"], str(err["msg"]))


def load_config() -> Config:
    """Read the environment (and ``.env``) once; a wrong setting is a ``StartupError``."""
    config = Config(
        _settings(Settings),  # type: ignore[arg-type]
        _settings(WeChatSettings),  # type: ignore[arg-type]
        _settings(TelegramSettings),  # type: ignore[arg-type]
    )
    if config.wechat.enabled and not config.wechat.can_send:
        raise StartupError(
            "微信已开启（MINYI_WECHAT_TOKEN），但没有 MINYI_WECHAT_APPID / MINYI_WECHAT_SECRET："
            "办理进展无法发给群众。请补上这两项。"
        )
    return config


@asynccontextmanager
async def database(config: Config, *, migrate: bool) -> AsyncIterator[None]:
    """The database open for one command (migrated first only when ``migrate``), with the store
    that its commits mark citizens in (``storage.waits``): Redis when configured, else this
    process's memory, told by SQLite when another process wrote."""
    await open_db(config.core.database_url, apply_migrations=migrate)
    redis = redis_client(config.core.redis_url, max_connections=16) if config.core.redis_url else None
    if redis is not None:
        waits.install(RedisWaits(redis))
    else:
        marks = MemoryWaits()
        embedded = sqlite_path(config.core.database_url) is not None
        marks.elsewhere = written_elsewhere() if embedded else _cannot_tell
        waits.install(marks)
    try:
        yield
    finally:
        waits.install(MemoryWaits())
        if redis is not None:
            await redis.aclose()
        await close_db()


async def _cannot_tell() -> bool:
    """Another process's commits are invisible here (PostgreSQL without Redis): look every step."""
    return True


def migrates_itself(config: Config) -> bool:
    """The embedded default (SQLite) applies its migrations at ``minyi serve``; PostgreSQL does not."""
    return sqlite_path(config.core.database_url) is not None
