"""``/metrics`` is cheap and can be protected: the outbox gauges come from a background read every
few seconds (a scrape never waits for the database, and keeps the last values while it is down),
a bearer token can be required, and ``MINYI_METRICS_PORT`` moves it off the public port."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from notifier import metrics
from storage.config import Settings
from storage.models import Outbox
from tests.acceptance.processes import Process, clean_env, script
from tests.apps import Served, make_config
from tests.notifier.fakes import citizen, item, notices
from tests.redis_server import free_port
from tests.reliability.tcp_proxy import TcpProxy, postgres_through_proxy

FAST = 0.05  # MINYI_METRICS_REFRESH_SECONDS in these tests
FAILURES = "minyi_metrics_refresh_failures_total"


def settings_with(tmp_path: Path, **values: Any) -> Settings:
    values = {"database_url": "sqlite://:memory:", **values}
    return Settings(metrics_refresh_seconds=FAST, media_dir=tmp_path, _env_file=None, **values)


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a Prometheus text body (None when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, body, re.MULTILINE)
    return float(found.group(1)) if found else None


async def scrape(client: TestClient[Any, Any], **headers: str) -> str:
    resp = await client.get("/metrics", headers=headers)
    assert resp.status == 200, resp.status
    return await resp.text()


async def until_shown(client: TestClient[Any, Any], name: str, value: float, **labels: str) -> str:
    """Scrape until the sample shows ``value`` (the background read runs every ``FAST`` s)."""
    async with asyncio.timeout(3):
        while sample(body := await scrape(client), name, **labels) != value:
            await asyncio.sleep(FAST / 2)
    return body


async def seed_outbox() -> None:
    """Telegram: 2 pending; web: 1 held, 1 sent (taken over twice while sending); the gauges
    forget what earlier tests of this process left in them."""
    metrics.NOTICES.clear()
    tg = await citizen("telegram", "t1")
    web = await citizen("web", "w1")
    now = datetime.now(UTC)
    await notices(tg, await item(tg, 1), ["accept", "reply"], at=now)
    await notices(web, await item(web, 2), ["accept"], at=now, status="held")
    [sent] = await notices(web, await item(web, 3), ["accept"], at=now, status="sent")
    await Outbox.filter(id=sent.id).update(unknown_outcomes=2)


@pytest.mark.usefixtures("db")
async def test_a_scrape_shows_the_outbox_as_read_in_the_background(served: Served, tmp_path: Path) -> None:
    client = await served.start(make_config(settings_with(tmp_path)))
    await seed_outbox()
    body = await until_shown(client, "minyi_notices", 2, status="pending", channel="telegram")
    assert sample(body, "minyi_notices", status="held", channel="web") == 1
    assert sample(body, "minyi_notices", status="sent", channel="web") == 1
    assert sample(body, "minyi_notices", status="pending", channel="all") == 2
    assert sample(body, "minyi_notices", status="failed", channel="all") == 0
    assert sample(body, "minyi_notice_unknown_outcomes") == 2
    lag = sample(body, "minyi_relay_lag_seconds")
    assert lag is not None and 0 <= lag < 5

    await Outbox.filter(channel="telegram").update(status="sent")
    body = await until_shown(client, "minyi_notices", 2, status="sent", channel="telegram")
    assert sample(body, "minyi_notices", status="pending", channel="telegram") is None
    assert sample(body, "minyi_notices", status="pending", channel="all") == 0


@pytest.fixture
async def pg_through_proxy(pg_schema: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    async with postgres_through_proxy(pg_schema) as opened:
        yield opened


async def test_while_the_database_is_down_a_scrape_answers_at_once_with_the_last_values(
    pg_through_proxy: tuple[TcpProxy, str],
    served: Served,  # after the database: closed before it
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy, url = pg_through_proxy
    client = await served.start(make_config(settings_with(tmp_path, database_url=url)))
    await seed_outbox()
    await until_shown(client, "minyi_notices", 2, status="pending", channel="telegram")
    failed_before = sample(await scrape(client), FAILURES) or 0.0

    with caplog.at_level(logging.INFO, logger="notifier.metrics"):
        await proxy.cut()
        await asyncio.sleep(FAST * 8)  # several refreshes fail
        started = time.monotonic()
        body = await scrape(client)
        took = time.monotonic() - started
        await proxy.restore()
        await until_shown(client, "minyi_notices", 2, status="pending", channel="telegram")
        await asyncio.sleep(FAST * 3)

    assert took < 0.2
    assert sample(body, "minyi_notices", status="pending", channel="telegram") == 2  # kept
    assert (sample(body, FAILURES) or 0) - failed_before >= 3
    logged = [r for r in caplog.records if r.name == "notifier.metrics"]
    assert [r.levelno for r in logged] == [logging.ERROR, logging.INFO]  # once per streak, and back


@pytest.mark.usefixtures("db")
async def test_a_token_is_required_when_one_is_set(served: Served, tmp_path: Path) -> None:
    client = await served.start(make_config(settings_with(tmp_path, metrics_token="s3cret-token")))
    assert (await client.get("/metrics")).status == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-toke"})
    assert wrong.status == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    assert "minyi_notices" in await scrape(client, Authorization="Bearer s3cret-token")
    assert (await client.get("/healthz")).status == 200


async def test_serve_with_a_metrics_port_serves_metrics_there_only(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    env = clean_env(
        {
            "MINYI_DATABASE_URL": f"sqlite://{tmp_path}/minyi.db",
            "MINYI_PORT": str(port),
            "MINYI_METRICS_PORT": str(metrics_port),
            "MINYI_METRICS_TOKEN": "s3cret-token",
            "MINYI_MEDIA_DIR": str(tmp_path / "media"),
        }
    )
    serve = Process("serve-metrics-port", [script("minyi"), "serve"], env, tmp_path)
    await serve.start()
    try:
        await serve.wait_healthz(f"http://127.0.0.1:{port}")
        await serve.wait_line(f"http://127.0.0.1:{metrics_port}/metrics")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/metrics") as public:
                assert public.status == 404
            url = f"http://127.0.0.1:{metrics_port}/metrics"
            async with session.get(url) as anonymous:
                assert anonymous.status == 401
            async with session.get(url, headers={"Authorization": "Bearer s3cret-token"}) as scraped:
                assert scraped.status == 200 and "minyi_notices" in await scraped.text()
    finally:
        await serve.stop()
