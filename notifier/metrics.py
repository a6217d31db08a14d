"""Prometheus metrics: notices by status and channel, relay lag, send latency, possible
duplicates, inbound messages by channel and dialog errors; ``GET /metrics`` on an aiohttp app.

Counters and histograms are per process (the relay's live in ``minyi notifier``, the inbound
ones in ``minyi serve``). The outbox gauges are read from the database by a background task
every ``MINYI_METRICS_REFRESH_SECONDS`` (so any process shows the shared truth, a few seconds
old); a scrape only serializes. A failed read keeps the last values, counts
``minyi_metrics_refresh_failures_total`` and is logged once per streak of failures.

``MINYI_METRICS_TOKEN`` makes ``/metrics`` ask for ``Authorization: Bearer <token>``;
``MINYI_METRICS_PORT`` serves it on its own port (``MINYI_METRICS_HOST``, default 127.0.0.1)
instead of the main one (``serve``)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from storage import outbox
from storage.config import Settings

log = logging.getLogger(__name__)
STOP_WAIT_S = 5.0

NOTICES = Gauge("minyi_notices", "Outbox notices by status and channel", ["status", "channel"])
RELAY_LAG = Gauge("minyi_relay_lag_seconds", "How long the oldest due notice has waited")
UNKNOWN_OUTCOMES = Gauge(
    "minyi_notice_unknown_outcomes", "Leases that expired while sending (possible duplicate sends)"
)
DELIVERED = Counter(
    "minyi_notices_handled_total", "Notices the relay finished, by outcome", ["channel", "outcome"]
)
TAKEOVERS = Counter("minyi_notice_takeovers_total", "Rows taken over after their lease expired")
SEND_LATENCY = Histogram(
    "minyi_send_latency_seconds",
    "Time a platform took to accept one message",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
INBOUND = Counter("minyi_inbound_messages_total", "Messages received from citizens", ["channel"])
IN_FLIGHT = Gauge("minyi_inbound_in_flight", "Messages this process is working on")
SHED = Counter(
    "minyi_inbound_shed_total", "Messages refused or queued because the process was full", ["channel"]
)
DIALOG_ERRORS = Counter("minyi_dialog_errors_total", "Dialog steps that failed with an exception")
REFRESH_FAILURES = Counter(
    "minyi_metrics_refresh_failures_total", "Background reads of the outbox gauges that failed"
)


async def refresh(now: datetime | None = None) -> None:
    """Read the outbox gauges from the database (everything is read before any gauge changes, so
    a scrape meanwhile sees the previous values, never a half-cleared set)."""
    now = now or datetime.now(UTC)
    counts = await outbox.counts()
    oldest = await outbox.oldest_due(now)
    unknown = await outbox.unknown_outcomes()
    NOTICES.clear()
    totals = dict.fromkeys(outbox.STATUSES, 0)
    for status, channel, n in counts:
        NOTICES.labels(status=status, channel=channel).set(n)
        totals[status] = totals.get(status, 0) + n
    for status, n in totals.items():
        NOTICES.labels(status=status, channel="all").set(n)
    RELAY_LAG.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    UNKNOWN_OUTCOMES.set(unknown)


@dataclass
class Refresher:
    """Runs ``read`` every ``interval_s`` until stopped; a failure is counted, and logged only
    when a streak of failures begins (and when it ends)."""

    interval_s: float
    read: Callable[[], Awaitable[None]] = refresh
    failing: bool = False
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def once(self) -> None:
        try:
            await self.read()
        except Exception:
            REFRESH_FAILURES.inc()
            if not self.failing:
                log.exception("could not read the outbox for /metrics (keeping the last values)")
            self.failing = True
        else:
            if self.failing:
                log.info("the outbox gauges of /metrics are read again")
            self.failing = False

    async def run(self) -> None:
        while not self.stopping.is_set():
            await self.once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.interval_s)


def _refreshing(interval_s: float) -> Callable[[web.Application], AsyncIterator[None]]:
    """The refresher as a task of the app that serves ``/metrics``; stopped after the read in
    hand (a query cancelled midway would answer into a closed loop), or cancelled after
    ``STOP_WAIT_S`` if the database hangs."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        refresher = Refresher(interval_s)
        task = asyncio.create_task(refresher.run())
        try:
            yield
        finally:
            refresher.stopping.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_WAIT_S)
            except TimeoutError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    return run


def _authorized(request: web.Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("Authorization", "").encode()
    return hmac.compare_digest(given, f"Bearer {token}".encode())


def handler(token: str | None = None) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``GET /metrics``: serialize what the refresher and the counters hold (no database)."""

    async def metrics(request: web.Request) -> web.Response:
        if not _authorized(request, token):
            return web.Response(
                status=401, text="bearer token required\n", headers={"WWW-Authenticate": "Bearer"}
            )
        resp = web.Response(body=generate_latest())
        resp.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        resp.charset = "utf-8"
        return resp

    return metrics


def setup(app: web.Application, settings: Settings) -> None:
    """``/metrics`` on ``app``, with the background refresh of the outbox gauges."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    app.router.add_get("/metrics", handler(token))
    app.cleanup_ctx.append(_refreshing(settings.metrics_refresh_seconds))


async def start_site(settings: Settings, port: int) -> web.AppRunner:
    """``/metrics`` alone on ``MINYI_METRICS_HOST:port``; raises ``OSError`` if it cannot listen."""
    site_app = web.Application()
    setup(site_app, settings)
    runner = web.AppRunner(site_app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.metrics_host, port).start()
    except OSError:
        await runner.cleanup()
        raise
    return runner
