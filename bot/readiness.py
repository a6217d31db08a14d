"""``/readyz``: whether this process can serve a citizen now — the database answers a trivial
query and Redis (when configured) a PING, each within ~1 s. ``/healthz`` stays liveness.

Each dependency is checked at most once per ``CACHE_S`` however many probes arrive: concurrent
probes share the check in flight, later ones read its result until it is older than that."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from redis.asyncio import Redis
from tortoise import connections

log = logging.getLogger(__name__)

TIMEOUT_S = 1.0
CACHE_S = 1.0
ADVICE = {
    "database": "数据库无法访问或 1 秒内没有应答：请检查数据库是否在运行、MINYI_DATABASE_URL 是否正确。",
    "redis": "Redis 无法访问或 1 秒内没有应答：请检查 Redis 是否在运行、MINYI_REDIS_URL 是否正确。",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one dependency is not ready: its name, the error's class, a line for the operator."""

    dependency: str
    error: str
    message: str


@dataclass
class CachedCheck:
    """One dependency's check, run at most once per ``cache_s`` (concurrent callers share it)."""

    name: str
    probe: Callable[[], Awaitable[Any]]
    timeout_s: float = TIMEOUT_S
    cache_s: float = CACHE_S
    clock: Callable[[], float] = time.monotonic
    _started: float = field(default=float("-inf"), repr=False)
    _task: asyncio.Future[Failure | None] | None = field(default=None, repr=False)
    _failing: bool = field(default=False, repr=False)

    async def result(self) -> Failure | None:
        now = self.clock()
        if self._task is None or (self._task.done() and now - self._started >= self.cache_s):
            self._started = now
            self._task = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._task)  # a probe whose client left does not cancel it

    async def _run(self) -> Failure | None:
        try:
            await asyncio.wait_for(self.probe(), self.timeout_s)
        except Exception as exc:
            if not self._failing:
                log.warning("readiness: %s is not ready: %r", self.name, exc)
            self._failing = True
            return Failure(self.name, type(exc).__name__, ADVICE[self.name])
        if self._failing:
            log.info("readiness: %s is ready again", self.name)
        self._failing = False
        return None


async def _database() -> None:
    await connections.get("default").execute_query("SELECT 1")


class Readiness:
    """The checks of one process: the database always, Redis when it is configured."""

    def __init__(
        self, redis: Redis | None, *, timeout_s: float = TIMEOUT_S, cache_s: float = CACHE_S
    ) -> None:
        self.checks = [CachedCheck("database", _database, timeout_s, cache_s)]
        if redis is not None:
            self.checks.append(CachedCheck("redis", redis.ping, timeout_s, cache_s))

    async def failures(self) -> list[Failure]:
        results = await asyncio.gather(*(c.result() for c in self.checks))
        return [f for f in results if f is not None]


READINESS = web.AppKey("readiness", Readiness)


async def readyz(request: web.Request) -> web.Response:
    """200 ``{"status": "ready"}``, or 503 with each dependency that is not and why."""
    failed = await request.app[READINESS].failures()
    if not failed:
        return _json({"status": "ready"}, 200)
    reasons = [{"dependency": f.dependency, "error": f.error, "message": f.message} for f in failed]
    return _json({"status": "not ready", "failed": reasons}, 503)


def _json(data: dict[str, Any], status: int) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: orjson.dumps(d).decode())


def setup(app: web.Application, redis: Redis | None) -> None:
    app[READINESS] = Readiness(redis)
    app.router.add_get("/readyz", readyz)
