"""The web chat API end to end through aiohttp's test client: each ``Page`` is one browser with
its own session cookie, as the page in ``bot/channels/static/index.html`` talks to the server."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.channels.web.session import COOKIE, identity
from dialogs import texts
from storage import catalogue
from storage.models import Item, Outbox
from tests.answers import COMPLAINT, SUGGESTION


class Page:
    """One browser: its own cookie (the test client's jar is cleared around each request, so a
    request carries this page's cookie only), and the notice ids it has shown."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.secret: str | None = None
        self.shown: set[int] = set()

    @property
    def identity(self) -> str:
        assert self.secret is not None, "this page has no session yet"
        return identity(self.secret)

    async def call(self, method: str, path: str, **kwargs: Any) -> ClientResponse:
        jar = self.client.session.cookie_jar
        jar.clear()
        cookies = {COOKIE: self.secret} if self.secret else None
        resp = await self.client.request(method, path, cookies=cookies, **kwargs)
        await resp.read()
        if (issued := resp.cookies.get(COOKIE)) is not None:
            self.secret = issued.value
        jar.clear()
        return resp

    async def send(self, text: str | None, *, mid: str | None = None, **extra: Any) -> ClientResponse:
        """POST one message (None: the page-opened ``hello``) with a fresh ``mid`` unless given."""
        body: dict[str, Any] = {"event": "hello"} if text is None else {"text": text}
        body = {**body, "mid": mid or secrets.token_hex(16), **extra}
        return await self.call("POST", "/api/web/messages", json=body)

    async def say(self, text: str, **extra: Any) -> list[str]:
        resp = await self.send(text, **extra)
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        assert isinstance(body["replies"], list)
        return list(body["replies"])

    async def notices(self) -> list[dict[str, Any]]:
        resp = await self.call("GET", "/api/web/notices")
        assert resp.status == 200, await resp.text()
        return list((await resp.json())["notices"])

    async def ack(self, ids: list[int]) -> int:
        resp = await self.call("POST", "/api/web/notices/ack", json={"ids": ids})
        assert resp.status == 200, await resp.text()
        return int((await resp.json())["acked"])

    async def poll(self) -> list[str]:
        """What the page's 15-second poll puts on screen: new notices, then it acks all it got."""
        got = await self.notices()
        new = [n["text"] for n in got if n["id"] not in self.shown]
        self.shown |= {n["id"] for n in got}
        if got:
            await self.ack([n["id"] for n in got])
        return new


_PAGES: WeakKeyDictionary[TestClient[Any, Any], dict[str, Page]] = WeakKeyDictionary()


def page(client: TestClient[Any, Any], user: str = "u1") -> Page:
    """The browser called ``user`` (a test's name for a citizen; never sent to the server)."""
    return _PAGES.setdefault(client, {}).setdefault(user, Page(client))


async def say(client: TestClient[Any, Any], text: str, user: str = "u1") -> list[str]:
    return await page(client, user).say(text)


def external_id(client: TestClient[Any, Any], user: str = "u1") -> str:
    """The id the server gave the citizen called ``user`` (what the database holds)."""
    return page(client, user).identity


async def test_healthz(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_page_is_served_and_phone_sized(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/")
    html = await resp.text()
    assert resp.status == 200
    assert 'name="viewport"' in html and "/api/web/messages" in html
    assert "/api/web/notices/ack" in html and "mid" in html
    assert not re.search(r"(?<!legacy_)user_id", html)  # the page never names its citizen: the cookie does


async def test_whole_suggestion_gets_a_ticket(client: TestClient[Any, Any]) -> None:
    for text in ["1", *SUGGESTION]:
        await say(client, text)
    replies = await say(client, "确认")
    assert "JY-" in replies[0] and "编号" in replies[0]
    item = await Item.get().prefetch_related("citizen")
    assert item.kind == "suggestion" and item.channel == "web" and item.status == "received"
    assert item.fields_data["measure"] == "建议加装遮雨棚"
    assert item.citizen.external_id == external_id(client)
    notice = await Outbox.get(item_id=item.id)
    assert notice.kind == "received" and item.ticket in notice.text


async def test_complaint_reply_promises_15_days(client: TestClient[Any, Any]) -> None:
    for text in ["2", *COMPLAINT]:
        await say(client, text, user="u2")
    replies = await say(client, "确认", user="u2")
    assert "TS-" in replies[0] and "15日内" in replies[0]


async def test_the_campaign_link_opens_the_chat_on_that_campaign(client: TestClient[Any, Any]) -> None:
    """``/?campaign=ID``: the page's hello names the campaign; a suggestion starts on it and is
    filed with it. A bad campaign value is refused; an ended one is said so."""
    made = await catalogue.add_campaign("老旧小区加装电梯", date(2026, 1, 1), date(2099, 12, 31))
    html = await (await client.get("/")).text()
    assert 'get("campaign")' in html and "body.campaign" in html
    one = page(client, "c1")
    resp = await one.send(None, campaign=made.id)
    assert resp.status == 200, await resp.text()
    replies = (await resp.json())["replies"]
    assert replies[0].startswith("欢迎参加专项征集“老旧小区加装电梯”！")
    for text in SUGGESTION:
        await one.say(text)
    await one.say("确认")
    item = await Item.get().prefetch_related("campaign")
    assert item.campaign is not None and item.campaign.id == made.id
    ended = await page(client, "c2").send(None, campaign=made.id + 1)
    assert (await ended.json())["replies"][0] == texts.CAMPAIGN_CLOSED
    for bad in ("1", -1, 2**31, 1.5, True):
        resp = await page(client, "c3").send(None, campaign=bad)
        assert resp.status == 400, bad


async def test_bad_requests_are_400_and_store_nothing(client: TestClient[Any, Any]) -> None:
    bad_bodies: list[Any] = [
        b"not json",
        b"[1,2]",
        b"{}",
        b'{"text": 5}',
        b'{"text": "1", "mid": "short"}',
        b'{"text": "1", "mid": "abcdefgh\\n"}',
        b'{"text": "1", "mid": 12345678}',
        b'{"text": "1", "re": -1}',
    ]
    for body in bad_bodies:
        resp = await client.post("/api/web/messages", data=body, headers={"Content-Type": "application/json"})
        assert resp.status == 400, body
        assert "error" in await resp.json()
    big = b'{"text": "' + b"x" * 17000 + b'"}'
    resp = await client.post("/api/web/messages", data=big, headers={"Content-Type": "application/json"})
    assert resp.status == 413  # too large: and the page has a sentence to show the citizen
    assert (await resp.json())["replies"] == [texts.WEB_TOO_LONG]
    assert await Item.all().count() == 0
