"""Prometheus metrics: notices by status and channel, relay lag, send latency, possible
duplicates, inbound messages by channel and dialog errors; ``GET /metrics`` on an aiohttp app.

Counters and histograms are per process (the relay's live in ``minyi notifier``, the inbound
ones in ``minyi serve``); the outbox gauges are read from the database at each scrape, so any
process shows the shared truth."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from storage import outbox

log = logging.getLogger(__name__)

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


async def refresh(now: datetime | None = None) -> None:
    """Read the outbox gauges from the database."""
    now = now or datetime.now(UTC)
    NOTICES.clear()
    for status in outbox.STATUSES:
        NOTICES.labels(status=status, channel="all").set(0)
    totals: dict[str, int] = {}
    for status, channel, n in await outbox.counts():
        NOTICES.labels(status=status, channel=channel).set(n)
        totals[status] = totals.get(status, 0) + n
    for status, n in totals.items():
        NOTICES.labels(status=status, channel="all").set(n)
    oldest = await outbox.oldest_due(now)
    RELAY_LAG.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    UNKNOWN_OUTCOMES.set(await outbox.unknown_outcomes())


async def handler(request: web.Request) -> web.Response:
    try:
        await refresh()
    except Exception:  # the database may be down: still show the process metrics
        log.exception("could not read the outbox for /metrics")
    resp = web.Response(body=generate_latest())
    resp.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    resp.charset = "utf-8"
    return resp


def setup(app: web.Application) -> None:
    app.router.add_get("/metrics", handler)
