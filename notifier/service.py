"""``minyi notifier``: build the senders for the configured channels and run the relay until
SIGINT/SIGTERM (the batch in hand is finished first)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import Annotated

import typer
from aiohttp import web

from notifier import metrics
from notifier.policy import Policy
from notifier.registry import build_senders, close_senders
from notifier.relay import Backoff, Relay
from storage.config import Settings
from storage.runtime import run_with_db

log = logging.getLogger(__name__)
app = typer.Typer(help="通知：把办理进展送到群众手里 (the outbox relay).")


def build_relay(settings: Settings, senders: dict) -> Relay:
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


def setup(app: web.Application, settings: Settings) -> None:
    """``GET /metrics`` on the service; with ``MINYI_NOTIFIER_EMBEDDED`` also the relay as a task
    of the service (one process on SQLite: no second process writing the same file)."""
    metrics.setup(app)
    if not settings.notifier_embedded:
        return

    async def embedded(app: web.Application) -> AsyncIterator[None]:
        senders = build_senders(settings)
        relay = build_relay(settings, senders)
        task = asyncio.create_task(relay.run())
        try:
            yield
        finally:
            relay.stop()
            await task
            await close_senders(senders)

    app.cleanup_ctx.append(embedded)


async def serve_metrics(port: int) -> web.AppRunner:
    site_app = web.Application()
    metrics.setup(site_app)
    runner = web.AppRunner(site_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def run_relay(settings: Settings, metrics_port: int | None = None) -> None:
    senders = build_senders(settings)
    relay = build_relay(settings, senders)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, relay.stop)
    runner = await serve_metrics(metrics_port) if metrics_port else None
    channels = ", ".join(sorted(senders)) or "（无推送渠道：网页/终端通知随下一条消息送达）"
    typer.echo(f"通知中继已启动：渠道 {channels}")
    try:
        await relay.run()
    finally:
        if runner is not None:
            await runner.cleanup()
        await close_senders(senders)
    typer.echo("通知中继已停止。")


@app.callback(invoke_without_command=True)
def notifier(
    metrics_port: Annotated[
        int | None, typer.Option(help="also serve this relay's /metrics on 127.0.0.1:PORT")
    ] = None,
) -> None:
    """Run the outbox relay: deliver status notices through each channel's rules."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_with_db(settings, lambda: run_relay(settings, metrics_port))
