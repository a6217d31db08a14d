"""The relay against the local fake platform over HTTP: 429 with retry_after, 5xx then success,
and a blocked user (403), mapped onto the error tree by the HTTP sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from notifier.policy import Policy
from notifier.relay import Backoff, Relay
from storage.models import Citizen, Outbox
from tests.notifier.fakes import T0, citizen, notices
from tests.notifier.platform import FakePlatform, HttpSender

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


class Clock:
    now = T0

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


async def run(platform: FakePlatform, clock: Clock) -> None:
    sender = HttpSender(platform.url)
    try:
        policy = Policy(push_channels=frozenset({"telegram"}))
        await Relay({"telegram": sender}, policy, clock=clock, backoff=Backoff(10, rand=lambda: 1.0)).drain()
    finally:
        await sender.aclose()


async def test_429_then_5xx_then_success_over_http(platform: FakePlatform) -> None:
    clock = Clock()
    owner = await citizen("telegram", "42")
    [row] = await notices(owner, None, ["accept"])
    platform.answers = [429, 502]
    await run(platform, clock)
    assert (await Outbox.get(id=row.id)).next_attempt_at == T0 + timedelta(seconds=1)  # retry_after
    clock.now += timedelta(seconds=1)
    await run(platform, clock)  # 502: backoff
    after_5xx = await Outbox.get(id=row.id)
    assert (after_5xx.status, after_5xx.attempts) == ("pending", 1) and "502" in after_5xx.last_error
    clock.now += timedelta(seconds=10)
    await run(platform, clock)
    assert [i for i, _ in platform.received] == [row.id]
    assert (await Outbox.get(id=row.id)).status == "sent"


async def test_403_marks_the_citizen_unreachable(platform: FakePlatform) -> None:
    owner = await citizen("telegram", "42")
    [row] = await notices(owner, None, ["accept"])
    platform.answers = [403]
    await run(platform, Clock())
    assert (await Outbox.get(id=row.id)).status == "failed"
    assert not (await Citizen.get(id=owner.id)).reachable
