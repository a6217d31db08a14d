"""Keep a lease alive while work runs: renew it every ``every_s`` until the block ends.

Locks and dedupe claims in Redis lapse after a few seconds so that a process killed while
holding one blocks nobody for long; a live holder renews them for as long as its step runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)


async def _renew_loop(
    renew: Callable[[], Awaitable[bool]], every_s: float, what: str, first: bool = False
) -> None:
    while True:
        if not first:
            await asyncio.sleep(every_s)
        first = False
        try:
            if not await renew():
                log.warning("%s: lease lost while still working", what)
                return
        except Exception as exc:  # Redis away: the lease may lapse; the work's end will tell
            log.warning("%s: lease not renewed: %s", what, exc)


@asynccontextmanager
async def kept(renew: Callable[[], Awaitable[bool]], every_s: float | None, what: str) -> AsyncIterator[None]:
    """Renew while the block runs (``every_s`` None: nothing to renew). Most blocks end long
    before the first renewal: a timer starts the renewing task only when it is due (a task per
    step cost more than the step's Redis calls)."""
    if every_s is None:
        yield
        return
    loop = asyncio.get_running_loop()
    task: asyncio.Task[None] | None = None

    def due() -> None:
        nonlocal task
        task = loop.create_task(_renew_loop(renew, every_s, what, first=True))

    timer = loop.call_later(every_s, due)
    try:
        yield
    finally:
        timer.cancel()
        if task is not None:
            task.cancel()
