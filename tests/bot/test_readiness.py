"""``/healthz`` is liveness, ``/readyz`` says whether the database and Redis answer (and why not),
checking each at most once a second; ``minyi serve`` will not keep drafts in a Redis that loses
them on a restart unless told so."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.readiness import CachedCheck
from storage.config import Settings
from storage.errors import StartupError
from storage.redis_check import require_durable
from tests.acceptance.processes import Process, clean_env, script
from tests.apps import Served, make_config
from tests.redis_server import free_port, private_redis

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def settings_with(tmp_path: Path, **values: Any) -> Settings:
    return Settings(database_url="sqlite://:memory:", media_dir=tmp_path, _env_file=None, **values)


async def probe(client: TestClient[Any, Any]) -> tuple[int, dict[str, Any], float]:
    """``GET /readyz``: status, body and how long it took."""
    started = time.monotonic()
    resp = await client.get("/readyz")
    return resp.status, await resp.json(), time.monotonic() - started


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never answers (a hung dependency)."""
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.transport.abort()
        server.close()


@pytest.mark.usefixtures("db")
async def test_ready_when_the_database_and_redis_answer(served: Served, tmp_path: Path) -> None:
    async with private_redis(tmp_path / "redis") as redis:
        client = await served.start(make_config(settings_with(tmp_path, redis_url=redis.url)))
        status, body, _ = await probe(client)
    assert (status, body) == (200, {"status": "ready"})


@pytest.mark.usefixtures("db")
async def test_not_ready_while_redis_is_down_but_still_alive(served: Served, tmp_path: Path) -> None:
    client = await served.start(make_config(settings_with(tmp_path, redis_url=CLOSED)))
    status, body, took = await probe(client)
    assert status == 503 and body["status"] == "not ready"
    [failed] = body["failed"]
    assert failed["dependency"] == "redis" and failed["error"] == "ConnectionError"
    assert "Redis" in failed["message"] and "MINYI_REDIS_URL" in failed["message"]
    assert took < 1.5
    assert (await client.get("/healthz")).status == 200


async def test_not_ready_while_the_database_is_down(served: Served, tmp_path: Path) -> None:
    from tortoise import Tortoise

    from storage.db import tortoise_config

    await Tortoise.init(
        config=tortoise_config("postgres://postgres@127.0.0.1:1/minyi"), _enable_global_fallback=True
    )
    try:
        client = await served.start(make_config(settings_with(tmp_path)))
        status, body, took = await probe(client)
        assert status == 503
        [failed] = body["failed"]
        assert failed == {
            "dependency": "database",
            "error": "ConnectionRefusedError",
            "message": failed["message"],
        }
        assert "数据库" in failed["message"] and took < 1.5
        assert (await client.get("/healthz")).status == 200
        await served.close()
    finally:
        await Tortoise.close_connections()


@pytest.mark.usefixtures("db")
async def test_a_dependency_that_hangs_is_not_ready_within_about_a_second(
    served: Served, tmp_path: Path
) -> None:
    async with silent_server() as port:
        client = await served.start(
            make_config(settings_with(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0"))
        )
        status, body, took = await probe(client)
    assert status == 503 and body["failed"][0]["error"] == "TimeoutError"
    assert 0.9 <= took < 1.6


@pytest.mark.usefixtures("db")
async def test_each_dependency_is_checked_at_most_once_a_second_however_many_probes(
    served: Served, tmp_path: Path
) -> None:
    async with private_redis(tmp_path / "redis") as redis:
        client = await served.start(make_config(settings_with(tmp_path, redis_url=redis.url)))
        admin = Redis.from_url(redis.url)
        try:
            await admin.config_resetstat()
            bursts, pings = [], []
            for _ in range(2):
                answers = await asyncio.gather(*(probe(client) for _ in range(100)))
                bursts.append({status for status, _, _ in answers})
                pings.append((await admin.info("commandstats")).get("cmdstat_ping", {}).get("calls", 0))
                await asyncio.sleep(1.05)
        finally:
            await admin.aclose()
    assert bursts == [{200}, {200}]
    assert pings == [1, 2]  # 100 probes, one PING; a second later, one more


async def test_a_check_in_flight_is_shared_and_its_result_kept_for_the_cache_time() -> None:
    calls = 0
    now = [0.0]

    async def slow() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)

    check = CachedCheck("redis", slow, timeout_s=1.0, cache_s=1.0, clock=lambda: now[0])
    assert await asyncio.gather(*(check.result() for _ in range(20))) == [None] * 20
    now[0] = 0.9
    await check.result()
    assert calls == 1
    now[0] = 1.0
    await check.result()
    assert calls == 2


async def test_a_redis_that_forbids_config_is_asked_through_info(tmp_path: Path) -> None:
    async with private_redis(tmp_path / "redis", extra=("--rename-command", "CONFIG", "")) as redis:
        client = Redis.from_url(redis.url)
        try:
            assert await require_durable(client, volatile_ok=False) == "AOF 持久化"
        finally:
            await client.aclose()


async def test_serve_refuses_a_redis_without_persistence_unless_told(tmp_path: Path) -> None:
    async with private_redis(tmp_path / "redis", aof=False) as redis:
        client = Redis.from_url(redis.url)
        try:
            with pytest.raises(StartupError):
                await require_durable(client, volatile_ok=False)
        finally:
            await client.aclose()
        port = free_port()
        env = clean_env(
            {
                "MINYI_DATABASE_URL": f"sqlite://{tmp_path}/minyi.db",
                "MINYI_REDIS_URL": redis.url,
                "MINYI_PORT": str(port),
                "MINYI_MEDIA_DIR": str(tmp_path / "media"),
            }
        )
        refused = Process("serve-volatile", [script("minyi"), "serve"], env, tmp_path)
        told_env = {**env, "MINYI_REDIS_VOLATILE_OK": "true"}
        told = Process("serve-told", [script("minyi"), "serve"], told_env, tmp_path)
        await asyncio.gather(refused.start(), told.start())  # side by side: each start takes seconds
        try:
            assert refused.proc is not None and await asyncio.wait_for(refused.proc.wait(), 60) == 1
            [line] = refused.err_path.read_text().splitlines()
            assert "appendonly yes" in line and "appendfsync everysec" in line
            assert "MINYI_REDIS_VOLATILE_OK" in line
            await told.wait_healthz(f"http://127.0.0.1:{port}")
            await told.wait_line("重启时群众正在填写的内容会丢失")
        finally:
            await told.stop()
