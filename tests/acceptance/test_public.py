"""Issue 14 through the shipped processes: a suggestion filed in chat, published, adopted,
showcased and made 金点子 from `minyi-admin` is found on the public page, its own page, the
金点子 page and through Open311 `GET requests`; a complaint filed by the same citizen at the same
time appears nowhere but in the counts; a partner system submits with an API key and reads its
item back with an independent GeoReport v2 client (`georeport`: it has no POST, so the submission
is a plain form POST as the spec defines it)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import datetime

import aiohttp
import pytest
from georeport import GeoReport

from tests.acceptance.case import TICKET, Case
from tests.acceptance.runs import Runs
from tests.answers import COMPLAINT

pytestmark = pytest.mark.asyncio(loop_scope="session")

# per channel an idea of its own (a published item is offered to whoever tells the same idea: the
# other scenarios' suggestions must not meet these)
IDEAS = {
    "web": "长寿路街道老人多，建议开一个社区长者食堂解决吃饭问题",
    "wechat": "鲁迅公园里小孩玩的地方太少了，建议添置一些儿童游乐设备",
    "telegram": "人民广场一带公厕不够用，希望多设几个",
}
ANSWERS = {"您建议怎么解决": "请有关部门尽快研究落实", "称呼和手机号": "李四 13912345678 可以"}
FRESH_WITHIN_S = 5.0  # the public pages' cache: fresh about 1 s after a staff change
SECRET = re.compile(r"[A-Za-z0-9_-]{30,}")


async def page(case: Case, path: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(case.citizen.url() + path) as resp:
        assert resp.status == 200, (path, resp.status)
        return await resp.text()


async def shows(case: Case, path: str, wanted: str) -> str:
    """The page at ``path`` once it shows ``wanted`` (it is cached for about a second)."""
    deadline = time.monotonic() + FRESH_WITHIN_S
    while True:
        html = await page(case, path)
        if wanted in html or time.monotonic() > deadline:
            assert wanted in html, f"{path} does not show {wanted!r} within {FRESH_WITHIN_S} s"
            return html
        await asyncio.sleep(0.3)


async def open_campaign(case: Case) -> tuple[int, str]:
    """Staff open a 专项征集 of this channel's own (``campaigns add``): its id and topic."""
    topic = f"社区微更新（{case.citizen.channel}）"
    made = await case.staff.ok(
        "campaigns", "add", "--topic", topic, "--starts", "2020-01-01", "--ends", "2099-12-31"
    )
    found = re.search(r"专项征集 (\d+)：", made)
    assert found and f"campaign={found[1]}" in made and f"campaign_{found[1]}" in made, made
    return int(found[1]), topic


async def file_idea(case: Case, idea: str, campaign: tuple[int, str]) -> str:
    """The chat opened from the campaign's poster or link, the idea, then what the bot asks for
    (对策, name and phone), then 确认."""
    number, topic = campaign
    opened = await case.citizen.open_on_campaign(number)
    assert opened and opened[0].startswith(f"欢迎参加专项征集“{topic}”！"), case.citizen.describe()
    assert "专题" not in "\n".join(opened), "the topic question is not asked: the poster said which"
    reply = "\n".join(await case.say(idea))
    for _ in range(4):
        asked = next((a for q, a in ANSWERS.items() if q in reply.rsplit("\n\n", 1)[-1]), None)
        if asked is None:
            break
        reply = "\n".join(await case.say(asked))
    assert "请核对您的建议" in reply, f"{reply}\n{case.citizen.describe()}"
    found = TICKET.findall("\n".join(await case.say("确认")))
    assert found, case.citizen.describe()
    return str(found[0])


