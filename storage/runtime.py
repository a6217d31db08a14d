"""Running a command-line coroutine with the database open, and always closed afterwards
(Typer skips ``async def`` commands; a forgotten ``close_connections`` hangs the process)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage.config import Settings
from storage.db import close_db, open_db

T = TypeVar("T")


def run_with_db(settings: Settings, work: Callable[[], Awaitable[T]], *, migrate: bool = True) -> T:
    """``asyncio.run`` ``work()`` between opening (and migrating) and closing the database."""

    async def main() -> T:
        await open_db(settings.database_url, apply_migrations=migrate)
        try:
            return await work()
        finally:
            await close_db()

    return asyncio.run(main())
