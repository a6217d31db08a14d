"""Migration 0002 rebuilt the citizen table on SQLite to drop two columns, and the rebuild lost the
unique (channel, external_id): two first messages of one person at once could make two citizen
rows, and every lookup of a chat user scanned the table. 0003 puts it (and the verified phone's
index) back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import migrate


async def test_a_chat_user_is_one_row_and_found_by_index(tmp_path: Path) -> None:
    path = tmp_path / "minyi.db"
    await migrate(f"sqlite://{path}")
    db = sqlite3.connect(path)
    try:
        insert = (
            "insert into citizen (channel, external_id, created_at, reachable, window_sent)"
            " values (?, ?, 0, 1, 0)"
        )
        db.execute(insert, ("web", "x"))
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(insert, ("web", "x"))
        plan = db.execute(
            "explain query plan select id from citizen where channel = 'web' and external_id = 'x'"
        ).fetchall()
        assert "USING" in str(plan) and "INDEX" in str(plan), plan
        plan = db.execute("explain query plan select id from citizen where verified_phone = '1'").fetchall()
        assert "INDEX" in str(plan), plan
    finally:
        db.close()
