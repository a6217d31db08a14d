"""A relay in its own process (the crash test, the benchmark):
``python -m tests.notifier.runner DB_URL SEND_URL LEASE_S [BATCH CONCURRENCY POLL_S]``.

Prints ``ready`` once connected, then drains the outbox until killed."""

from __future__ import annotations

import asyncio
import sys

from notifier.policy import Policy
from notifier.relay import Relay
from storage.db import close_db, open_db
from tests.notifier.platform import HttpSender, LineSender


async def main(
    db_url: str, send_url: str, lease_s: float, batch: int = 50, concurrency: int = 16, poll_s: float = 0.1
) -> None:
    await open_db(db_url, apply_migrations=False)
    sender: HttpSender | LineSender
    if send_url.startswith("tcp://"):
        sender = LineSender(send_url)
    else:
        sender = HttpSender(send_url, limit=max(16, concurrency))
    relay = Relay(
        {"telegram": sender},
        Policy(push_channels=frozenset({"telegram"})),
        batch=batch,
        concurrency=concurrency,
        lease_s=lease_s,
        poll_s=poll_s,
    )
    print("ready", flush=True)
    try:
        await relay.run()
    finally:
        await sender.aclose()
        await close_db()


if __name__ == "__main__":
    args = sys.argv[1:]
    extra = (int(args[3]), int(args[4]), float(args[5])) if len(args) > 3 else ()
    asyncio.run(main(args[0], args[1], float(args[2]), *extra))
