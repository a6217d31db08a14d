from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tortoise import Tortoise

from tests.conftest import open_test_db


@pytest.fixture
async def pg(pg_schema: None) -> AsyncIterator[str]:
    """PostgreSQL only (emptied first): the multi-relay and crash tests need row locks."""
    await open_test_db("postgres")
    yield "postgres"
    await Tortoise.close_connections()
