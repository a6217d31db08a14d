"""Notifier benchmark (``make bench``; not a test).

(a) relay throughput on PostgreSQL against a fake platform with no limit, in its own process:
    one JSON line per message over pipelined TCP connections (and, for reference, over HTTP);
(b) the same with a sender limited to 30 messages/s: the rate achieved over 60 s, and the most
    messages the platform received in any 1-second window.

Database: ``BENCH_PG_URL`` (default: a ``minyi_bench`` database on 127.0.0.1, created when missing;
its schema is recreated, so never point it at data you keep)."""

from __future__ import annotations

import asyncio
import collections
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/telegram.py and bench/dialogs.py must not shadow the packages of those names
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import aiohttp
import asyncpg
from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from notifier.policy import Policy
from notifier.relay import Relay
from notifier.sender import Delivery, Notice
from storage.db import close_db, migrate, open_db
from storage.models import Outbox
from tests.notifier.platform import HttpSender, line_stats
from tests.notifier.seed import seed

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/minyi_bench")
TG = Policy(push_channels=frozenset({"telegram"}))


class LimitedSender:
    """Wraps a sender with a limit of ``rate`` sends per second, as the platform sees it.

    Three rules: even pacing (one start every 1/rate s, on schedule); a moving window
    (``limits``) that never admits more than ``rate`` starts in any second; and send k starts
    only one second after send k-rate has *finished*. The platform receives each message between
    its start and its finish, so no second at the platform can hold more than ``rate``."""

    def __init__(self, inner: HttpSender, rate: int) -> None:
        self.inner, self.channel, self.rate = inner, inner.channel, rate
        self.merges = False
        self.item = RateLimitItemPerSecond(rate, 1)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.interval = 1 / rate
        self.next_at = 0.0
        self.finished: collections.deque[asyncio.Future[float]] = collections.deque()
        self.lock = asyncio.Lock()

    async def send(self, notice: Notice) -> Delivery:
        async with self.lock:
            start = max(self.next_at, time.monotonic())
            await asyncio.sleep(start - time.monotonic())
            if len(self.finished) == self.rate:
                ended = await self.finished.popleft()
                await asyncio.sleep(ended + 1.0 - time.monotonic())
            while not await self.limiter.hit(self.item, "global"):
                reset, _ = await self.limiter.get_window_stats(self.item, "global")
                await asyncio.sleep(max(0.001, reset - time.time()))
            self.next_at = start + self.interval  # on schedule: late wake-ups do not add up
            done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            self.finished.append(done)
        try:
            return await self.inner.send(notice)
        finally:
            done.set_result(time.monotonic())


async def fresh_schema() -> None:
    name = PG_URL.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    await migrate(PG_URL)


async def platform(kind: str = "http") -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.notifier.platform", kind, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    return proc, (await proc.stdout.readline()).decode().strip()


async def received(url: str) -> list[tuple[int, float]]:
    if url.startswith("tcp://"):
        return await line_stats(url)
    async with aiohttp.ClientSession() as s, s.get(url.replace("/send", "/received")) as resp:
        return [(int(i), float(t)) for i, t in await resp.json()]


async def relay_processes(n: int, url: str) -> list[asyncio.subprocess.Process]:
    procs = []
    for _ in range(n):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.notifier.runner", PG_URL, url, "60", "500", "256", "0.02",
            cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        assert (await proc.stdout.readline()).strip() == b"ready"
        procs.append(proc)
    return procs


async def throughput(n_citizens: int = 5000, relays: int = 2, wire: str = "line") -> None:
    """Rows become due together at ``start``; the relays (own processes) drain them."""
    await fresh_schema()
    await open_db(PG_URL, apply_migrations=False)
    platform_proc, url = await platform(wire)
    procs: list[asyncio.subprocess.Process] = []
    try:
        start = datetime.now(UTC) + timedelta(seconds=3)
        ids = await seed(n_citizens, (2, 2), start)
        procs = await relay_processes(relays, url)
        await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()))
        t0 = time.perf_counter()
        while await Outbox.filter(status__in=["pending", "sending"]).exists():
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - t0
        got = await received(url)
        assert len({i for i, _ in got}) == len(ids) == len(got), "every notice exactly once"
        print(f"(a) throughput: {len(ids)} notices in {elapsed:.2f} s = {len(ids) / elapsed:,.0f} notices/s "
              f"({relays} relay processes, PostgreSQL, {wire} fake platform, {os.cpu_count()} CPUs; "
              "target >= 2,000)")  # fmt: skip
    finally:
        for proc in [*procs, platform_proc]:
            proc.kill()
            await proc.wait()
        await close_db()


def busiest_second(times: list[float]) -> int:
    """The most events inside any half-open window of one second."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def limited(rate: int = 30, seconds: float = 60.0) -> None:
    await fresh_schema()
    await open_db(PG_URL, apply_migrations=False)
    proc, url = await platform()
    inner = HttpSender(url)
    try:
        await seed(int(rate * seconds * 1.2), (1,), datetime.now(UTC))
        relay = Relay({"telegram": LimitedSender(inner, rate)}, TG, batch=rate * 2, concurrency=rate * 2)
        task = asyncio.create_task(relay.run())
        await asyncio.sleep(seconds)
        relay.stop()
        await task
        times = sorted(t for _, t in await received(url))
        first = times[0]
        in_span = [t for t in times if t - first < seconds]
        achieved = len(in_span) / seconds
        print(f"(b) limit {rate}/s: achieved {achieved:.2f}/s over {seconds:.0f} s "
              f"({(achieved / rate - 1) * 100:+.1f}% of the limit); busiest 1-second window: "
              f"{busiest_second(times)} messages")  # fmt: skip
    finally:
        await inner.aclose()
        proc.kill()
        await proc.wait()
        await close_db()


async def main() -> None:
    await throughput(relays=1)
    await throughput(relays=2)
    await throughput(relays=2, wire="http")  # the same over HTTP/1.1 (aiohttp on both sides)
    await limited(seconds=float(os.environ.get("BENCH_LIMIT_SECONDS", "60")))


if __name__ == "__main__":
    asyncio.run(main())
