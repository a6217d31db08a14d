"""The long-lived parts of a process, built once from the ``Config`` of ``bot.root``: the backends,
the pipeline, and each configured channel's shared parts — its API client, the WeChat window, the
notices' senders. The senders are built explicitly (nothing is looked up by a name); a channel
that is configured but cannot be built raises ``StartupError`` and the command stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.channels.telegram.adapter import make_bot, mark_unreachable
from bot.channels.telegram.sender import SendLimiter, TelegramSender, limiter_storage
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.sender import WeChatSender, templates_of
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.token import MemoryTokenStore, RedisTokenStore
from bot.channels.wechat.window import DatabaseWindow, RedisWindow, Window
from bot.overload import Gate
from bot.pipeline import Pipeline
from bot.root import Config
from notifier import held
from notifier.sender import Sender
from storage.backends import Backends, build_backends
from storage.config import Settings
from storage.errors import StartupError
from storage.port import StoragePort
from storage.similar.catalogue import Catalogue


def build_pipeline(core: Settings, backends: Backends, catalogue: Catalogue | None = None) -> Pipeline:
    """The one pipeline every channel of a process feeds (notices waiting ride along); the
    similar-items index it searches is this process's, caught up from the database each time."""
    port = StoragePort(core.clocks, catalogue=catalogue if catalogue is not None else Catalogue())
    gate = Gate(core.max_in_flight, core.max_queued)
    return Pipeline(backends, port, resume_after_s=core.resume_after_s, held=held.RideAlong(), gate=gate)


@dataclass
class WeChatParts:
    """The WeChat channel's shared parts: one API client, one window store, the notices' sender."""

    settings: WeChatSettings
    api: WeChatAPI
    window: Window
    sender: WeChatSender


@dataclass
class TelegramParts:
    settings: TelegramSettings
    sender: TelegramSender


def _wechat(settings: WeChatSettings, backends: Backends) -> WeChatParts:
    assert settings.appid is not None and settings.secret is not None  # load_config checked
    redis = backends.redis
    hours, quota = settings.window_hours, settings.window_quota
    window: Window = RedisWindow(redis, hours, quota) if redis is not None else DatabaseWindow(hours, quota)
    api = WeChatAPI(
        settings.appid,
        settings.secret.get_secret_value(),
        settings.api_base,
        tokens=RedisTokenStore(redis, settings.appid) if redis is not None else MemoryTokenStore(),
        timeout_s=settings.api_timeout_s,
    )
    return WeChatParts(settings, api, window, WeChatSender(api, window, templates_of(settings.templates)))


def _telegram(settings: TelegramSettings, backends: Backends) -> TelegramParts:
    bot = make_bot(settings)
    limiter = SendLimiter(
        limiter_storage(backends.redis), overall=settings.rate_overall, per_chat=settings.rate_per_chat
    )
    return TelegramParts(settings, TelegramSender(bot, limiter, mark_unreachable))


@dataclass
class Services:
    """The long-lived parts of one process, built once from the config and closed together."""

    config: Config
    backends: Backends
    wechat: WeChatParts | None = None
    telegram: TelegramParts | None = None
    catalogue: Catalogue = field(default_factory=Catalogue)
    _pipeline: Pipeline | None = field(default=None, repr=False)

    @property
    def senders(self) -> dict[str, Sender]:
        """One sender per push channel that is configured (web and console have none)."""
        senders: dict[str, Sender] = {}
        if self.wechat is not None:
            senders["wechat"] = self.wechat.sender
        if self.telegram is not None:
            senders["telegram"] = self.telegram.sender
        return senders

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = build_pipeline(self.config.core, self.backends, self.catalogue)
        return self._pipeline

    async def start(self) -> None:
        if self.telegram is not None:
            await self.telegram.sender.start()

    async def aclose(self) -> None:
        if self._pipeline is not None:
            await self._pipeline.aclose()
        if self.wechat is not None:
            await self.wechat.window.aclose()
        for sender in self.senders.values():
            await sender.aclose()
        await self.backends.close()


def build_services(config: Config) -> Services:
    """Backends and the configured channels' parts; ``StartupError`` if one cannot be built."""
    backends = build_backends(config.core)
    try:
        wechat = _wechat(config.wechat, backends) if config.wechat.enabled else None
        telegram = _telegram(config.telegram, backends) if config.telegram.enabled else None
    except Exception as exc:
        raise StartupError(f"渠道无法启动：{type(exc).__name__}: {exc}") from exc
    return Services(config, backends, wechat, telegram)


@asynccontextmanager
async def services(config: Config) -> AsyncIterator[Services]:
    """``build_services``, started, and closed at the end."""
    built = build_services(config)
    try:
        await built.start()
        yield built
    finally:
        await built.aclose()
