"""Running a test's coroutine with the database open, and always closed afterwards (the shipped
commands open it through ``bot.root.database``; a forgotten close hangs the process)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage.db import close_db, open_db

T = TypeVar("T")


async def with_db(url: str, work: Callable[[], Awaitable[T]], *, migrate: bool) -> T:
    """``work()`` between opening (migrating only when asked) and closing the database."""
    await open_db(url, apply_migrations=migrate)
    try:
        return await work()
    finally:
        await close_db()


def run_with_db(url: str, work: Callable[[], Awaitable[T]], *, migrate: bool) -> T:
    """``asyncio.run`` of ``with_db``."""
    return asyncio.run(with_db(url, work, migrate=migrate))
