"""The SQLite engine of the embedded default: tortoise's own, with write transactions that take the
write lock when they begin (``BEGIN IMMEDIATE``).

``minyi serve`` and a staff member's ``minyi-admin`` share the file. A deferred transaction that
read first and writes later fails at once with "database is locked" when the other process
committed in between (WAL cannot upgrade a stale read snapshot); an immediate one waits for the
other writer instead (``busy_timeout``). Named as the engine in ``storage.db.tortoise_config``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable

from tortoise import connections
from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient


def written_elsewhere() -> Callable[[], Awaitable[bool]]:
    """A probe: True when another connection (another process: ``minyi-admin``) committed to the
    database since the probe's last call (``PRAGMA data_version``; no table is read)."""
    last: int | None = None

    async def probe() -> bool:
        nonlocal last
        rows = await connections.get("default").execute_query_dict("PRAGMA data_version")
        version = int(rows[0]["data_version"])
        changed, last = last is not None and version != last, version
        return changed

    return probe
