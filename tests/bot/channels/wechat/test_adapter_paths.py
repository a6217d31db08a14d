"""``/wechat`` beyond the happy path: slow steps, crashes, Redis, the channel off, the staff CLI."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from admin_cli.main import app as admin_app
from bot.root import database
from dialogs import texts
from storage.config import Settings
from storage.models import Item
from tests.answers import SUGGESTION_FROM_MENU as SUGGESTION
from tests.apps import Served, make_config
from tests.bot.channels.wechat.conftest import channel_of, wechat_config
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import OPENID, WeChat, push_xml
from tests.fakes import blocked_steps, database_away
from tests.services import REDIS_URL, require


async def test_a_slow_step_answers_success_then_customer_service(
    tmp_path: Path, db: str, api_server: TestServer, fake_api: FakeWeChatAPI, served: Served
) -> None:
    client = await served.start(wechat_config(tmp_path, str(api_server.make_url("")), reply_deadline_s=0.2))
    channel = channel_of(client)
    step = channel.pipeline._step

    async def slow(inbound: Any, *rest: Any) -> Any:
        await asyncio.sleep(0.5)
        return await step(inbound, *rest)

    channel.pipeline._step = slow  # type: ignore[method-assign]
    wechat = WeChat(client, "aes")
    query, body = wechat.request(push_xml(Content="菜单"))
    assert await wechat.post(query, body) == (200, "success")  # inside the window, not after it
    await channel.drain()
    assert len(fake_api.sent_texts()) == 1 and "1 提建议" in fake_api.sent_texts()[0][1]
    assert await wechat.post(query, body) == (200, "success")  # WeChat's retry: already sent
    await channel.drain()
    assert len(fake_api.sent_texts()) == 1


async def test_a_crash_before_the_step_is_left_unanswered_so_wechat_pushes_again(
    wechat_aes: WeChat, wx_client: TestClient[Any, Any]
) -> None:
    channel = channel_of(wx_client)
    channel.silence_s = 0.2
    feed_once = channel.pipeline.feed_once

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("redis went away")

    channel.pipeline.feed_once = broken  # type: ignore[method-assign]
    query, body = wechat_aes.request(push_xml(Content="菜单"))
    status, text = await wechat_aes.post(query, body)
    assert status == 503 and "<xml" not in text  # no passive reply: WeChat pushes it again
    channel.pipeline.feed_once = feed_once  # type: ignore[method-assign]
    status, again = await wechat_aes.post(query, body)
    assert status == 200 and "1 提建议" in str(wechat_aes.open(again).content)  # type: ignore[union-attr]


async def test_with_redis_state_dedupe_and_locks(
    tmp_path: Path, db: str, api_server: TestServer, served: Served
) -> None:
    require(REDIS_URL, "Redis")
    client = await served.start(
        wechat_config(tmp_path, str(api_server.make_url("")), {"redis_url": REDIS_URL})
    )
    channel = channel_of(client)
    assert channel.pipeline.backends.redis is not None
    await channel.pipeline.backends.redis.flushdb()
    wechat = WeChat(client, "aes")
    for text in SUGGESTION:
        await wechat.say(text)
    query, body = wechat.request(push_xml(Content="确认"))
    results = await asyncio.gather(*(wechat.post(query, body) for _ in range(3)))
    contents = {str(wechat.open(b).content) for _, b in results}  # type: ignore[union-attr]
    assert len(contents) == 1 and "JY-" in contents.pop()
    assert await Item.all().count() == 1
    assert (await channel.window.state(OPENID)) is not None  # the window is open, in Redis
    await channel.pipeline.backends.redis.flushdb()


async def test_without_a_token_the_channel_is_off(db: str, settings: Settings, served: Served) -> None:
    client = await served.start(make_config(settings))
    assert (await client.post("/wechat", data="<xml/>")).status in (404, 405)


async def test_suggestion_shows_in_minyi_admin(
    tmp_path: Path, api_server: TestServer, served: Served, monkeypatch: Any
) -> None:
    url = f"sqlite://{tmp_path / 'minyi.db'}"
    plaintext_account = {"aes_key": None, "aes_key_previous": None}
    config = wechat_config(tmp_path, str(api_server.make_url("")), {"database_url": url}, **plaintext_account)
    async with database(config, migrate=True):  # as the embedded minyi serve does
        wechat = WeChat(await served.start(config), "plain")
        for text in [*SUGGESTION, "确认"]:
            await wechat.say(text)
        await served.close()
    monkeypatch.setenv("MINYI_DATABASE_URL", url)
    result = await asyncio.to_thread(CliRunner().invoke, admin_app, ["items", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 1 and rows[0]["channel"] == "wechat" and rows[0]["ticket"].startswith("JY-")
    assert rows[0]["citizen"]["chat"] == "wechat" and OPENID not in result.output


async def test_background_failures_are_logged_not_lost(
    wechat_aes: WeChat, wx_client: TestClient[Any, Any], fake_api: FakeWeChatAPI, caplog: Any
) -> None:
    channel = channel_of(wx_client)
    await wechat_aes.say("1")

    async def broken(*args: Any) -> Any:
        raise OSError("disk full")

    channel.api.download_media = broken  # type: ignore[method-assign,union-attr]
    _, body = await wechat_aes.push(push_xml(msg_type="image", PicUrl="u", MediaId="M2"))
    assert "照片已收到" in str(wechat_aes.open(body).content)  # type: ignore[union-attr]
    await channel.drain()
    assert "image M2 not downloaded: disk full" in caplog.text


async def test_a_failed_step_is_left_unanswered_and_wechats_next_push_answers_it(
    wechat_aes: WeChat, wx_client: TestClient[Any, Any]
) -> None:
    channel = channel_of(wx_client)
    channel.silence_s = 0.2  # WeChat stops waiting after 5 s; a test need not wait that long
    await wechat_aes.say("菜单")
    database_away(channel.pipeline, times=1)
    query, body = wechat_aes.request(push_xml(Content="3"))
    status, text = await wechat_aes.post(query, body)
    assert status == 503 and "<xml" not in text  # no passive reply: WeChat pushes it again
    status, again = await wechat_aes.post(query, body)  # WeChat's retry of the same push
    assert status == 200 and texts.NO_ITEMS in str(wechat_aes.open(again).content)  # type: ignore[union-attr]


async def test_a_step_failing_on_every_push_is_answered_with_an_apology_the_last_time(
    wechat_aes: WeChat, wx_client: TestClient[Any, Any]
) -> None:
    channel = channel_of(wx_client)
    channel.silence_s = 0.1
    await wechat_aes.say("菜单")
    database_away(channel.pipeline, times=99)
    query, body = wechat_aes.request(push_xml(Content="3"))
    assert [(await wechat_aes.post(query, body))[0] for _ in range(2)] == [503, 503]
    status, last = await wechat_aes.post(query, body)  # WeChat tries three times in all
    assert status == 200 and texts.STEP_FAILED_GAVE_UP in str(wechat_aes.open(last).content)  # type: ignore[union-attr]


async def test_a_full_process_answers_success_and_replies_by_customer_service(
    tmp_path: Path, db: str, api_server: TestServer, fake_api: FakeWeChatAPI, served: Served
) -> None:
    client = await served.start(wechat_config(tmp_path, str(api_server.make_url(""))))
    channel = channel_of(client)
    channel.pipeline.gate.limit = 1  # MINYI_MAX_IN_FLIGHT=1
    go = blocked_steps(channel.pipeline)
    wechat = WeChat(client, "aes")
    other = "oAnotherCitizen0000000000000"
    busy = asyncio.create_task(wechat.post(*wechat.request(push_xml(other, Content="菜单"))))
    while channel.pipeline.gate.in_flight < 1:
        await asyncio.sleep(0.01)
    queued = await asyncio.wait_for(wechat.push(push_xml(Content="菜单")), 5)  # the process is full
    assert queued == (200, "success")  # WeChat is not kept waiting, and will not push it again
    go.set()
    status, body = await busy
    assert status == 200 and "1 提建议" in str(wechat.open(body).content)  # type: ignore[union-attr]
    await channel.drain()
    assert [(to, "1 提建议" in text) for to, text in fake_api.sent_texts()] == [(OPENID, True)]
