"""The web chat: a phone-sized page at ``/`` and its JSON API under ``/api/web`` (the session
cookie, messages answered once per page message id, notices the page acknowledges, rate limits)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from redis.asyncio import Redis

from bot.channels.web.handlers import WEB, WebChat, ack, messages, notices, page, session_request
from bot.channels.web.ratelimit import Rates, WebLimits, limiter_storage
from bot.channels.web.session import CookiePolicy
from storage.config import Settings

__all__ = ["WEB", "WebChat", "build", "setup"]


def build(settings: Settings, redis: Redis | None) -> WebChat:
    """The web chat's shared parts from the settings (rate limits in Redis when configured)."""
    return WebChat(
        limits=WebLimits(limiter_storage(redis), Rates.of(settings)),
        cookie=CookiePolicy(settings.web_cookie_secure, timedelta(days=settings.web_session_days)),
        legacy_claims=settings.web_legacy_claims,
        proxy_hops=settings.web_proxy_hops,
    )


def setup(app: web.Application, settings: Settings, redis: Redis | None) -> None:
    app[WEB] = build(settings, redis)
    app.router.add_get("/", page)
    app.router.add_post("/api/web/messages", messages)
    app.router.add_get("/api/web/notices", notices)
    app.router.add_post("/api/web/notices/ack", ack)
    app.router.add_post("/api/web/session", session_request)
