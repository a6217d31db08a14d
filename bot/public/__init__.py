"""The public side at ``/gongshi/``: published suggestions (优秀建议展示), 金点子, open campaigns
(专项征集) and the office's figures (办理情况, with a CSV), server-rendered and cached in memory
(see ``cache.py`` for how a page stays fresh after a staff change)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable

from aiohttp import web

from bot.public import pages
from bot.public.cache import PageCache
from storage import public
from storage.workflow.clocks import DEFAULT, Clocks


def setup(
    app: web.Application,
    *,
    clocks: Clocks = DEFAULT,
    ttl: float = 30.0,
    check_every: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    version: Callable[[], Awaitable[Hashable]] = public.version,
) -> None:
    """Add the routes; ``ttl``/``check_every`` tune the cache (``cache.PageCache``)."""
    cache: PageCache[pages.Page] = PageCache(version, ttl=ttl, check_every=check_every, clock=clock)
    app[pages.SITE] = pages.Site(cache, clocks)
    app.router.add_get("/gongshi", _to_front)
    app.router.add_get("/gongshi/", pages.front)
    app.router.add_get("/gongshi/jianyi/{ticket}", pages.item)
    app.router.add_get("/gongshi/jindianzi", pages.golden)
    app.router.add_get("/gongshi/zhengji", pages.campaigns)
    app.router.add_get("/gongshi/banli", pages.banli)
    app.router.add_get("/gongshi/banli.csv", pages.banli_csv)


async def _to_front(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/gongshi/")