async def a_suggestion_made_public(case: Case) -> None:
    channel = case.citizen.channel
    campaign = await open_campaign(case)
    ticket = await file_idea(case, IDEAS[channel], campaign)
    await case.staff.ok("campaigns", "close", str(campaign[0]))  # a suggestion told later is asked nothing
    complaint = await case.file("2", COMPLAINT)
    title, summary = f"市民金点子（{channel}）", "市民来信建议，已纳入明年实事项目。"
    year = datetime.now().year
    department = f"社区更新办（{channel}）"  # its own: its row on 办理情况 is this item's alone
    await case.staff.ok("departments", "add", department)
    acts = [
        await case.act("accept", ticket),
        await case.act("publish", ticket, "--title", title, "--summary", summary),
        await case.act("report", ticket),
        await case.act("assign", ticket, "--dept", department),
    ]
    await case.see(*acts)
    await case.say("3")  # the citizen writes again (WeChat allows a few pushes per message of theirs)
    acts = [
        await case.act("adopt", ticket, "--note", "纳入明年实事项目"),
        await case.act("showcase", ticket),
        await case.act("golden", ticket, "--year", str(year), "--note", "年度金点子"),
    ]
    await case.see(*acts)

    front = await shows(case, "/gongshi/", title)
    item = await shows(case, f"/gongshi/jianyi/{ticket}", summary)
    assert f"专项征集：{campaign[1]}" in item
    golden = await shows(case, f"/gongshi/jindianzi?year={year}", title)
    figures = await shows(case, "/gongshi/banli", department)
    row = re.search(rf'<th scope="row">{re.escape(department)}</th>(.*?)</tr>', figures)
    assert row, figures
    cells = re.findall(r"<td>(.*?)</td>", row[1])
    stats = json.loads(await case.staff.ok("stats", "--by", "department", "--json"))["groups"][department]
    assert stats["count"] == 1 and stats["adoption_rate"] == 1.0 and stats["by_kind"]["suggestion"] == 1
    assert cells[:3] == ["1", "1", "0"] and cells[5] == "100%", cells  # 收件 建议 投诉 … 建议采纳
    csv = await page(case, "/gongshi/banli.csv")
    for html in (front, item, golden, figures, csv):
        assert complaint not in html and "王五" not in html and "13700001111" not in html
        assert "李四" not in html and "13912345678" not in html and IDEAS[channel] not in html
    async with aiohttp.ClientSession() as http:
        url = case.citizen.url() + "/open311/v2/requests.json"
        async with http.get(url, params={"service_request_id": ticket}) as resp:
            found = json.loads(await resp.text())
        async with http.get(url, params={"service_request_id": complaint}) as resp:
            assert json.loads(await resp.text()) == [], "a complaint is never listed"
        one = case.citizen.url() + f"/open311/v2/requests/{complaint}.json"
        async with http.get(one) as resp:
            assert resp.status == 404, "a complaint is never public"
    assert [r["service_request_id"] for r in found] == [ticket] and found[0]["description"] == title
    case.check_screen()


async def test_a_suggestion_made_public(runs: Runs, channel: str) -> None:
    await runs.check(a_suggestion_made_public, channel)


async def a_partner_submits_and_reads_back(case: Case) -> None:
    """The 12345 platform with a key: POST requests, then read back with the georeport client."""
    name = f"12345-{case.citizen.channel}"
    added = await case.staff.ok("apikeys", "add", name, "--can", "read-own")
    found = SECRET.findall(added)
    assert found, added
    secret = found[0]
    form = {
        "api_key": secret,
        "service_code": "TS02",
        "description": "楼下工地每天夜里施工到两点，噪音很大",
        "attribute[what]": "楼下工地夜间施工噪音",
        "attribute[when_where]": "每天夜里，幸福路3号",
        "attribute[demand]": "停止夜间施工",
        "last_name": "王",
        "first_name": "五",
        "phone": "13700001111",
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(case.citizen.url() + "/open311/v2/requests.json", data=form) as resp:
            body = await resp.text()
            assert resp.status == 200, body
        async with http.post(
            case.citizen.url() + "/open311/v2/requests.json", data=form | {"api_key": "forged"}
        ) as resp:
            assert resp.status == 403 and json.loads(await resp.text())[0]["code"] == 403
    ticket = json.loads(body)[0]["service_request_id"]
    root = case.citizen.url() + "/open311/v2"
    owner = GeoReport(root.replace("http://", f"http://{secret}:@"))
    got = await asyncio.to_thread(owner.get_service_request, ticket)
    assert got["service_request_id"] == ticket and got["status"] == "open" and got["service_code"] == "TS02"
    anyone = GeoReport(root)
    services = await asyncio.to_thread(anyone.get_service_list)
    assert any(s["service_code"] == "TS02" for s in services)
    item = await case.show(ticket)
    assert item["channel"] == name and item["status"] == "received"


async def test_a_partner_submits_and_reads_back(runs: Runs, channel: str) -> None:
    await runs.check(a_partner_submits_and_reads_back, channel)
