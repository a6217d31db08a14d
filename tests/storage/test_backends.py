"""The state, lock and dedupe contracts, on memory and on Redis (and state on the database)."""

from __future__ import annotations

import asyncio

import pytest

from storage.backends import Backends
from storage.state import DatabaseStateStore, StateStore


async def check_state_contract(store: StateStore) -> None:
    assert await store.get("web:a") is None
    await store.set("web:a", b'{"v":1}')
    await store.set("web:b", "状态".encode())
    assert await store.get("web:a") == b'{"v":1}'
    await store.set("web:a", b"2")
    assert await store.get("web:a") == b"2"
    assert (await store.get("web:b") or b"").decode() == "状态"
    await store.delete("web:a")
    await store.delete("web:missing")
    assert await store.get("web:a") is None


async def test_state_store_contract(backends: Backends) -> None:
    await check_state_contract(backends.state)


async def test_database_state_store_contract(any_db: str) -> None:
    await check_state_contract(DatabaseStateStore())


async def test_lock_serialises_one_user_in_arrival_order(backends: Backends) -> None:
    order: list[str] = []

    async def work(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with backends.locks.lock("web:u"):
            order.append(f"{name}+")
            await asyncio.sleep(0.02)
            order.append(f"{name}-")

    await asyncio.gather(work("a", 0), work("b", 0.005), work("c", 0.01))
    assert order == ["a+", "a-", "b+", "b-", "c+", "c-"]


async def test_lock_does_not_block_other_users(backends: Backends) -> None:
    async with backends.locks.lock("web:u1"):
        await asyncio.wait_for(_enter(backends, "web:u2"), timeout=1)


async def _enter(backends: Backends, key: str) -> None:
    async with backends.locks.lock(key):
        pass


async def test_dedupe_claims_once_and_recalls_the_reply(backends: Backends) -> None:
    results = await asyncio.gather(*(backends.dedupe.claim("wechat", "openid:1") for _ in range(5)))
    assert sum(r is not None for r in results) == 1
    assert await backends.dedupe.recall("wechat", "openid:1") is None
    await backends.dedupe.remember("wechat", "openid:1", b"reply")
    assert await backends.dedupe.recall("wechat", "openid:1") == b"reply"
    assert await backends.dedupe.claim("wechat", "openid:1") is None  # done: never claimed again
    assert await backends.dedupe.claim("telegram", "openid:1")  # channels do not collide


async def test_a_released_claim_is_claimed_again_and_failures_are_counted(backends: Backends) -> None:
    dedupe = backends.dedupe
    first = await dedupe.claim("wechat", "m:2")
    assert first is not None and await dedupe.renew("wechat", "m:2", first)
    assert await dedupe.claim("wechat", "m:2") is None  # held
    assert await dedupe.release("wechat", "m:2", "not-mine") == 0  # only the holder releases
    assert await dedupe.release("wechat", "m:2", first) == 1
    second = await dedupe.claim("wechat", "m:2")  # the platform's retry runs the step again
    assert second is not None and not await dedupe.renew("wechat", "m:2", first)
    assert await dedupe.release("wechat", "m:2", second) == 2
    assert await dedupe.once("wechat", "m:3") and not await dedupe.once("wechat", "m:3")


async def test_a_dead_holders_redis_claim_lapses_and_is_taken_over(redis: object) -> None:
    from storage.backends import redis_client
    from storage.dedupe import RedisDeduper
    from tests.services import REDIS_URL

    client = redis_client(REDIS_URL)
    dead, alive = RedisDeduper(client, lease_s=0.2), RedisDeduper(client, lease_s=0.2)
    token = await dead.claim("telegram", "lapse")
    assert token is not None and await alive.claim("telegram", "lapse") is None
    await asyncio.sleep(0.3)  # the holder was killed: nobody renews its lease
    assert await alive.claim("telegram", "lapse") is not None
    assert not await dead.renew("telegram", "lapse", token)
    await client.aclose()


@pytest.mark.parametrize("ttl", [1])
async def test_memory_dedupe_forgets_after_ttl(ttl: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.dedupe import memory

    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    d = memory.MemoryDeduper(ttl_s=ttl)
    assert await d.claim("c", "k")
    assert not await d.claim("c", "k")
    clock[0] += 2
    assert await d.claim("c", "k")


async def test_redis_lock_excludes_across_processes(redis: object) -> None:
    """Two lock objects with separate clients stand for two processes: never both inside."""
    from storage.backends import redis_client
    from storage.locks import RedisUserLocks
    from tests.services import REDIS_URL

    clients = [redis_client(REDIS_URL), redis_client(REDIS_URL)]
    procs = [RedisUserLocks(c) for c in clients]
    inside, peak = 0, 0

    async def work(locks: RedisUserLocks) -> None:
        nonlocal inside, peak
        for _ in range(5):
            async with locks.lock("web:shared"):
                inside += 1
                peak = max(peak, inside)
                await asyncio.sleep(0.005)
                inside -= 1

    await asyncio.gather(*(work(p) for p in procs for _ in range(2)))
    assert peak == 1
    for c in clients:
        await c.aclose()
