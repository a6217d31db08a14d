"""Open311 GeoReport v2 at ``/open311/v2/`` (discovery at ``/open311/discovery.json``): the
categories as services, published suggestions (and a ``read-own`` key's own items) as requests,
and ``POST requests`` with an API key into the one intake (``storage.open311``).

Each caller is rate-limited (``limits``, moving window; ``limit`` such as ``60/minute``): per key
when it sends one, else per client address; counters in this process's memory, or in Redis when
the app has it (shared by every process)."""

from __future__ import annotations

from aiohttp import web
from limits import parse
from redis.asyncio import Redis

from bot.open311 import routes
from storage.ratelimit import limiter_storage
from storage.workflow.clocks import Clocks

SCOPE = "open311"


def setup(
    app: web.Application,
    limit: str = "60/minute",
    *,
    clocks: Clocks | None = None,
    redis: Redis | None = None,
) -> None:
    """Add the Open311 routes to ``app``."""
    app[routes.STATE] = routes.State(
        clocks=clocks or Clocks(), rate=parse(limit), storage=limiter_storage(redis, SCOPE)
    )
    routes.add(app.router)
