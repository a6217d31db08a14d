"""Ticket numbers ``JY-YYYYMMDD-NNNN`` / ``TS-YYYYMMDD-NNNN``: one atomic counter row per day."""

from __future__ import annotations

from datetime import datetime, tzinfo

from tortoise.backends.base.client import BaseDBAsyncClient

PREFIXES = {"suggestion": "JY", "complaint": "TS"}

_UPSERT = (
    "INSERT INTO ticket_counter (key, value) VALUES ({p}, 1) "
    "ON CONFLICT (key) DO UPDATE SET value = ticket_counter.value + 1 RETURNING value"
)


async def next_ticket(conn: BaseDBAsyncClient, kind: str, now: datetime, zone: tzinfo) -> str:
    """Issue the next number for ``kind`` on the date of ``now`` in ``zone``, inside ``conn``'s transaction.

    The upsert takes a row lock (PostgreSQL) or the database lock (SQLite), so racing
    submissions in one second, in one process or many, never get the same number.
    """
    day = now.astimezone(zone).strftime("%Y%m%d")
    key = f"{PREFIXES[kind]}-{day}"
    placeholder = "$1" if conn.capabilities.dialect == "postgres" else "?"
    # execute_query_dict: tortoise's asyncpg execute_query drops the rows of an INSERT … RETURNING
    rows = await conn.execute_query_dict(_UPSERT.format(p=placeholder), [key])
    value = int(rows[0]["value"])
    return f"{key}-{value:04d}"
