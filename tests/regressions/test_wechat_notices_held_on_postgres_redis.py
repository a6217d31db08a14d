"""Issue 9 §2: on PostgreSQL + Redis the WeChat window was written to Redis by the server and read
from the database by the relay, so notices were held as "48小时窗口已关闭" seconds after the citizen
wrote. The window is now one store for both (Redis when configured), owned by the channel."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from redis.asyncio import Redis

from bot.services import services
from notifier.service import build_relay
from storage.models import Outbox
from tests.bot.channels.wechat.conftest import wechat_config
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.notifier.fakes import citizen, item, notices
from tests.services import PG_URL, REDIS_URL

OPENID = "oRegressionOpenid0000000002"


async def test_a_notice_rides_the_window_the_server_opened(
    pg_db: str, redis: Redis, tmp_path: Path, wechat_api: tuple[FakeWeChatAPI, str]
) -> None:
    fake_api, base = wechat_api
    core = {"database_url": PG_URL, "redis_url": REDIS_URL, "quiet_hours": ""}
    config = wechat_config(tmp_path, base, core)
    async with services(config) as server:  # `minyi serve`: the citizen writes
        assert server.wechat is not None
        await server.wechat.window.opened(OPENID)
    owner = await citizen("wechat", OPENID)  # the citizen row made at submit: no window in it
    [row] = await notices(owner, await item(owner), ["accept"], at=datetime.now(UTC))
    async with services(config) as relay:  # `minyi notifier`, another process
        await build_relay(config.core, relay.senders).drain()
    sent = await Outbox.get(id=row.id)
    assert (sent.status, sent.sent_via) == ("sent", "customer_service")
    assert fake_api.sent_texts() == [(OPENID, "accept 的通知")]
