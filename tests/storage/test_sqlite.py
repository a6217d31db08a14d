"""The embedded default's SQLite file is written by two processes (``minyi serve`` and a staff
member's ``minyi-admin``). Regression (issue 9 acceptance, "database is locked"): a transaction
that read, then wrote after the other process had committed, failed at once; transactions now
take the write lock when they begin and the other writer waits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tortoise.backends.sqlite.client import SqliteClient

from storage.sqlite import ImmediateSqliteClient


async def two_writers(client_class: type[SqliteClient], path: Path) -> None:
    one, two = (
        client_class(file_path=str(path), connection_name=name, busy_timeout=5000) for name in ("a", "b")
    )
    await one.create_connection(with_db=True)
    await two.create_connection(with_db=True)
    await one.execute_script("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    try:

        async def read_then_write() -> None:
            async with one._in_transaction() as conn:
                await conn.execute_query("SELECT count(*) FROM t")
                await asyncio.sleep(0.3)  # meanwhile the other process writes and commits
                await conn.execute_query("INSERT INTO t VALUES (1)")

        async def write() -> None:
            await asyncio.sleep(0.1)
            async with two._in_transaction() as conn:
                await conn.execute_query("INSERT INTO t VALUES (2)")

        await asyncio.gather(read_then_write(), write())
    finally:
        await one.close()
        await two.close()


async def test_a_read_then_write_transaction_waits_for_the_other_writer(db: str, tmp_path: Path) -> None:
    await two_writers(ImmediateSqliteClient, tmp_path / "shared.db")


async def test_the_plain_deferred_transaction_failed(db: str, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="database is locked"):
        await two_writers(SqliteClient, tmp_path / "shared.db")


async def test_a_commit_by_another_process_is_told_once_without_reading_a_table(tmp_path: Path) -> None:
    """``storage.waits`` on the embedded default: ``PRAGMA data_version`` moves when another
    connection commits, not for this process's own writes."""
    import sqlite3

    from storage.db import close_db, open_db
    from storage.sqlite import written_elsewhere

    path = tmp_path / "w.db"
    await open_db(f"sqlite://{path}", apply_migrations=True)
    try:
        probe = written_elsewhere()
        assert await probe() is False  # the first call only reads where it stands
        from storage.models import DeadLetter

        await DeadLetter.create(channel="web", payload="ours")  # this process's own write
        assert await probe() is False
        other = sqlite3.connect(path)  # minyi-admin
        other.execute(
            "INSERT INTO dead_letter (channel, reason, payload, created_at)"
            " VALUES ('web', '', 'x', '2026-12-02')"
        )
        other.commit()
        other.close()
        assert await probe() is True
        assert await probe() is False
    finally:
        await close_db()
