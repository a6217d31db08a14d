"""tortoise's asyncpg ``execute_query`` runs statements starting with INSERT through
``connection.execute`` and returns no rows, so ``INSERT … RETURNING`` of the ticket counter came
back empty on PostgreSQL (IndexError at the first submit)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from storage.tickets import next_ticket
from storage.workflow.clocks import DEFAULT


async def test_counter_upsert_returns_its_value(any_db: str) -> None:
    now = datetime(2026, 11, 22, 3, tzinfo=UTC)
    async with in_transaction() as conn:
        assert await next_ticket(conn, "suggestion", now, DEFAULT.zone) == "JY-20261122-0001"
        assert await next_ticket(conn, "suggestion", now, DEFAULT.zone) == "JY-20261122-0002"
