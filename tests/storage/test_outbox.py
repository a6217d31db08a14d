"""Outbox queries on SQLite and PostgreSQL: leases, takeover, marks, held notices, staff retry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from storage import citizens, outbox
from storage.models import Citizen, Outbox
from tests.notifier.fakes import T0, citizen, item, notices

pytestmark = pytest.mark.usefixtures("any_db")


@pytest.fixture(autouse=True)
def _pg_migrated_first(request: pytest.FixtureRequest) -> None:
    """Migrate PostgreSQL from a sync fixture: ``any_db`` asks for ``pg_schema`` from inside its
    event loop, where the schema reset's ``asyncio.run`` cannot run (autouse runs before it).
    Tortoise caches INSERT statements per connection name, not per dialect: forget them."""
    EXECUTOR_CACHE.clear()
    if request.node.callspec.params.get("any_db") == "postgres":
        request.getfixturevalue("pg_schema")


async def test_claim_leases_rows_and_a_live_lease_is_not_claimed_again() -> None:
    owner = await citizen("telegram", "t")
    rows = await notices(owner, None, ["a", "b"])
    claimed = await outbox.claim("relay-a", limit=10, lease_s=60, now=T0)
    assert [c.id for c in claimed] == [r.id for r in rows]
    assert all(c.attempts == 1 and not c.took_over and c.recipient == "t" for c in claimed)
    assert await outbox.claim("relay-b", limit=10, lease_s=60, now=T0 + timedelta(seconds=59)) == []
    row = await Outbox.get(id=rows[0].id)
    assert (row.status, row.claim_token, row.lease_until) == (
        "sending",
        "relay-a",
        T0 + timedelta(seconds=60),
    )


async def test_expired_lease_is_taken_over_and_counted_and_the_old_relay_cannot_mark() -> None:
    owner = await citizen("telegram", "t")
    [row] = await notices(owner, None, ["a"])
    await outbox.claim("dead", limit=10, lease_s=60, now=T0)
    [again] = await outbox.claim("alive", limit=10, lease_s=60, now=T0 + timedelta(seconds=61))
    assert again.took_over and again.attempts == 2
    assert await outbox.mark_sent("dead", [row.id], "message", T0) == 0
    assert await outbox.mark_sent("alive", [row.id], "message", T0) == 1
    assert await outbox.unknown_outcomes() == 1
    assert (await Outbox.get(id=row.id)).status == "sent"


async def test_future_rows_are_not_due() -> None:
    owner = await citizen("telegram", "t")
    await notices(owner, None, ["a"], at=T0 + timedelta(minutes=5))
    assert await outbox.claim("r", limit=10, lease_s=60, now=T0) == []
    assert await outbox.oldest_due(T0) is None


async def test_concurrent_claims_never_share_a_row() -> None:
    for i in range(40):
        await notices(await citizen("telegram", f"t{i}"), None, ["a"])
    batches = await asyncio.gather(*(outbox.claim(f"r{i}", limit=7, lease_s=60, now=T0) for i in range(6)))
    ids = [c.id for b in batches for c in b]
    assert len(ids) == len(set(ids)) == 40


async def test_retry_and_marks() -> None:
    owner = await citizen("telegram", "t")
    rows = await notices(owner, None, ["a", "b", "c"])
    await outbox.claim("r", limit=10, lease_s=60, now=T0)
    await outbox.mark_failed("r", [rows[0].id], "unreachable")
    await outbox.mark_held("r", [rows[1].id], "window closed")
    await outbox.mark_retry("r", [rows[2].id], T0 + timedelta(seconds=30), "429", count_attempt=False)
    third = await Outbox.get(id=rows[2].id)
    assert (third.status, third.attempts, third.last_error) == ("pending", 0, "429")
    assert await outbox.retry([rows[2].id], now=T0) == 0  # pending rows are left alone
    assert await outbox.retry(all_failed=True, now=T0) == 1
    assert await outbox.retry([rows[1].id], now=T0) == 1
    assert [r["status"] for r in await outbox.list_notices()] == ["pending", "pending", "pending"]
    assert sorted(await outbox.counts()) == [("pending", "telegram", 3)]


async def test_take_held_returns_them_in_order_once_and_a_message_makes_them_reachable() -> None:
    owner = await citizen("wechat", "o")
    await Citizen.filter(id=owner.id).update(reachable=False)
    rows = await notices(owner, await item(owner), ["a", "b"], status="held")
    await citizens.touch_inbound("wechat", "o", T0)
    taken = await outbox.take_held("wechat", "o", T0)
    assert [r.id for r in taken] == [r.id for r in rows]
    assert await outbox.take_held("wechat", "o", T0) == []
    fresh = await Citizen.get(id=owner.id)
    assert (fresh.reachable, fresh.last_inbound_at) == (True, T0)


async def test_window_slots_are_taken_atomically_up_to_the_quota() -> None:
    await citizen("wechat", "o")
    await citizens.open_window("wechat", "o", T0)
    opened_after = T0 - timedelta(hours=48)
    results = await asyncio.gather(
        *(citizens.take_window_slot("wechat", "o", opened_after, 5) for _ in range(8))
    )
    assert sum(results) == 5
    assert not await citizens.take_window_slot("wechat", "o", T0 + timedelta(seconds=1), 9)  # too old


async def test_take_held_leaves_pending_rows_alone_while_one_is_being_sent() -> None:
    owner = await citizen("telegram", "t")
    about = await item(owner)
    [first] = await notices(owner, about, ["a"])
    await outbox.claim("r", limit=1, lease_s=60, now=T0)  # "a" is in flight
    [second] = await notices(owner, about, ["b"])
    assert await outbox.take_held("telegram", "t", T0) == []
    assert (await Outbox.get(id=second.id)).status == "pending"
    await outbox.mark_sent("r", [first.id], "message", T0)
    assert [r.id for r in await outbox.take_held("telegram", "t", T0)] == [second.id]
