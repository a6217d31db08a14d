"""A relay in its own process, for the crash test: ``python -m tests.notifier.runner DB_URL SEND_URL``.

Prints ``ready`` once connected, then drains the outbox until killed."""

from __future__ import annotations

import asyncio
import sys

from notifier.policy import Policy
from notifier.relay import Relay
from storage.db import close_db, open_db
from tests.notifier.platform import HttpSender


async def main(db_url: str, send_url: str, lease_s: float) -> None:
    await open_db(db_url, apply_migrations=False)
    sender = HttpSender(send_url)
    relay = Relay(
        {"telegram": sender},
        Policy(push_channels=frozenset({"telegram"})),
        batch=50,
        concurrency=16,
        lease_s=lease_s,
        poll_s=0.1,
    )
    print("ready", flush=True)
    try:
        await relay.run()
    finally:
        await sender.aclose()
        await close_db()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
