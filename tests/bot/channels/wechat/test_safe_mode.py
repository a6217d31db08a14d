"""Safe mode is safe: with an AES key only encrypted pushes come in (compatible mode only when
asked for), and a signed timestamp+nonce pair carries one push only, across processes."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.channels.wechat.replay import MemoryReplays, RedisReplays, Unavailable
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.models import Citizen, Item
from tests.answers import SUGGESTION_FROM_MENU as SUGGESTION
from tests.apps import Served
from tests.bot.channels.wechat.conftest import channel_of, wechat_config
from tests.bot.channels.wechat.test_cli import env, invoke
from tests.bot.channels.wechat.wechat_server import OPENID, TOKEN, WeChat, push_xml, sign
from tests.services import REDIS_URL, require

FIRST_QUESTION = SUGGESTION_FORM.field("problem").prompt  # what "1" asks first
OTHER = "oAnotherCitizen0000000000000"


def counting_steps(client: TestClient[Any, Any]) -> list[str]:
    """The message ids of the dialog steps run from now on."""
    pipeline = channel_of(client).pipeline
    steps: list[str] = []
    step = pipeline._step

    async def counting(inbound: Any, *rest: Any) -> Any:
        steps.append(inbound.message_id)
        return await step(inbound, *rest)

    pipeline._step = counting  # type: ignore[method-assign]
    return steps


async def test_safe_mode_refuses_plaintext_before_any_step(wx_client: TestClient[Any, Any]) -> None:
    steps = counting_steps(wx_client)
    plain = WeChat(wx_client, "plain")  # a correct signature: only the body is not encrypted
    assert await plain.push(push_xml(Content="1")) == (403, "forbidden")
    assert steps == [] and await Citizen.all().count() == 0
    assert FIRST_QUESTION in await WeChat(wx_client, "aes").say("1")  # the genuine push works


async def test_compatible_mode_accepts_plaintext_when_switched_on(
    db: str, tmp_path: Path, api_server: TestServer, served: Served
) -> None:
    client = await served.start(wechat_config(tmp_path, str(api_server.make_url("")), compatible_mode=True))
    assert FIRST_QUESTION in await WeChat(client, "plain").say("1")
    assert "1 提建议" in await WeChat(client, "aes").say("菜单")  # and encrypted ones


async def test_compatible_mode_without_an_aes_key_stops_start_up(api_server: TestServer) -> None:
    environment = env(api_server, MINYI_WECHAT_AES_KEY="", MINYI_WECHAT_COMPATIBLE_MODE="true")
    result = await invoke(["wechat", "check"], environment)
    assert result.exit_code == 1 and "MINYI_WECHAT_COMPATIBLE_MODE" in result.output
    assert "MINYI_WECHAT_AES_KEY" in result.output


@pytest.mark.parametrize("wechat", ["plain", "compat"], indirect=True)
async def test_a_logged_signature_set_cannot_carry_another_push(wechat: WeChat) -> None:
    for text in SUGGESTION:
        await wechat.say(text)
    steps = counting_steps(wechat.client)
    query, body = wechat.request(push_xml(Content="确认"))
    status, first = await wechat.post(query, body)
    assert status == 200 and "JY-" in str(wechat.open(first).content)  # type: ignore[union-attr]
    # the same signature set, another citizen asking for their items; then the citizen's own
    # openid with another command: both refused, nothing runs, nothing is stored
    forged = [push_xml(OTHER, Content="3"), push_xml(OPENID, Content="2")]
    for xml in forged:
        assert await wechat.post(query, xml) == (403, "forbidden")
        assert await wechat.post({k: v for k, v in query.items() if k != "encrypt_type"}, xml) == (
            403,
            "forbidden",
        )
    assert len(steps) == 1 and await Citizen.filter(external_id=OTHER).count() == 0
    assert await Item.all().count() == 1
    # WeChat's true retry of the push is still answered like the first
    status, again = await wechat.post(query, body)
    assert status == 200 and wechat.open(again).content == wechat.open(first).content  # type: ignore[union-attr]
    assert len(steps) == 1 and await Item.all().count() == 1


async def test_a_retry_signed_anew_is_answered_from_the_dedupe(wechat_aes: WeChat) -> None:
    steps = counting_steps(wechat_aes.client)
    xml = push_xml(Content="1")
    first = await wechat_aes.post(*wechat_aes.request(xml))
    again = await wechat_aes.post(*wechat_aes.request(xml))  # a new nonce, the same push
    assert wechat_aes.open(first[1]).content == wechat_aes.open(again[1]).content  # type: ignore[union-attr]
    assert len(steps) == 1


async def test_verification_echo_is_replay_guarded(wx_client: TestClient[Any, Any]) -> None:
    ts, nonce = str(int(time.time())), "1514711492"
    query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "4375120948"}
    for _ in range(2):  # WeChat asking again is answered again
        resp = await wx_client.get("/wechat", params=query)
        assert (resp.status, await resp.text()) == (200, "4375120948")
    resp = await wx_client.get("/wechat", params={**query, "echostr": "attacker"})
    assert resp.status == 403
    # nor can a verification's signature set carry a push
    status, _ = await WeChat(wx_client, "aes").push(push_xml(Content="1"), timestamp=int(ts), nonce=nonce)
    assert status == 403 and await Citizen.all().count() == 0


async def test_two_processes_share_the_replay_guard(
    db: str, tmp_path: Path, api_server: TestServer, served: Served
) -> None:
    require(REDIS_URL, "Redis")
    config = wechat_config(
        tmp_path, str(api_server.make_url("")), {"redis_url": REDIS_URL}, compatible_mode=True
    )
    one, two = await served.start(config), await served.start(config)
    redis = channel_of(one).pipeline.backends.redis
    assert redis is not None and isinstance(channel_of(two).verifier.replays, RedisReplays)
    await redis.flushdb()
    try:
        first, second = WeChat(one, "plain"), WeChat(two, "plain")
        query, body = first.request(push_xml(Content="1"))
        status, reply = await first.post(query, body)
        assert status == 200 and FIRST_QUESTION in str(first.open(reply).content)  # type: ignore[union-attr]
        steps = counting_steps(two)
        assert await second.post(query, push_xml(OTHER, Content="3")) == (403, "forbidden")
        status, retried = await second.post(query, body)  # WeChat's retry reaching the other process
        assert status == 200 and first.open(retried).content == first.open(reply).content  # type: ignore[union-attr]
        assert steps == [] and await Citizen.filter(external_id=OTHER).count() == 0
    finally:
        await redis.flushdb()


class BrokenReplays:
    async def admit(self, timestamp: str, nonce: str, fingerprint: str, ttl_s: int) -> bool:
        raise Unavailable("Redis: connection refused")


async def test_without_the_replay_store_nothing_is_accepted_nor_acknowledged(
    wx_client: TestClient[Any, Any],
) -> None:
    channel = channel_of(wx_client)
    channel.verifier = dataclasses.replace(channel.verifier, replays=BrokenReplays())
    steps = counting_steps(wx_client)
    status, _ = await WeChat(wx_client, "aes").push(push_xml(Content="1"))
    assert status == 503 and steps == []  # not "success": WeChat delivers it again


async def test_redis_down_is_unavailable_not_a_crash() -> None:
    redis = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    with pytest.raises(Unavailable):
        await RedisReplays(redis).admit("1", "2", "f", 10)
    await redis.aclose()


async def test_memory_guard_forgets_after_the_window_and_stays_bounded() -> None:
    now = [1000.0]
    guard = MemoryReplays(max_pairs=3, clock=lambda: now[0])
    assert await guard.admit("1", "n", "a", 10) and await guard.admit("1", "n", "a", 10)
    assert not await guard.admit("1", "n", "b", 10)
    now[0] += 11  # the timestamp has left the window: the verifier refuses it as stale anyway
    assert await guard.admit("1", "n", "b", 10)
    for i in range(10):
        assert await guard.admit("2", str(i), "x", 10)
    assert len(guard._seen) == 3


async def test_concurrent_reuse_in_redis_lets_one_body_through(redis: Redis) -> None:
    guard = RedisReplays(redis)
    bodies = ["a", "b"] * 10
    results = await asyncio.gather(*(guard.admit("1", "n", body, 10) for body in bodies))
    admitted = {body for body, ok in zip(bodies, results, strict=True) if ok}
    assert len(admitted) == 1 and results.count(True) == 10
