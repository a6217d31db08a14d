"""The customer-service window and quota, in memory and in Redis."""

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
    yield RedisWindow(redis, hours=48, quota=5, clock=clock, refresh_s=0)
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_no_message_no_window(window: Window) -> None:
    assert not await window.can_send("o1")
    assert not await window.reserve("o1")


async def test_five_messages_per_window_then_shut(window: Window) -> None:
    await window.opened("o1")
    assert [await window.reserve("o1") for _ in range(6)] == [True] * 5 + [False]
    assert not await window.can_send("o1")
    await window.opened("o1")  # the citizen writes again: a fresh quota
    assert await window.can_send("o1")


async def test_window_closes_after_48_hours(window: Window, clock: Clock) -> None:
    await window.opened("o1")
    clock.now += 47 * 3600
    assert await window.can_send("o1")
    clock.now += 3600
    assert not await window.can_send("o1") and not await window.reserve("o1")


async def test_unsubscribe_closes_it(window: Window) -> None:
    await window.opened("o1")
    await window.closed("o1")
    assert not await window.can_send("o1")


async def test_database_window_counts_notices_sent_by_customer_service(clock: Clock) -> None:
    from datetime import UTC, datetime

    from storage.models import Citizen, Outbox

    await open_test_db("sqlite")
    try:
        window = DatabaseWindow(hours=48, quota=2, clock=clock)
        await window.opened("o1")
        citizen = await Citizen.get(channel="wechat", external_id="o1")
        for n in range(2):
            await Outbox.create(
                citizen=citizen,
                channel="wechat",
                kind="accepted",
                text="x",
                status="sent",
                dedupe_key=f"k{n}",
                sent_via="customer_service",
                sent_at=datetime.fromtimestamp(clock.now + 1, UTC),
            )
        assert not await window.can_send("o1")  # another process (the notifier) spent the quota
    finally:
        await Tortoise.close_connections()
