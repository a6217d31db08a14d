"""How many messages one process works on at once. Beyond ``limit`` a message is refused early
(each channel says so its platform's way: Telegram and the web get 503 and come back later) or,
where the platform will not come back (WeChat after ``success``), queued up to ``backlog``."""

from __future__ import annotations

import asyncio

from notifier import metrics


class Overloaded(RuntimeError):
    """This process is full: the message was not taken."""


class Gate:
    """A counter of messages in flight, and of those queued for a free place."""

    def __init__(self, limit: int = 64, backlog: int = 256) -> None:
        self.limit = limit
        self.backlog = backlog
        self.in_flight = 0
        self.queued = 0

    def enter(self) -> bool:
        """Take a place if one is free (then ``leave`` it when done)."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        metrics.IN_FLIGHT.set(self.in_flight)
        return True

    def leave(self) -> None:
        self.in_flight -= 1
        metrics.IN_FLIGHT.set(self.in_flight)

    def queue(self) -> bool:
        """Reserve a place in the queue (then ``wait`` for a free place), if the queue has room."""
        if self.queued >= self.backlog:
            return False
        self.queued += 1
        return True

    async def wait(self) -> None:
        """Wait (queued) until a place is free, then take it."""
        try:
            while not self.enter():
                await asyncio.sleep(0.02)
        finally:
            self.queued -= 1

    def shed(self, channel: str) -> None:
        """Count a message refused for lack of room."""
        metrics.SHED.labels(channel).inc()
