"""The customer-service window and quota, counted once, in memory, in the database (no Redis)
and in Redis: every message the account sends in it (reply overflow and notices) takes a slot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from tortoise import Tortoise

from bot.channels.wechat.window import DatabaseWindow, MemoryWindow, RedisWindow, Window
from tests.conftest import open_test_db
from tests.services import REDIS_URL, require


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "database", "redis"])
async def window(request: pytest.FixtureRequest, clock: Clock) -> AsyncIterator[Window]:
    if request.param == "memory":
        yield MemoryWindow(hours=48, quota=5, clock=clock)
        return
    if request.param == "database":
        await open_test_db("sqlite")
        yield DatabaseWindow(hours=48, quota=5, clock=clock)
        await Tortoise.close_connections()
        return
    require(REDIS_URL, "Redis")
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    yield RedisWindow(redis, hours=48, quota=5, clock=clock)
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_no_message_no_window(window: Window) -> None:
    assert await window.state("o1") is None
    assert not await window.reserve("o1")


async def test_five_messages_per_window_then_shut(window: Window) -> None:
    await window.opened("o1")
    assert [await window.reserve("o1") for _ in range(6)] == [True] * 5 + [False]
    await window.opened("o1")  # the citizen writes again: a fresh quota
    assert await window.reserve("o1")


async def test_the_last_slot_can_be_kept_back(window: Window) -> None:
    await window.opened("o1")
    assert [await window.reserve("o1", last_ok=False) for _ in range(5)] == [True] * 4 + [False]
    assert await window.reserve("o1", last_ok=True)  # the important one takes it
    assert not await window.reserve("o1", last_ok=True)


async def test_a_refund_gives_the_slot_back(window: Window) -> None:
    await window.opened("o1")
    for _ in range(5):
        assert await window.reserve("o1")
    await window.refund("o1")
    assert await window.reserve("o1") and not await window.reserve("o1")


async def test_window_closes_after_48_hours(window: Window, clock: Clock) -> None:
    await window.opened("o1")
    clock.now += 47 * 3600
    assert await window.reserve("o1")
    clock.now += 3600
    assert not await window.reserve("o1")


async def test_shut_when_the_platform_says_so_or_the_citizen_unsubscribes(window: Window) -> None:
    await window.opened("o1")
    await window.shut("o1")
    assert not await window.reserve("o1")
    await window.opened("o1")
    assert await window.reserve("o1")


async def test_two_processes_count_one_database_window(clock: Clock) -> None:
    await open_test_db("sqlite")
    try:
        server, relay = DatabaseWindow(quota=3, clock=clock), DatabaseWindow(quota=3, clock=clock)
        await server.opened("o1")  # minyi serve saw the message
        await server.flush()  # its renewals are written in batches, at most batch_s later
        assert [await relay.reserve("o1") for _ in range(2)] == [True, True]  # minyi notifier
        assert await server.reserve("o1") and not await relay.reserve("o1")
        assert await server.state("o1") == (clock.now, 3)
    finally:
        await Tortoise.close_connections()


async def test_every_message_renews_the_quota(window: Window) -> None:
    """Regression (issue 9 acceptance): renewals skipped for 30 s per process kept the slots of the
    earlier window spent, and a citizen who kept writing had their sixth notice held."""
    await window.opened("o1")
    assert [await window.reserve("o1") for _ in range(5)] == [True] * 5
    await window.opened("o1")  # a second later
    assert await window.reserve("o1")
