"""Rate limits of the web chat: per session and per client address, 429 with ``Retry-After`` and a
sentence the page shows; in memory, or in Redis shared by every process."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from aiohttp.test_utils import TestClient, make_mocked_request
from redis.asyncio import Redis

from bot.channels.web.ratelimit import Rates, WebLimits, client_address, limiter_storage
from dialogs import texts
from storage.config import Settings
from tests.apps import Served, make_config
from tests.bot.channels.test_web import Page


async def start(served: Served, tmp_path: Any, **web: Any) -> TestClient[Any, Any]:
    settings = Settings(database_url="sqlite://:memory:", media_dir=tmp_path, _env_file=None, **web)
    return await served.start(make_config(settings))


@pytest.mark.usefixtures("db")
async def test_a_session_over_its_limit_gets_429_and_a_sentence(served: Served, tmp_path: Any) -> None:
    client = await start(served, tmp_path, web_rate_session="3/minute")
    fast, calm = Page(client), Page(client)
    for text in ["菜单", "1", "2"]:
        await fast.say(text)
    refused = await fast.send("返回")
    assert refused.status == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert (await refused.json())["replies"] == [texts.WEB_TOO_FAST]
    assert await calm.say("菜单")  # another session on the same address is not held back


@pytest.mark.usefixtures("db")
async def test_an_address_is_limited_across_sessions_and_cookieless_requests(
    served: Served, tmp_path: Any
) -> None:
    client = await start(served, tmp_path, web_rate_address="4/minute")
    for _ in range(4):
        await Page(client).say("菜单")  # each a new session: no cookie sent
    assert (await Page(client).send("菜单")).status == 429
    assert (await client.post("/api/web/session", json={})).status == 429


@pytest.mark.usefixtures("db")
async def test_polls_have_their_own_limit(served: Served, tmp_path: Any) -> None:
    client = await start(served, tmp_path, web_rate_polls="2/minute")
    p = Page(client)
    await p.say("菜单")
    assert await p.notices() == [] and await p.notices() == []
    resp = await p.call("GET", "/api/web/notices")
    assert resp.status == 429 and (await resp.json())["notices"] == [] and "Retry-After" in resp.headers
    assert await p.say("菜单")  # messages are counted apart


async def test_limits_in_redis_are_shared_by_processes(redis: Redis) -> None:
    rates = Rates.of(Settings(_env_file=None, web_rate_session="2/minute"))
    one, two = WebLimits(limiter_storage(redis), rates), WebLimits(limiter_storage(redis), rates)
    assert await one.message("s-a", "10.0.0.1") is None
    assert await two.message("s-a", "10.0.0.2") is None
    assert 1 <= (await one.message("s-a", "10.0.0.3") or 0) <= 60
    assert await two.message("s-b", "10.0.0.1") is None
    assert all(k.startswith(b"minyi:rl:web") for k in await redis.keys("*"))


def test_a_bad_rate_setting_is_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="不是有效的频率"):
        Settings(_env_file=None, web_rate_session="many")


def _request(peer: str, forwarded: str | None = None) -> Any:
    transport = mock.Mock()
    transport.get_extra_info.return_value = (peer, 1234)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return make_mocked_request("POST", "/api/web/messages", headers=headers, transport=transport)


def test_the_client_address_behind_trusted_proxies() -> None:
    assert client_address(_request("10.0.0.9", "1.2.3.4"), 0) == "10.0.0.9"  # not trusted: the peer
    assert client_address(_request("10.0.0.9", "6.6.6.6, 1.2.3.4"), 1) == "1.2.3.4"  # the proxy's view
    assert client_address(_request("10.0.0.9", "1.2.3.4, 10.0.0.8"), 2) == "1.2.3.4"
    assert client_address(_request("10.0.0.9"), 1) == "10.0.0.9"  # no header: the peer
    assert client_address(_request("2001:db8:1:2:3:4:5:6"), 0) == "2001:db8:1:2::"  # one /64
