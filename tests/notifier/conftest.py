from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from tests.conftest import open_test_db


@pytest.fixture
async def pg(pg_schema: None) -> AsyncIterator[str]:
    """PostgreSQL only (emptied first): the multi-relay and crash tests need row locks.

    Tortoise caches INSERT statements per connection name, not per dialect: after a SQLite
    test they would carry ``?`` placeholders, so the cache is emptied first."""
    EXECUTOR_CACHE.clear()
    await open_test_db("postgres")
    yield "postgres"
    await Tortoise.close_connections()
