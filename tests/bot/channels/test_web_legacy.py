"""Existing web users keep their items: the old page's ``minyi_user`` id is bound to a new
session once (items, notices and the draft move along); a second claim finds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.keys import PIPELINE
from dialogs import Inbound, UserRef, texts
from storage.config import Settings
from storage.models import Citizen
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import COMPLAINT_FROM_MENU, SUGGESTION_FROM_MENU
from tests.apps import Served, make_config
from tests.bot.channels.test_web import Page
from tests.bot.channels.test_web_session import file


async def old_page(app: web.Application, user_id: str, *texts_: str) -> list[str]:
    """What the old page did: messages under an id it chose itself."""
    replies: list[str] = []
    for n, text in enumerate(texts_):
        inbound = Inbound(UserRef("web", user_id), f"{user_id}-{n}", datetime.now(UTC), text=text)
        replies = [r.text for r in await app[PIPELINE].feed(inbound)]
    return replies


async def claim(p: Page, legacy: Any) -> bool:
    resp = await p.call("POST", "/api/web/session", json={"legacy_user_id": legacy})
    assert resp.status == 200, await resp.text()
    return bool((await resp.json())["claimed"])


async def test_an_old_id_is_claimed_once_with_items_notices_and_draft(
    client: TestClient[Any, Any], app: web.Application
) -> None:
    receipt = await old_page(app, "w-old-1", *SUGGESTION_FROM_MENU, "确认")
    ticket = receipt[0].split("编号 ")[1][:16]
    await old_page(app, "w-old-1", *COMPLAINT_FROM_MENU[:3])  # a complaint half filled
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)  # a notice waits for the page
    new = Page(client)
    assert await claim(new, "w-old-1")
    assert [ticket in n for n in await new.poll()] == [True]  # the waiting notice came along
    assert (await new.say("菜单"))[0] == texts.DRAFT_PAUSED.format(noun="投诉", number=2)  # and the draft
    assert ticket in "".join(await new.say("3"))
    thief = Page(client)
    assert not await claim(thief, "w-old-1")  # the first claimer won
    assert await thief.say("3") == [texts.NO_ITEMS]
    assert await Citizen.filter(external_id="w-old-1").count() == 0


async def test_a_session_with_items_of_its_own_gets_both(
    client: TestClient[Any, Any], app: web.Application
) -> None:
    receipt = await old_page(app, "w-old-2", *SUGGESTION_FROM_MENU, "确认")
    old_ticket = receipt[0].split("编号 ")[1][:16]
    p = Page(client)
    new_ticket = await file(p)
    assert await claim(p, "w-old-2")
    listing = "".join(await p.say("3"))
    assert old_ticket in listing and new_ticket in listing


async def test_what_is_not_an_old_id_claims_nothing(client: TestClient[Any, Any]) -> None:
    owner = Page(client)
    ticket = await file(owner)
    for bogus in [owner.identity, "abc\n", "x" * 65, 42, None]:  # a session's id is never claimable
        assert not await claim(Page(client), bogus)
    assert ticket in "".join(await owner.say("3"))


@pytest.mark.usefixtures("db")
async def test_claims_can_be_switched_off(served: Served, tmp_path: Any) -> None:
    settings = Settings(
        database_url="sqlite://:memory:", media_dir=tmp_path, web_legacy_claims=False, _env_file=None
    )
    client = await served.start(make_config(settings))
    app = client.server.app
    assert app is not None
    await old_page(app, "w-old-3", *SUGGESTION_FROM_MENU, "确认")
    p = Page(client)
    assert not await claim(p, "w-old-3")
    assert await p.say("3") == [texts.NO_ITEMS]
    assert await Citizen.filter(external_id="w-old-3").count() == 1
