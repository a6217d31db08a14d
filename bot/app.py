"""The service as an aiohttp application, assembled from the parts ``bot.root`` built: the web
chat, ``/healthz`` (liveness), ``/readyz`` (the database and Redis answer), ``/metrics`` (unless
it has a port of its own), the configured channels and, on the embedded default, the relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot import open311, readiness
from bot import public as public_site
from bot.channels import web as web_channel
from bot.channels.telegram import adapter as telegram_channel
from bot.channels.wechat import adapter as wechat_channel
from bot.keys import PIPELINE
from bot.services import Services
from dialogs import reading
from notifier import metrics
from notifier.service import build_relay

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


async def healthz(request: web.Request) -> web.Response:
    """Liveness: 200 while the process runs, whatever its dependencies do (see ``/readyz``)."""
    return web.json_response({"status": "ok"})


def create_app(services: Services) -> web.Application:
    """The routes of every configured channel, sharing one pipeline."""
    config, pipeline = services.config, services.pipeline
    app = web.Application(client_max_size=MAX_BODY)
    app[PIPELINE] = pipeline
    app.on_startup.append(_read_once)
    app.cleanup_ctx.append(_index_once(services))
    app.router.add_get("/healthz", healthz)
    readiness.setup(app, services.backends.redis)
    if config.core.metrics_port is None:  # otherwise `minyi serve` serves it on that port
        metrics.setup(app, config.core)
    web_channel.setup(app, config.core, services.backends.redis)
    open311.setup(app, config.core.open311_rate, clocks=config.core.clocks, redis=services.backends.redis)
    public_site.setup(app, clocks=config.core.clocks)
    if (wechat := services.wechat) is not None:
        channel = wechat_channel.build_channel(
            wechat.settings, pipeline, wechat.window, wechat.api, config.core.media_dir
        )
        wechat_channel.setup(app, channel)
    if (telegram := services.telegram) is not None and telegram.settings.secret is not None:
        channel_tg = telegram_channel.TelegramChannel(telegram.sender, pipeline)
        telegram_channel.setup(app, channel_tg, telegram.settings.secret.get_secret_value())
    if config.core.notifier_embedded:
        app.cleanup_ctx.append(_embedded_relay(services))
    return app


async def _read_once(app: web.Application) -> None:
    """Load the reader's word lists before the first citizen waits for them (~0.3 s)."""
    reading.read("楼下饭店油烟直排")


def _index_once(services: Services) -> Callable[[web.Application], AsyncIterator[None]]:
    """Read the stored items into the similar-items index in the background as the service starts
    (~1 s per 100,000 items), so the first citizen's lookup does not wait for it. If it fails
    (the database is away), the first lookup reads them instead: each lookup catches up itself."""

    async def load() -> None:
        try:
            await services.catalogue.refresh()
        except Exception:
            log.warning(
                "similar-items index not loaded at start; the first lookup will load it", exc_info=True
            )

    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(load())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run


def _embedded_relay(services: Services) -> Callable[[web.Application], AsyncIterator[None]]:
    """The relay as a task of the service (one process on SQLite: no second process writing the
    same file), stopped with it after finishing the batch in hand."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        relay = build_relay(services.config.core, services.senders)
        task = asyncio.create_task(relay.run())
        try:
            yield
        finally:
            relay.stop()
            await task

    return run
