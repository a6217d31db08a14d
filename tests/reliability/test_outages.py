"""Outages mid-form, on the scaled shape's backends (in-process service, real Redis/PostgreSQL):
a Redis restart keeps the citizen's draft (AOF), a PostgreSQL outage costs the citizen one clear
apology and a resend — nothing lost, nothing filed twice, recovery within 5 s."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from dialogs import texts
from storage.config import Settings
from storage.models import Item
from tests.answers import SUGGESTION_FROM_MENU
from tests.apps import Served, make_config
from tests.bot.channels.test_web import Page
from tests.redis_server import private_redis
from tests.reliability.tcp_proxy import TcpProxy, postgres_through_proxy
from tests.services import REDIS_URL

RECOVERY_S = 5.0
FORM = [*SUGGESTION_FROM_MENU, "确认"]
HALF = len(FORM) // 2
BEFORE_THE_OUTAGE = FORM[2]  # the subject, typed before the outage: the filed item must have it
FILED = texts.SUBMITTED["suggestion"].split("，")[0]  # "您的建议已收到"

Client = TestClient[Any, Any]


PAGES: dict[tuple[int, str], Page] = {}


async def web_say(client: Client, user: str, text: str) -> tuple[int, list[str]]:
    """One web message from ``user``'s page (its own session cookie, a fresh message id): the
    HTTP status and the replies."""
    page = PAGES.setdefault((id(client), user), Page(client))
    resp = await page.send(text)
    body = await resp.json() if resp.content_type == "application/json" else {}
    return resp.status, list(body.get("replies", []))


def identity_of(client: Client, user: str) -> str:
    """The citizen id the server gave ``user``'s page."""
    return PAGES[(id(client), user)].identity


async def answered(client: Client, user: str, text: str, *, until: Callable[[list[str]], bool]) -> list[str]:
    """Send ``text`` again and again, as a citizen told to retry would, until the replies satisfy
    ``until`` (failing after ``RECOVERY_S``)."""
    deadline = time.monotonic() + RECOVERY_S
    while True:
        status, replies = await web_say(client, user, text)
        if status == 200 and until(replies):
            return replies
        assert time.monotonic() < deadline, f"no answer within {RECOVERY_S} s: {status} {replies}"
        await asyncio.sleep(0.05)


def filed(replies: list[str]) -> bool:
    return any(r.startswith(FILED) for r in replies)


def a_question(replies: list[str]) -> bool:
    """The form's next question, not the apology."""
    return bool(replies) and texts.STEP_FAILED not in replies


async def walk(client: Client, user: str, answers: list[str]) -> None:
    for text in answers:
        status, replies = await web_say(client, user, text)
        assert status == 200 and texts.STEP_FAILED not in replies, (text, status, replies)


async def readyz(client: Client) -> tuple[int, set[str]]:
    """``/readyz``'s status and the dependencies it names as not ready."""
    resp = await client.get("/readyz")
    return resp.status, {f["dependency"] for f in (await resp.json()).get("failed", [])}


@pytest.mark.usefixtures("db")
async def test_a_redis_restart_mid_form_keeps_the_draft(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with private_redis(tmp_path / "redis") as redis:
        settings = Settings(
            database_url="sqlite://:memory:", redis_url=redis.url, media_dir=tmp_path, _env_file=None
        )
        client = await served.start(make_config(settings))
        await walk(client, "citizen-a", FORM[:HALF])

        await redis.stop(signal.SIGKILL)  # no shutdown: only what the AOF holds survives
        assert await readyz(client) == (503, {"redis"})
        status, replies = await web_say(client, "citizen-a", FORM[HALF])  # while Redis is down
        assert status == 503 and replies == [texts.STEP_FAILED]  # told to send again; nothing lost
        await redis.start()
        back = time.monotonic()
        await answered(client, "citizen-a", FORM[HALF], until=a_question)
        recovery = time.monotonic() - back

        await walk(client, "citizen-a", FORM[HALF + 1 : -1])
        _, replies = await web_say(client, "citizen-a", FORM[-1])
        assert filed(replies), replies
    [item] = await Item.filter(citizen__external_id=identity_of(client, "citizen-a"))
    assert BEFORE_THE_OUTAGE in item.title + str(item.fields_data)
    assert recovery <= RECOVERY_S
    with capsys.disabled():
        print(f"\n[outage] Redis SIGKILL + restart mid-form: draft kept, 1 item, recovery {recovery:.2f} s")


@pytest.fixture
async def pg_through_proxy(pg_schema: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    async with postgres_through_proxy(pg_schema) as opened:
        yield opened


async def test_b_postgres_outage_mid_form_apologises_and_files_once_on_resend(
    pg_through_proxy: tuple[TcpProxy, str],
    redis: Redis,
    served: Served,  # after the database: closed before it
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy, url = pg_through_proxy
    settings = Settings(database_url=url, redis_url=REDIS_URL, media_dir=tmp_path, _env_file=None)
    client = await served.start(make_config(settings))
    await walk(client, "citizen-b", FORM[:-1])

    await proxy.cut()
    status, replies = await web_say(client, "citizen-b", FORM[-1])  # the message that files it
    assert status == 503 and replies == [texts.STEP_FAILED]  # nothing done; the page keeps the text
    assert "都还在" in texts.STEP_FAILED and "再发一次" in texts.STEP_FAILED  # kept; send again
    assert await readyz(client) == (503, {"database"})

    await proxy.restore()
    back = time.monotonic()
    replies = await answered(
        client, "citizen-b", FORM[-1], until=lambda rs: any(r.startswith(FILED) for r in rs)
    )
    recovery = time.monotonic() - back
    who = identity_of(client, "citizen-b")
    assert await Item.filter(citizen__external_id=who).count() == 1
    [item] = await Item.filter(citizen__external_id=who)
    assert BEFORE_THE_OUTAGE in item.title + str(item.fields_data)
    assert any(item.ticket in r for r in replies)
    assert recovery <= RECOVERY_S
    with capsys.disabled():
        print(f"\n[outage] PostgreSQL cut at filing: apology, 1 item after resend, recovery {recovery:.2f} s")
