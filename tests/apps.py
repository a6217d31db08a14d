"""The service as the shipped commands build it, for in-process tests: a ``Config`` from settings
objects (no environment), the parts built by ``bot.services``, and the aiohttp app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.wechat.settings import WeChatSettings
from bot.root import Config
from bot.services import Services, services
from storage.config import Settings


def make_config(
    core: Settings, wechat: WeChatSettings | None = None, telegram: TelegramSettings | None = None
) -> Config:
    """A process's config; a channel not given is off."""
    return Config(
        core,
        wechat or WeChatSettings(_env_file=None, token=None),  # type: ignore[call-arg]
        telegram or TelegramSettings(_env_file=None, token=None),  # type: ignore[call-arg]
    )


@asynccontextmanager
async def service_app(config: Config) -> AsyncIterator[tuple[web.Application, Services]]:
    """The app of ``minyi serve`` on an open database, and its parts (closed afterwards)."""
    async with services(config) as built:
        yield create_app(built), built


class Served:
    """Clients of apps started with ``start(config)``; closed (apps first, then their parts)."""

    def __init__(self, client_factory: Callable[[web.Application], Awaitable[TestClient[Any, Any]]]) -> None:
        self.client_factory = client_factory
        self.stack = AsyncExitStack()
        self.clients: list[TestClient[Any, Any]] = []

    async def start(self, config: Config) -> TestClient[Any, Any]:
        app, _ = await self.stack.enter_async_context(service_app(config))
        client = await self.client_factory(app)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
        await self.stack.aclose()
