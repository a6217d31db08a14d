"""The outbound client against a local fake of the WeChat API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.token import MemoryTokenStore, RedisTokenStore, TokenStore
from notifier.errors import (
    ConfigurationError,
    PlatformError,
    QuotaExceeded,
    RateLimited,
    RecipientUnreachable,
    TransientError,
)
from tests.bot.channels.wechat.fake_api import JPEG, FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import APPID, OPENID

SEND = "/cgi-bin/message/custom/send"
TOKEN_PATH = "/cgi-bin/stable_token"


@pytest.fixture
async def make_api(api_server: TestServer) -> AsyncIterator[Any]:
    made: list[WeChatAPI] = []

    def make(tokens: TokenStore | None = None, secret: str = "s3cret", timeout_s: float = 1.0) -> WeChatAPI:
        api = WeChatAPI(APPID, secret, str(api_server.make_url("")), tokens=tokens, timeout_s=timeout_s)
        made.append(api)
        return api

    yield make
    for api in made:
        await api.close()


async def test_two_clients_share_one_token_through_redis(
    make_api: Any, redis: Redis, fake_api: FakeWeChatAPI
) -> None:
    one, two = make_api(RedisTokenStore(redis, APPID)), make_api(RedisTokenStore(redis, APPID))
    await asyncio.gather(*(api.send_text(OPENID, f"hi {i}") for i in range(5) for api in (one, two)))
    assert fake_api.count(TOKEN_PATH) == 1
    assert len({c["token"] for c in fake_api.calls[SEND]}) == 1


async def test_invalid_token_is_refreshed_exactly_once(
    make_api: Any, redis: Redis, fake_api: FakeWeChatAPI
) -> None:
    one, two = make_api(RedisTokenStore(redis, APPID)), make_api(RedisTokenStore(redis, APPID))
    await one.send_text(OPENID, "warm up")
    fake_api.valid_tokens.clear()  # e.g. another deployment force-refreshed it
    fake_api.valid_tokens.add("SOMEONE-ELSES")
    fake_api.delay_s = 0.05  # all four are in flight with the old token before the first 40001 returns
    await asyncio.gather(*(api.send_text(OPENID, "again") for api in (one, two, one, two)))
    forced = [c for c in fake_api.calls[TOKEN_PATH] if c["body"]["force_refresh"]]
    assert len(forced) == 1  # four 40001s, one refresh
    assert fake_api.count(SEND) == 1 + 4 + 4  # each call: one failure, one retry


async def test_a_persistent_40001_gives_up_after_one_refresh(make_api: Any, fake_api: FakeWeChatAPI) -> None:
    api = make_api(MemoryTokenStore())
    fake_api.errors[SEND] = [40001, 40001, 40001]
    with pytest.raises(ConfigurationError) as caught:
        await api.send_text(OPENID, "x")
    assert caught.value.code == 40001
    assert fake_api.count(SEND) == 2 and fake_api.count(TOKEN_PATH) == 2


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (45015, QuotaExceeded),
        (45047, QuotaExceeded),
        (45009, QuotaExceeded),
        (43004, RecipientUnreachable),
        (43019, RecipientUnreachable),
        (43101, RecipientUnreachable),
        (40003, RecipientUnreachable),
        (40164, ConfigurationError),
        (48001, ConfigurationError),
        (99999, PlatformError),
    ],
)
async def test_error_codes_map_to_outcomes(
    make_api: Any, fake_api: FakeWeChatAPI, code: int, error: type[Exception]
) -> None:
    fake_api.errors[SEND] = [code]
    with pytest.raises(error) as caught:
        await make_api().send_text(OPENID, "x")
    assert type(caught.value) is error and caught.value.code == code  # type: ignore[attr-defined]
    assert fake_api.count(SEND) == 1  # never retried


async def test_busy_and_rate_limits_are_retried_a_bounded_number_of_times(
    make_api: Any, fake_api: FakeWeChatAPI
) -> None:
    api = make_api()
    fake_api.errors[SEND] = [-1, 45011]
    await api.send_text(OPENID, "x")
    assert fake_api.count(SEND) == 3
    fake_api.errors[SEND] = [-1, -1, -1, -1]
    with pytest.raises(TransientError):
        await api.send_text(OPENID, "x")
    assert fake_api.count(SEND) == 3 + 3
    assert RateLimited.__mro__[1] is TransientError


async def test_wrong_secret_is_a_configuration_error(make_api: Any) -> None:
    with pytest.raises(ConfigurationError, match="AppSecret"):
        await make_api(secret="wrong").send_text(OPENID, "x")


async def test_timeouts_are_explicit_and_sends_are_not_repeated(
    make_api: Any, fake_api: FakeWeChatAPI
) -> None:
    api = make_api(timeout_s=0.2)
    await api.token()
    fake_api.delay_s = 1.0
    started = time.monotonic()
    with pytest.raises(TransientError):
        await api.send_text(OPENID, "x")
    assert time.monotonic() - started < 0.9
    assert fake_api.count(SEND) == 1  # it may have gone out: not sent twice


async def test_unreachable_platform_is_transient(tmp_path: Path) -> None:
    api = WeChatAPI(APPID, "s3cret", "http://127.0.0.1:9", timeout_s=0.5, attempts=2)
    try:
        with pytest.raises(TransientError):
            await api.send_text(OPENID, "x")
    finally:
        await api.close()


async def test_media_download_and_other_sends(make_api: Any, fake_api: FakeWeChatAPI, tmp_path: Path) -> None:
    api = make_api()
    dest = await api.download_media("MEDIA", tmp_path / "m" / "x.jpg")
    assert dest.read_bytes() == JPEG
    await api.send_template(OPENID, "TPL", {"first": {"value": "x"}}, url="https://example.invalid")
    await api.send_subscribe(OPENID, "TPL2", {"thing1": {"value": "x"}})
    assert fake_api.calls["/cgi-bin/message/template/send"][0]["body"]["template_id"] == "TPL"
    assert fake_api.calls["/cgi-bin/message/subscribe/bizsend"][0]["body"]["touser"] == OPENID
    fake_api.errors["/cgi-bin/media/get"] = [40007]
    with pytest.raises(PlatformError):
        await api.download_media("EXPIRED", tmp_path / "m" / "y.jpg")
    assert not (tmp_path / "m" / "y.jpg").exists()
