"""Dialog steps per second: the engine alone (baseline), then through the pipeline with the memory
store, then with Redis (state + per-user lock), for N citizens each in the middle of a suggestion.
Also: bytes stored per half-filled conversation (target ≤ 1 KiB). Not a test; run by `make bench`.

    python bench/dialogs.py [--citizens 10000] [--redis redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # no shadowing by bench/*.py
sys.path.insert(0, os.path.dirname(_HERE))

from bot.pipeline import Pipeline
from dialogs import Context, Conversation, Inbound, UserRef, step
from dialogs.state import Draft
from dialogs.types import Followups
from storage.backends import Backends, build_backends, redis_client
from storage.config import Settings
from storage.dedupe import MemoryDeduper
from storage.locks import MemoryUserLocks
from storage.state import MemoryStateStore

NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)
HALF = {
    "category": "交通出行",
    "title": "建议在幸福路公交站加装遮雨棚",
    "problem": "幸福路公交站没有遮雨棚，雨天候车的老人和孩子经常淋雨，"
    "站台地面湿滑容易摔倒，早晚高峰候车人多。",
    "cause": "站台改造时没有同步规划遮雨设施，也没有明确由哪个部门负责维护。",
}
ANSWERS = ["建议由交通部门牵头，年内在站台加装遮雨棚并设置防滑地面。", "返回"]


class NoPort:
    """These steps never submit or look anything up; nothing waits on these citizens."""

    async def submit(self, *a: object) -> None:
        raise AssertionError("no submit in this benchmark")

    my_items = find_item = reply = rate = comment = request_review = submit

    async def followups(self, user: UserRef, at: datetime) -> Followups:
        return Followups()


def mid_form(i: int) -> Conversation:
    draft = Draft(kind="suggestion", key=f"web:c{i}:m0", step=4, values=dict(HALF))
    return Conversation(mode="form", draft=draft, last_at=int(NOW.timestamp()), greeted=True)


def inbound(i: int, n: int) -> Inbound:
    return Inbound(UserRef("web", f"c{i}"), f"m{n}", NOW, text=ANSWERS[n % 2])


def bench_engine(n: int) -> float:
    convs = [mid_form(i) for i in range(n)]
    ctx = Context(now=NOW)
    start = time.perf_counter()
    for rnd in range(2):
        for i in range(n):
            convs[i] = step(convs[i], inbound(i, rnd), ctx).conversation
    return 2 * n / (time.perf_counter() - start)


async def bench_pipeline(backends: Backends, n: int, concurrency: int = 100) -> float:
    for i in range(n):
        await backends.state.set(f"web:c{i}", mid_form(i).to_bytes())
    pipeline = Pipeline(backends, NoPort())  # type: ignore[arg-type]
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int, rnd: int) -> None:
        async with sem:
            await pipeline.feed(inbound(i, rnd))

    start = time.perf_counter()
    for rnd in range(2):
        await asyncio.gather(*(one(i, rnd) for i in range(n)))
    rate = 2 * n / (time.perf_counter() - start)
    assert pipeline.errors == 0
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    n = args.citizens

    size = len(mid_form(0).to_bytes())
    print(f"bytes per half-filled suggestion: {size} (target ≤ 1024) {'OK' if size <= 1024 else 'OVER'}")
    engine = bench_engine(n)
    print(f"engine alone:          {engine:>10,.0f} steps/s   (baseline, 1.00)")
    memory = await bench_pipeline(Backends(MemoryStateStore(), MemoryUserLocks(), MemoryDeduper()), n)
    print(f"pipeline, memory store:{memory:>10,.0f} steps/s   ratio {memory / engine:.2f}")
    redis = redis_client(args.redis)
    try:
        await redis.ping()
    except Exception as exc:
        print(f"pipeline, Redis store: skipped ({exc})")
        return
    await redis.flushdb()
    backends = build_backends(Settings(redis_url=args.redis, _env_file=None))  # as `minyi serve` builds them
    rate = await bench_pipeline(backends, n)
    keys = [k async for k in redis.scan_iter(match="minyi:state:*", count=1000)]
    stored = sum([await redis.strlen(k) for k in keys[:100]]) / max(1, min(100, len(keys)))
    ratios = f"ratio {rate / engine:.2f} (vs memory {rate / memory:.2f})"
    print(f"pipeline, Redis store: {rate:>10,.0f} steps/s   {ratios}")
    print(f"bytes per conversation in Redis (mean of 100): {stored:.0f}")
    await redis.flushdb()
    await redis.aclose()
    await backends.close()


if __name__ == "__main__":
    asyncio.run(main())
