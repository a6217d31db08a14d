"""The web session (issue 10 §3): the server issues the identity in an HttpOnly cookie and never
trusts an id from the client; notices are acknowledged, not consumed by a GET; a retried message
(same ``mid``) is answered, not filed again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.channels.web import handlers
from bot.channels.web.session import COOKIE
from bot.keys import PIPELINE
from dialogs import texts
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage import outbox
from storage.config import Settings
from storage.models import Citizen, Item, Outbox
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import SUGGESTION_FROM_MENU
from tests.apps import Served, make_config
from tests.bot.channels.test_web import Page
from tests.fakes import blocked_steps


async def file(p: Page) -> str:
    for text in SUGGESTION_FROM_MENU:
        await p.say(text)
    replies = await p.say("确认")
    ticket = replies[0].split("编号 ")[1][:16]
    assert ticket.startswith("JY-"), replies
    return ticket


async def test_the_first_request_gets_an_httponly_strict_cookie_for_the_api_only(
    client: TestClient[Any, Any],
) -> None:
    p = Page(client)
    resp = await p.send(None)  # the page-opened hello
    assert resp.status == 200 and p.secret is not None and len(p.secret) >= 43
    morsel = resp.cookies[COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/api/web"
    assert not morsel["secure"]  # plain http here; see the next test for https
    assert int(morsel["max-age"]) >= 30 * 86400
    again = await p.say("菜单")  # the cookie is the session: no new one is issued
    assert again and p.secret == morsel.value
    resp = await p.send("菜单")
    assert COOKIE not in resp.cookies


@pytest.mark.usefixtures("db")
async def test_the_cookie_is_secure_when_the_setting_says_so(served: Served, tmp_path: Any) -> None:
    settings = Settings(
        database_url="sqlite://:memory:", media_dir=tmp_path, web_cookie_secure=True, _env_file=None
    )
    client = await served.start(make_config(settings))
    resp = await client.post("/api/web/session", json={})
    assert resp.status == 200 and resp.cookies[COOKIE]["secure"]


async def test_a_client_chosen_user_id_is_ignored(client: TestClient[Any, Any]) -> None:
    owner = Page(client)
    ticket = await file(owner)
    assert owner.identity.startswith("s-") and owner.secret not in owner.identity
    row = await Citizen.get(external_id=owner.identity)
    assert owner.secret not in row.external_id  # what is stored never lets anyone act as them
    intruder = Page(client)
    for claimed in [owner.identity, "u1", "abc\n", owner.secret]:
        assert await intruder.say("3", user_id=claimed) == [texts.NO_ITEMS]
    assert intruder.identity != owner.identity
    resp = await client.get("/api/web/notices", params={"user_id": owner.identity})
    assert (await resp.json())["notices"] == []
    assert await Item.filter(citizen__external_id=owner.identity).count() == 1
    assert await Citizen.filter(external_id__in=["u1", "abc\n", owner.secret]).count() == 0
    assert ticket in "".join(await owner.say("3"))  # the owner's list is untouched


async def test_two_sessions_see_only_their_own_items_and_notices(client: TestClient[Any, Any]) -> None:
    a, b = Page(client), Page(client)
    ticket_a, ticket_b = await file(a), await file(b)
    await actions.accept(ticket_a, actor="王芳", clocks=DEFAULT)
    await actions.accept(ticket_b, actor="王芳", clocks=DEFAULT)
    seen_a, seen_b = await a.notices(), await b.notices()
    assert [ticket_a in n["text"] and "已受理" in n["text"] for n in seen_a] == [True]
    assert [ticket_b in n["text"] and "已受理" in n["text"] for n in seen_b] == [True]
    assert await b.ack([n["id"] for n in seen_a]) == 0  # a's ids acked by b: nothing happens
    assert [n["id"] for n in await a.notices()] == [n["id"] for n in seen_a]
    list_b = "".join(await b.say("3"))
    assert ticket_b in list_b and ticket_a not in list_b


async def test_a_get_does_not_consume_notices_an_ack_does(client: TestClient[Any, Any]) -> None:
    p = Page(client)
    ticket = await file(p)
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    first = await p.notices()
    assert [n["id"] for n in await p.notices()] == [n["id"] for n in first]  # shown, not acked: again
    assert all(isinstance(n["id"], int) and isinstance(n["text"], str) for n in first)
    assert await p.ack([first[0]["id"]]) == 1
    rest = await p.notices()
    assert [n["id"] for n in rest] == [n["id"] for n in first[1:]]
    assert await p.ack([n["id"] for n in first]) == len(rest)  # an id acked twice counts once
    assert await p.notices() == []
    sent = await Outbox.filter(id__in=[n["id"] for n in first]).values_list("status", "sent_via")
    assert set(sent) == {("sent", "poll")}
    resp = await p.call("POST", "/api/web/notices/ack", json={"ids": ["1"]})
    assert resp.status == 400


async def test_a_notice_a_relay_claims_between_the_poll_and_the_ack_is_not_shown_again(
    client: TestClient[Any, Any],
) -> None:
    p = Page(client)
    ticket = await file(p)
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    shown = await p.notices()  # pending when the page polled ...
    claimed = await outbox.claim("relay", limit=100, lease_s=60, now=datetime.now(UTC))  # ... then a relay
    assert {r.id for r in claimed} >= {n["id"] for n in shown}
    assert await p.ack([n["id"] for n in shown]) == len(shown)
    assert await outbox.mark_held("relay", [r.id for r in claimed], "web has no push") == 0  # too late
    listed = "".join(await p.say("3"))
    assert ticket in listed and all(n["text"] not in listed for n in shown)  # not ridden along again


async def test_a_retried_confirm_is_answered_the_same_and_files_once(client: TestClient[Any, Any]) -> None:
    p = Page(client)
    for text in SUGGESTION_FROM_MENU:
        await p.say(text)
    first = await p.send("确认", mid="confirm-0001")
    retry = await p.send("确认", mid="confirm-0001")  # the page timed out and sent it again
    assert first.status == retry.status == 200
    assert await retry.json() == await first.json()
    assert "编号" in (await first.json())["replies"][0]
    assert await Item.all().count() == 1
    other = await Page(client).send("确认", mid="confirm-0001")  # another session's same mid: its own
    assert "编号" not in "".join((await other.json())["replies"])


async def test_a_retry_while_the_first_is_still_running_is_told_to_retry_shortly(
    client: TestClient[Any, Any], app: web.Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers, "RETRY_WAIT_S", 0.2)
    p = Page(client)
    await p.say("菜单")
    pipeline = app[PIPELINE]
    step, gate = pipeline._step, asyncio.Event()

    async def slow_step(*args: Any, **kwargs: Any) -> Any:
        await gate.wait()
        return await step(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_step", slow_step)
    first = asyncio.create_task(p.send("1", mid="slow-00001"))
    await asyncio.sleep(0.05)
    retry = await p.send("1", mid="slow-00001")
    assert retry.status == 503 and retry.headers["Retry-After"] == "1"
    assert (await retry.json())["replies"] == [texts.WEB_STILL_WORKING] and (await retry.json())["pending"]
    gate.set()
    done = await first
    again = await p.send("1", mid="slow-00001")  # the page's next try gets the first answer
    first_question = SUGGESTION_FORM.field("problem").prompt
    assert await again.json() == await done.json() and first_question in (await done.json())["replies"]


async def test_a_full_process_tells_the_page_to_send_again(
    client: TestClient[Any, Any], app: web.Application
) -> None:
    pipeline = app[PIPELINE]
    pipeline.gate.limit = 1  # MINYI_MAX_IN_FLIGHT=1
    go = blocked_steps(pipeline)
    busy = asyncio.create_task(Page(client).send("菜单"))
    while pipeline.gate.in_flight < 1:
        await asyncio.sleep(0.01)
    p = Page(client)
    refused = await asyncio.wait_for(p.send("菜单", mid="busy-000001"), 5)
    assert refused.status == 503 and (await refused.json())["replies"] == [texts.WEB_BUSY]
    go.set()
    assert (await busy).status == 200
    again = await p.send("菜单", mid="busy-000001")  # the citizen sends it again: answered
    assert again.status == 200 and "1 提建议" in "".join((await again.json())["replies"])
