"""Turns: one citizen's step has their state to itself, on memory and on Redis."""

from __future__ import annotations

import asyncio

from storage.backends import Backends
from storage.turns import RedisTurns


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
    async with slow.turn("web:w") as turn:
        await asyncio.sleep(0.1)  # the lock expires while this step still runs
        async with fast.turn("web:w") as other:
            other.save(b"newer")
        turn.save(b"stale")
    async with fast.turn("web:w") as check:
        assert check.state == b"newer"
    await client.aclose()
