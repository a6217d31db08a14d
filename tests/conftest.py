"""Fixtures: databases (SQLite in memory by default, PostgreSQL on request), Redis, backends,
and the aiohttp app with its test client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from storage.backends import Backends, build_backends
from storage.config import Settings
from storage.db import migrate, tortoise_config
from storage.dedupe import MemoryDeduper
from storage.locks import MemoryUserLocks
from storage.state import MemoryStateStore
from tests.apps import Served, make_config, service_app
from tests.services import PG_URL, REDIS_URL, require

_pg_migrated = False


def _reset_pg_schema() -> None:
    """Once per session: an empty ``public`` schema, then every migration applied."""
    global _pg_migrated
    if _pg_migrated:
        return

    async def reset() -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
        await migrate(PG_URL)

    with ThreadPoolExecutor(1) as pool:  # its own loop: callers may be inside a running one
        pool.submit(asyncio.run, reset()).result()
    _pg_migrated = True


async def _truncate_all() -> None:
    conn = Tortoise.get_connection("default")
    tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]  # type: ignore[union-attr]
    tables.append("item_department")
    await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


async def open_test_db(kind: str) -> None:
    # tortoise caches insert SQL per (connection name, table), not per dialect: one process
    # switching between SQLite and PostgreSQL (only tests do) must drop it.
    EXECUTOR_CACHE.clear()
    if kind == "postgres":
        require(PG_URL, "PostgreSQL")
        _reset_pg_schema()
        await Tortoise.init(config=tortoise_config(PG_URL), _enable_global_fallback=True)
        await _truncate_all()
    else:
        await Tortoise.init(config=tortoise_config("sqlite://:memory:"), _enable_global_fallback=True)
        await Tortoise.generate_schemas()


@pytest.fixture(scope="session")
def pg_schema() -> str:
    """PostgreSQL with every migration applied (once per session); its URL."""
    require(PG_URL, "PostgreSQL")
    _reset_pg_schema()
    return PG_URL


@pytest.fixture
async def db() -> AsyncIterator[str]:
    """A fresh in-memory SQLite database."""
    await open_test_db("sqlite")
    yield "sqlite"
    await Tortoise.close_connections()


@pytest.fixture(params=["sqlite", "postgres"])
async def any_db(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The same test on SQLite and on PostgreSQL (emptied before each test)."""
    await open_test_db(request.param)
    yield request.param
    await Tortoise.close_connections()


@pytest.fixture
async def pg_db() -> AsyncIterator[str]:
    """PostgreSQL only: for races that need several real connections."""
    await open_test_db("postgres")
    yield "postgres"
    await Tortoise.close_connections()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    require(REDIS_URL, "Redis")
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(database_url="sqlite://:memory:", media_dir=tmp_path / "media", _env_file=None)


def memory_backends() -> Backends:
    return Backends(state=MemoryStateStore(), locks=MemoryUserLocks(), dedupe=MemoryDeduper())


@pytest.fixture(params=["memory", "redis"])
async def backends(request: pytest.FixtureRequest) -> AsyncIterator[Backends]:
    """State, locks and dedupe in memory and in Redis: contract tests run on both."""
    if request.param == "memory":
        yield memory_backends()
        return
    require(REDIS_URL, "Redis")
    made = build_backends(Settings(redis_url=REDIS_URL, _env_file=None))
    assert made.redis is not None
    await made.redis.flushdb()
    yield made
    await made.redis.flushdb()
    await made.close()


@pytest.fixture
async def app(db: str, settings: Settings) -> AsyncIterator[web.Application]:
    """``minyi serve``'s app with no platform channel (web chat only), on the test database."""
    async with service_app(make_config(settings)) as (application, _):
        yield application


@pytest.fixture
async def client(
    app: web.Application, aiohttp_client: Callable[[web.Application], Any]
) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(app)
    return result


@pytest.fixture
async def served(aiohttp_client: Callable[[web.Application], Any]) -> AsyncIterator[Served]:
    """``await served.start(config)``: a test client of ``minyi serve``'s app for that config."""
    running = Served(aiohttp_client)
    yield running
    await running.close()
