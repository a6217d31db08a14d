"""Running the outbox relay: built from the settings and the senders ``bot.root`` hands in, until
SIGINT/SIGTERM (the batch in hand is finished and marked first)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping

from aiohttp import web

from notifier import metrics
from notifier.policy import Policy
from notifier.relay import Backoff, Relay
from notifier.sender import Sender
from storage.config import Settings

log = logging.getLogger(__name__)


def build_relay(settings: Settings, senders: Mapping[str, Sender]) -> Relay:
    return Relay(
        senders,
        Policy.from_settings(settings, frozenset(senders)),
        batch=settings.notifier_batch,
        concurrency=settings.notifier_concurrency,
        lease_s=settings.notifier_lease_seconds,
        poll_s=settings.notifier_poll_seconds,
        max_attempts=settings.notifier_max_attempts,
        backoff=Backoff(settings.notifier_backoff_seconds, settings.notifier_backoff_max_seconds),
    )


async def serve_metrics(port: int) -> web.AppRunner:
    site_app = web.Application()
    metrics.setup(site_app)
    runner = web.AppRunner(site_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def run_relay(relay: Relay, metrics_port: int | None = None) -> None:
    """Run until a signal stops it (its own ``/metrics`` on 127.0.0.1:PORT when asked)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, relay.stop)
    runner = await serve_metrics(metrics_port) if metrics_port else None
    try:
        await relay.run()
    finally:
        if runner is not None:
            await runner.cleanup()
