"""Turns: one citizen's step has their state to itself, on memory and on Redis."""

from __future__ import annotations

import asyncio

import pytest

from storage import keys
from storage.backends import Backends
from storage.locks.redis import LockTimeout
from storage.turns import LockLost, RedisTurns


async def test_a_turn_loads_saves_and_serialises(backends: Backends) -> None:
    assert backends.turns is not None
    async with backends.turns.turn("web:u") as turn:
        assert turn.state is None
        turn.save(b"1")
    order: list[bytes | None] = []

    async def step(value: bytes) -> None:
        assert backends.turns is not None
        async with backends.turns.turn("web:u") as turn:
            order.append(turn.state)
            await asyncio.sleep(0.01)
            turn.save(value)

    await asyncio.gather(step(b"2"), step(b"3"), step(b"4"))
    assert order == [b"1", b"2", b"3"]  # each saw the one before it
    assert await backends.state.get("web:u") == b"4"


async def test_a_turn_without_save_keeps_the_state(backends: Backends) -> None:
    await backends.state.set("web:v", b"kept")
    assert backends.turns is not None
    async with backends.turns.turn("web:v") as turn:
        assert turn.state == b"kept"
    assert await backends.state.get("web:v") == b"kept"


async def test_an_expired_turn_cannot_overwrite_a_newer_state(redis: object) -> None:
    from storage.backends import redis_client
    from tests.services import REDIS_URL

    client = redis_client(REDIS_URL)
    slow, fast = RedisTurns(client, lock_ms=50), RedisTurns(client, lock_ms=5000)
    with pytest.raises(LockLost):
        async with slow.turn("web:w") as turn:
            await client.delete(keys.lock("web:w"))  # as if its process had been paused too long
            async with fast.turn("web:w") as other:
                other.save(b"newer")
            turn.save(b"stale")
            turn.finish("web", "m1", b"[]")
    async with fast.turn("web:w") as check:
        assert check.state == b"newer"
    assert await client.get(keys.dedupe("web", "m1")) is None  # not done: its retry runs again
    await client.aclose()


async def test_a_live_turn_keeps_its_lock_past_the_lease_and_a_dead_ones_lapses(redis: object) -> None:
    from storage.backends import redis_client
    from tests.services import REDIS_URL

    client = redis_client(REDIS_URL)
    turns, other_process = RedisTurns(client, lock_ms=150), RedisTurns(client, lock_ms=150, wait_s=0.05)
    async with turns.turn("web:live") as turn:
        await asyncio.sleep(0.4)  # longer than the lease: renewed meanwhile
        with pytest.raises(LockTimeout):
            async with other_process.turn("web:live"):
                pass
        turn.save(b"mine")
        turn.finish("web", "m2", b"[]")
    assert await client.get(keys.dedupe("web", "m2")) == b"done"
    await client.set(keys.lock("web:dead"), "killed", px=150)  # a holder killed mid-step
    async with RedisTurns(client, lock_ms=150, wait_s=1.0).turn("web:dead") as later:
        assert later.state is None  # taken within the lease, not 30 s later
    await client.aclose()
