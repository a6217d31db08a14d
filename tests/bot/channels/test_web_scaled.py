"""The web session in the scaled shape (PostgreSQL + Redis, two servers): a retry sent to the other
server is answered from the first; notices and an old page's claim work across servers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from redis.asyncio import Redis

from bot.keys import PIPELINE
from dialogs import Inbound, UserRef, texts
from storage import keys
from storage.config import Settings
from storage.models import Item
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU
from tests.apps import Served, make_config
from tests.bot.channels.test_web import Page
from tests.services import PG_URL, REDIS_URL


async def test_two_servers_share_sessions_retries_notices_and_claims(
    pg_db: str, redis: Redis, served: Served, tmp_path: Path
) -> None:
    settings = Settings(database_url=PG_URL, redis_url=REDIS_URL, media_dir=tmp_path, _env_file=None)
    one, two = await served.start(make_config(settings)), await served.start(make_config(settings))
    p = Page(one)
    for text in SUGGESTION_FROM_MENU:
        await p.say(text)
    first = await p.send("确认", mid="scaled-confirm")
    p.client = two  # the page's retry reached the other server
    retry = await p.send("确认", mid="scaled-confirm")
    assert await retry.json() == await first.json() and await Item.all().count() == 1
    ticket = (await first.json())["replies"][0].split("编号 ")[1][:16]
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    shown = await p.notices()
    p.client = one
    assert [n["id"] for n in await p.notices()] == [n["id"] for n in shown]
    assert await p.ack([n["id"] for n in shown]) == len(shown) >= 1
    p.client = two
    assert await p.notices() == []

    app = one.server.app
    assert app is not None
    for n, text in enumerate(COMPLAINT_FROM_MENU[:3]):  # an old page's half-filled complaint
        await app[PIPELINE].feed(Inbound(UserRef("web", "w-scaled"), f"o{n}", datetime.now(UTC), text=text))
    new = Page(two)
    resp = await new.call("POST", "/api/web/session", json={"legacy_user_id": "w-scaled"})
    assert (await resp.json())["claimed"] is True
    new.client = one
    assert (await new.say("菜单"))[0] == texts.DRAFT_PAUSED.format(noun="投诉", number=2)
    assert not await redis.exists(keys.state("web:w-scaled"))  # the old draft is gone, not copied
