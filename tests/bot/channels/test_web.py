"""The web chat API end to end through aiohttp's test client."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from dialogs import texts
from storage.models import Item, Outbox
from tests.answers import COMPLAINT, SUGGESTION


async def say(client: TestClient[Any, Any], text: str, user: str = "u1") -> list[str]:
    resp = await client.post("/api/web/messages", json={"user_id": user, "text": text})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert isinstance(body["replies"], list)
    return list(body["replies"])


async def test_healthz(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_page_is_served_and_phone_sized(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/")
    html = await resp.text()
    assert resp.status == 200
    assert 'name="viewport"' in html and "/api/web/messages" in html


async def test_whole_suggestion_gets_a_ticket(client: TestClient[Any, Any]) -> None:
    for text in ["1", *SUGGESTION]:
        await say(client, text)
    replies = await say(client, "确认")
    assert "JY-" in replies[0] and "编号" in replies[0]
    item = await Item.get()
    assert item.kind == "suggestion" and item.channel == "web" and item.status == "received"
    assert item.fields_data["measure"] == "建议加装遮雨棚"
    notice = await Outbox.get(item_id=item.id)
    assert notice.kind == "received" and item.ticket in notice.text


async def test_complaint_reply_promises_15_days(client: TestClient[Any, Any]) -> None:
    for text in ["2", *COMPLAINT]:
        await say(client, text, user="u2")
    replies = await say(client, "确认", user="u2")
    assert "TS-" in replies[0] and "15日内" in replies[0]


async def test_bad_requests_are_400_and_store_nothing(client: TestClient[Any, Any]) -> None:
    bad_bodies: list[Any] = [
        b"not json",
        b"[1,2]",
        b'{"text": "1"}',
        b'{"user_id": "u", "text": 5}',
        b'{"user_id": "bad id with spaces", "text": "1"}',
    ]
    for body in bad_bodies:
        resp = await client.post("/api/web/messages", data=body, headers={"Content-Type": "application/json"})
        assert resp.status == 400
        assert "error" in await resp.json()
    big = b'{"user_id": "u", "text": "' + b"x" * 17000 + b'"}'
    resp = await client.post("/api/web/messages", data=big, headers={"Content-Type": "application/json"})
    assert resp.status == 413  # too large: and the page has a sentence to show the citizen
    assert (await resp.json())["replies"] == [texts.WEB_TOO_LONG]
    assert await Item.all().count() == 0
