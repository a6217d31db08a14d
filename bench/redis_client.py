"""One Redis ``EVALSHA`` (the size of a step's) from the client's side: redis-py, coredis, and the
hot path's own pipelined connection (``storage.resp``). Not a test; prints calls/s and the client
CPU per call (``make bench``). Environment: BENCH_REDIS_URL (default redis://127.0.0.1:6379/14;
only the keys ``bench:rc:*`` are written and deleted)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from storage.resp import Multiplexed, Script

URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
LUA = "redis.call('set', KEYS[1], ARGV[1]) return {1, redis.call('get', KEYS[2]), false}"
STATE = b"x" * 800  # about a conversation's size
CALLS, AT_ONCE, USERS = 20_000, 32, 400


def args_of(i: int) -> tuple[list[str], list[Any]]:
    return [f"bench:rc:k{i % USERS}", f"bench:rc:s{i % USERS}"], [STATE, 1, 2, 3, 4, 5]


async def drive(call: Callable[[int], Awaitable[Any]]) -> tuple[float, float]:
    """Calls/s and client CPU µs per call, ``AT_ONCE`` in flight."""
    numbers = iter(range(CALLS))

    async def worker() -> None:
        for i in numbers:
            await call(i)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(AT_ONCE)))
    return CALLS / (time.perf_counter() - wall), (time.process_time() - cpu) / CALLS * 1e6


async def redis_py() -> tuple[float, float]:
    from redis.asyncio import BlockingConnectionPool, Redis

    client = Redis.from_pool(BlockingConnectionPool.from_url(URL, max_connections=256))
    script = client.register_script(LUA)

    async def call(i: int) -> Any:
        keys, args = args_of(i)
        return await script(keys=keys, args=args)

    await call(0)
    try:
        return await drive(call)
    finally:
        await client.aclose()


async def coredis_client() -> tuple[float, float]:
    import coredis

    client: Any = coredis.Redis.from_url(URL)
    script = client.register_script(LUA)

    async def call(i: int) -> Any:
        keys, args = args_of(i)
        return await script(keys=keys, args=args)

    await call(0)
    return await drive(call)


async def multiplexed() -> tuple[float, float]:
    conn, script = Multiplexed(URL), Script(LUA)

    async def call(i: int) -> Any:
        keys, args = args_of(i)
        return await conn.evalsha(script, keys, args)

    await call(0)
    try:
        return await drive(call)
    finally:
        await conn.aclose()


async def clean() -> None:
    conn = Multiplexed(URL)
    keys = [k for k in await conn.call("KEYS", "bench:rc:*")]
    if keys:
        await conn.call("DEL", *keys)
    await conn.aclose()


def main() -> None:
    print(f"one EVALSHA per call, {AT_ONCE} in flight, {CALLS} calls, {URL}")
    results = {}
    for name, run in [("redis-py", redis_py), ("coredis", coredis_client), ("storage.resp", multiplexed)]:
        try:
            results[name] = asyncio.run(run())
        except ImportError as exc:
            print(f"  {name:>13}: not installed ({exc})")
            continue
        rate, cpu = results[name]
        print(f"  {name:>13}: {rate:8.0f} calls/s, {cpu:6.1f} µs client CPU per call")
    asyncio.run(clean())
    if "redis-py" in results and "storage.resp" in results:
        base, ours = results["redis-py"][1], results["storage.resp"][1]
        print(f"  client CPU per call, redis-py / storage.resp: {base:.1f} / {ours:.1f} = {base / ours:.1f}x")


if __name__ == "__main__":
    main()
