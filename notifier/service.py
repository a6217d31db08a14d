"""Running the outbox relay: built from the settings and the senders ``bot.root`` hands in, until
SIGINT/SIGTERM (the batch in hand is finished and marked first)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping

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


async def run_relay(relay: Relay) -> None:
    """Run until a signal stops it."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, relay.stop)
    await relay.run()
