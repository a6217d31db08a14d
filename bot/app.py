"""The composition root: settings → database → backends → pipeline → aiohttp routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels import telegram as telegram_channel
from bot.channels import web as web_channel
from bot.channels import wechat as wechat_channel
from bot.keys import BACKENDS, PIPELINE, SETTINGS
from bot.pipeline import Pipeline
from notifier import held
from notifier import service as notifier_service
from storage.backends import Backends, build_backends
from storage.config import Settings
from storage.db import close_db, open_db
from storage.port import StoragePort

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_pipeline(settings: Settings, backends: Backends) -> Pipeline:
    return Pipeline(
        backends,
        StoragePort(settings.timezone, settings.clocks),
        resume_after_s=settings.resume_after_s,
        held=held.RideAlong(),
    )


def create_app(settings: Settings, *, manage_db: bool = True) -> web.Application:
    """The service. With ``manage_db`` the app opens (and migrates) and closes the database itself."""
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        if manage_db:  # the embedded SQLite default migrates itself; PostgreSQL uses `minyi migrate`
            await open_db(settings.database_url, apply_migrations=settings.database_url.startswith("sqlite"))
        backends = build_backends(settings)
        app[BACKENDS] = backends
        app[PIPELINE] = build_pipeline(settings, backends)
        try:
            yield
        finally:
            await backends.close()
            if manage_db:
                await close_db()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/healthz", healthz)
    web_channel.setup(app)
    wechat_channel.setup(app)
    notifier_service.setup(app, settings)
    telegram_channel.setup(app)
    return app
