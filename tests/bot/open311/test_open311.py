"""Open311 GeoReport v2: driven by the independent ``georeport`` client (it has no POST: items
are submitted with plain HTTP, then listed and read back with the client) and by plain HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from georeport import GeoReport

from bot.open311 import setup
from storage import apikeys
from storage.models import ApiKey, Item, Outbox
from storage.workflow import service
from storage.workflow.clocks import Clocks

pytestmark = pytest.mark.usefixtures("any_db")

COMPLAINT = {
    "service_code": "TS02",
    "description": "楼下餐馆每晚抽油烟机噪音到凌晨两点",
    "address_string": "幸福路12号",
    "attribute[demand]": "晚上十点后停用",
    "last_name": "王",
    "first_name": "五",
    "phone": "13700001111",
}


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    setup(app, "30/minute", clocks=Clocks())
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    yield srv
    await srv.close()


async def post(srv: TestServer, data: dict[str, str], fmt: str = "json") -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as s,
        s.post(srv.make_url(f"/open311/v2/requests.{fmt}"), data=data) as r,
    ):
        return r.status, await r.text()


async def get(srv: TestServer, path: str, **params: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as s, s.get(srv.make_url(path), params=params) as r:
        return r.status, r.content_type, await r.text()


async def published_suggestion(title: str, summary: str, published: bool = True) -> str:
    values = {
        "category": "交通出行",
        "title": "私人标题",
        "problem": "私人内容 张三 13900001234",
        "measure": "对策",
        "place": "家庭住址",
        "name": "张三",
        "phone": "13900001234",
        "contact_ok": "可以",
    }
    from dialogs.types import UserRef

    receipt = await service.submit(UserRef("web", "u1"), "suggestion", values, f"k-{title}", clocks=Clocks())
    await Item.filter(ticket=receipt.ticket).update(
        published=published, public_title=title, public_summary=summary, published_at=service.utcnow()
    )
    return receipt.ticket


async def test_georeport_client_lists_submits_and_reads_back(server: TestServer) -> None:
    _, secret = await apikeys.add("12345", "read-own")
    root = str(server.make_url("/open311/v2"))
    client = GeoReport(root)
    services = await asyncio.to_thread(client.get_service_list)
    codes = {s["service_code"]: s["service_name"] for s in services}
    assert codes["JY02"] == "交通出行" and codes["TS02"] == "噪音扰民"
    definition = await asyncio.to_thread(client.get_service_definition, "TS02")
    required = {a["code"] for a in definition["attributes"] if a["required"]}
    assert required == {"what", "when_where", "demand", "name", "phone"}

    status, body = await post(server, COMPLAINT | {"api_key": secret})
    assert status == 200, body
    ticket = (await asyncio.to_thread(lambda: json.loads(body)))[0]["service_request_id"]
    assert ticket.startswith("TS-")

    # the key holder reads it back: the key as the Basic-auth user name (the client sends no api_key)
    owner = GeoReport(root.replace("http://", f"http://{secret}:@"))
    got = await asyncio.to_thread(owner.get_service_request, ticket)
    assert got["service_request_id"] == ticket and got["status"] == "open"
    assert got["service_code"] == "TS02" and got["description"] == COMPLAINT["description"]
    item = await Item.get(ticket=ticket)
    assert item.accept_due_at is not None
    assert got["expected_datetime"] == item.accept_due_at.astimezone(UTC).isoformat(
        timespec="seconds"
    ).replace("+00:00", "Z")
    assert item.channel == "12345" and item.api_key_id is not None  # type: ignore[attr-defined]
    listed = await asyncio.to_thread(owner.get_service_requests, None, "TS02")
    assert [r["service_request_id"] for r in listed] == [ticket]
    # notices go nowhere: held at once
    assert {o.status for o in await Outbox.filter(item_id=item.id)} == {"held"}
    # anonymous readers do not see a complaint
    assert await asyncio.to_thread(client.get_service_requests) == []
    # a published suggestion: the client sees only what staff wrote
    public = await published_suggestion("公开标题", "公开摘要")
    seen = await asyncio.to_thread(client.get_service_requests)
    assert [r["service_request_id"] for r in seen] == [public]
    assert seen[0]["description"] == "公开标题" and seen[0]["status_notes"] == "公开摘要"
    xml_client = GeoReport(root, output_format="xml")
    one = await asyncio.to_thread(xml_client.get_service_request, public)
    assert one["service_request_id"] == public


async def test_nothing_private_is_listed(server: TestServer) -> None:
    public = await published_suggestion("公开标题", "公开摘要")
    await published_suggestion("未发布", "未发布摘要", published=False)
    _, other = await apikeys.add("district", "read-own")
    _, mine = await apikeys.add("12345", "read-own")
    assert (await post(server, COMPLAINT | {"api_key": other}))[0] == 200
    for params in ({}, {"api_key": mine}):
        status, _, body = await get(server, "/open311/v2/requests.json", **params)
        assert status == 200
        assert [r["service_request_id"] for r in json.loads(body)] == [public]
        for secret in ("张三", "13900001234", "家庭住址", "私人", "王五", "13700001111", "幸福路", "未发布"):
            assert secret not in body
    status, _, body = await get(server, f"/open311/v2/requests/{public}.xml")
    assert status == 200 and "张三" not in body
    await Item.filter(ticket=public).update(merged_into_id=(await Item.get(ticket=public)).id)  # merged away
    status, _, body = await get(server, f"/open311/v2/requests/{public}.json")
    assert status == 404, "a merged suggestion is not public (as on /gongshi/)"
    tickets = [i.ticket for i in await Item.filter(kind="complaint")]
    status, _, body = await get(server, f"/open311/v2/requests/{tickets[0]}.json", api_key=mine)
    assert status == 404 and json.loads(body)[0]["code"] == 404


async def test_xml_bodies(server: TestServer) -> None:
    status, ctype, body = await get(server, "/open311/v2/services.xml")
    assert status == 200 and ctype == "text/xml"
    root = ET.fromstring(body)
    assert root.tag == "services" and root.find("service/service_code").text == "JY01"  # type: ignore[union-attr]
    status, _, body = await get(server, "/open311/v2/services/JY01.xml")
    root = ET.fromstring(body)
    assert root.tag == "service_definition"
    codes = [a.findtext("code") for a in root.iterfind("attributes/attribute")]
    assert "measure" in codes and "category" not in codes
    status, _, body = await get(server, "/open311/discovery.json")
    assert status == 200 and "GeoReport_v2" in body
    _, secret = await apikeys.add("12345", "submit")
    status, body = await post(server, COMPLAINT | {"api_key": secret}, fmt="xml")
    assert status == 200 and ET.fromstring(body).findtext("request/service_request_id", "").startswith("TS-")


async def test_errors(server: TestServer) -> None:
    _, secret = await apikeys.add("12345", "submit")
    _, revoked = await apikeys.add("old", "submit")
    await apikeys.revoke("old")

    async def error(data: dict[str, str], fmt: str = "json") -> tuple[int, str]:
        status, body = await post(server, data, fmt)
        if fmt == "xml":
            node = ET.fromstring(body)
            assert node.tag == "errors"
            return status, node.findtext("error/code", "")
        return status, str(json.loads(body)[0]["code"])

    assert await error(COMPLAINT | {"api_key": "nope"}) == (403, "403")
    assert await error(COMPLAINT) == (403, "403")
    assert await error(COMPLAINT | {"api_key": revoked}) == (403, "403")
    assert await error(COMPLAINT | {"api_key": revoked}, "xml") == (403, "403")
    assert await error({**COMPLAINT, "api_key": secret, "attribute[demand]": ""}) == (400, "400")
    assert await error(COMPLAINT | {"api_key": secret, "service_code": "XX99"}) == (400, "400")
    assert await error(COMPLAINT | {"api_key": secret, "phone": "12"}) == (400, "400")
    assert (await get(server, "/open311/v2/services/XX99.json"))[0] == 400
    assert (await get(server, "/open311/v2/requests/JY-20990101-0001.json"))[0] == 404
    assert (await get(server, "/open311/v2/requests.json", status="pending"))[0] == 400
    # a submit-only key may not read
    assert (await get(server, "/open311/v2/requests.json", api_key=secret))[0] == 403
    assert await Item.all().count() == 0


async def test_rate_limit_per_key() -> None:
    app = web.Application()
    setup(app, "3/minute")
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    try:
        _, secret = await apikeys.add("12345", "submit")
        statuses = [(await post(srv, COMPLAINT | {"api_key": secret}))[0] for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        async with (
            aiohttp.ClientSession() as s,
            s.post(srv.make_url("/open311/v2/requests.json"), data=COMPLAINT | {"api_key": secret}) as r,
        ):
            assert r.status == 429 and int(r.headers["Retry-After"]) >= 1
            assert (await r.json())[0]["code"] == 429
    finally:
        await srv.close()


async def test_filters(server: TestServer) -> None:
    a = await published_suggestion("甲", "甲摘要")
    b = await published_suggestion("乙", "乙摘要")
    await Item.filter(ticket=b).update(status="closed", category="城市建设")
    rows = json.loads((await get(server, "/open311/v2/requests.json", status="open"))[2])
    assert [r["service_request_id"] for r in rows] == [a]
    rows = json.loads((await get(server, "/open311/v2/requests.json", status="closed"))[2])
    assert [(r["service_request_id"], r["service_code"]) for r in rows] == [(b, "JY01")]
    rows = json.loads((await get(server, "/open311/v2/requests.json", service_code="JY02"))[2])
    assert [r["service_request_id"] for r in rows] == [a]
    rows = json.loads(
        (await get(server, "/open311/v2/requests.json", service_request_id=f"{b},JY-1", status="open"))[2]
    )
    assert [r["service_request_id"] for r in rows] == [b]  # service_request_id overrides the rest
    now = datetime.now(UTC)
    past = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}
    assert json.loads((await get(server, "/open311/v2/requests.json", **past))[2]) == []
    rows = json.loads(
        (await get(server, "/open311/v2/requests.json", end_date=now.isoformat().replace("+00:00", "Z")))[2]
    )
    assert len(rows) == 2
    too_long = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-06-01T00:00:00Z"}
    assert (await get(server, "/open311/v2/requests.json", **too_long))[0] == 400


async def test_keys_are_hashed_and_uses_counted(server: TestServer) -> None:
    key, secret = await apikeys.add("12345", "read-own")
    stored = await ApiKey.get(id=key.id)
    assert (
        stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored.secret_hash
    )
    assert stored.uses == 0 and stored.last_used_at is None
    assert (await post(server, COMPLAINT | {"api_key": secret}))[0] == 200
    assert (await get(server, "/open311/v2/requests.json", api_key=secret))[0] == 200
    stored = await ApiKey.get(id=key.id)
    assert stored.uses == 2 and stored.last_used_at is not None
    with pytest.raises(apikeys.KeyRefused):
        await apikeys.check("wrong", "submit")
