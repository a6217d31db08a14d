"""The public pages (``/gongshi/``): every page is Chinese, titled and served; only published
suggestions appear, complaints only as counts; nothing private leaks on a database full of it; the
figures are ``minyi-admin stats``'s; the cache costs no query within its interval and shows a
staff change after it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from tortoise import Tortoise

from bot.public import setup
from dialogs.types import UserRef
from storage import catalogue, public, reports
from storage.models import Citizen, Department, Item, ItemEvent, Message, StaffEvent
from storage.workflow import actions, golden, merging, service, supporters
from storage.workflow.clocks import DEFAULT

NAME, PHONE, OPENID, ADDRESS, FREE = "张秘密", "13912345678", "o-XXXX", "幸福路12号3室", "私下说的话"
SECRETS = (NAME, PHONE, OPENID, ADDRESS, FREE)
DIRTY = f"{NAME} {PHONE} {OPENID} {ADDRESS} {FREE}"
STAFF = "王芳"
PAGES = ("/gongshi/", "/gongshi/jindianzi", "/gongshi/zhengji", "/gongshi/banli")
Client = Any


def user(n: int) -> UserRef:
    return UserRef("wechat", f"{OPENID}{n}")


async def file(n: int, kind: str = "suggestion", category: str = "交通出行") -> str:
    values: dict[str, Any] = {"category": category, "name": NAME, "phone": PHONE, "place": ADDRESS}
    if kind == "suggestion":
        values |= {"title": f"{NAME}的建议{n}", "problem": DIRTY, "cause": DIRTY, "measure": DIRTY}
    else:
        values |= {"what": DIRTY, "when_where": DIRTY, "want": DIRTY, "unit": DIRTY}
    return (await service.submit(user(n), kind, values, f"k{n}", clocks=DEFAULT)).ticket


async def publish(
    ticket: str, title: str, summary: str = "建议在公交站加装遮雨棚，已由市交通委落实。"
) -> None:
    await merging.publish(ticket, actor=STAFF, clocks=DEFAULT, title=title, summary=summary)


async def carry_out(ticket: str, *, dept: str = "市交通委") -> None:
    """Every step with private words in each note, message and answer."""
    await Department.get_or_create(name=dept)
    await actions.accept(ticket, actor=STAFF, clocks=DEFAULT)
    await actions.ask(ticket, actor=STAFF, clocks=DEFAULT, question=DIRTY)
    await actions.record_reply(ticket, actor=STAFF, clocks=DEFAULT, text=DIRTY)
    await actions.report(ticket, actor=STAFF, clocks=DEFAULT)
    await actions.instruct(ticket, actor=STAFF, clocks=DEFAULT, note=DIRTY)
    await actions.assign(ticket, actor=STAFF, clocks=DEFAULT, departments=[dept])
    await actions.adopt(ticket, actor=STAFF, clocks=DEFAULT, note=DIRTY)
    await actions.implement(ticket, actor=STAFF, clocks=DEFAULT, result=DIRTY)
    await actions.showcase(ticket, actor=STAFF, clocks=DEFAULT)
    await actions.reward(ticket, actor=STAFF, clocks=DEFAULT, note=DIRTY)
    await golden.golden(ticket, actor=STAFF, clocks=DEFAULT, year=2026, note="年度优秀建议奖")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def site(
    aiohttp_client: Callable[[web.Application], Any],
) -> tuple[Client, Clock]:
    clock = Clock()
    app = web.Application()
    setup(app, clock=clock)
    return await aiohttp_client(app), clock


async def get(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, path
    return str(await response.text())


def assert_page(text: str) -> None:
    assert '<html lang="zh-CN">' in text and re.search(r"<title>[^<]+</title>", text)
    assert 'name="viewport"' in text and "<script" not in text


async def test_every_page_is_chinese_titled_and_served(db: str, site: tuple[Client, Clock]) -> None:
    client, _ = site
    ticket = await file(1)
    await carry_out(ticket)
    await publish(ticket, "幸福路公交站加装遮雨棚")
    await catalogue.add_campaign(
        "老旧小区加装电梯", date(2026, 1, 1), date(2099, 12, 31), "征集加装电梯的好办法"
    )
    for path in (*PAGES, f"/gongshi/jianyi/{ticket}"):
        assert_page(await get(client, path))
    assert_page(await get(client, "/gongshi/jianyi/JY-20260101-0099", 404))
    csv_response = await client.get("/gongshi/banli.csv")
    assert csv_response.status == 200 and csv_response.content_type == "text/csv"
    item_page = await get(client, f"/gongshi/jianyi/{ticket}")
    for label in ("提出建议", "受理", "报送", "领导批示", "交办", "采纳", "落地实施", "评为金点子"):
        assert f"　{label}</li>" in item_page
    assert "市交通委" in item_page and "附议人数：0 人" in item_page
    assert "年度优秀建议奖" in await get(client, "/gongshi/jindianzi?year=2026")
    campaigns = await get(client, "/gongshi/zhengji")
    assert (
        "老旧小区加装电梯" in campaigns and 'href="/?campaign=1"' in campaigns and "campaign_1" in campaigns
    )
    assert "<svg" in await get(client, "/gongshi/banli")


async def test_filters_pagination_and_hidden_items(db: str, site: tuple[Client, Clock]) -> None:
    client, _ = site
    shown = []
    for n in range(12):
        ticket = await file(n, category="交通出行" if n % 2 else "城市管理")
        await publish(ticket, f"公开建议-{n:02d}-")
        shown.append(ticket)
    hidden = await file(50)
    complaint = await file(51, "complaint")
    first = await get(client, "/gongshi/")
    assert "共 12 条，第 1 / 2 页" in first and "公开建议-11-" in first and "公开建议-01-" not in first
    second = await get(client, "/gongshi/?page=2")
    assert "公开建议-01-" in second and "公开建议-11-" not in second
    only = await get(client, "/gongshi/?category=城市管理")
    assert "共 6 条" in only and "公开建议-01-" not in only and "公开建议-02-" in only
    assert "共 12 条" in await get(client, "/gongshi/?category=不存在&page=x&year=abc")
    assert "共 0 条" in await get(client, "/gongshi/?year=2001")
    this_year = datetime.now(UTC).astimezone(DEFAULT.zone).year
    assert "共 12 条" in await get(client, f"/gongshi/?year={this_year}")
    campaign = await catalogue.add_campaign("夜市治理", date(2026, 1, 1), date(2099, 1, 1))
    await Item.filter(ticket=shown[0]).update(campaign_id=campaign.id)
    await StaffEvent.create(actor=STAFF, action="campaign_add", subject="x")  # the version moves
    site[1].now += 2
    by_campaign = await get(client, f"/gongshi/?campaign={campaign.id}")
    assert "共 1 条" in by_campaign and "公开建议-00-" in by_campaign
    await get(client, f"/gongshi/jianyi/{hidden}", 404)
    await get(client, f"/gongshi/jianyi/{complaint}", 404)
    for path in (*PAGES, "/gongshi/banli.csv", "/gongshi/?page=2"):
        text = await get(client, path)
        assert hidden not in text and complaint not in text
    figures = await get(client, "/gongshi/banli")
    assert "<td>14</td><td>13</td><td>1</td>" in figures  # 14 received: 13 suggestions, 1 complaint


async def test_nothing_private_on_any_public_page(any_db: str, site: tuple[Client, Clock]) -> None:
    client, _ = site
    shown = await file(1)
    await carry_out(shown)
    await publish(shown, "幸福路公交站加装遮雨棚")
    await supporters.cosign(user(9), shown, datetime.now(UTC))
    hidden = await file(2)
    await carry_out(hidden)
    complaint = await file(3, "complaint")
    await actions.accept(complaint, actor=STAFF, clocks=DEFAULT)
    await actions.answer(complaint, actor=STAFF, clocks=DEFAULT, text=DIRTY)
    rejected = await file(4, "complaint")
    await actions.reject(rejected, actor=STAFF, clocks=DEFAULT, reason=DIRTY, where=ADDRESS)
    await Citizen.all().update(verified_phone=PHONE)
    await Message.create(item=await Item.get(ticket=shown), direction="citizen", author=NAME, text=DIRTY)
    assert await ItemEvent.filter(note__contains=PHONE).count() >= 4  # the seed holds them
    await catalogue.add_campaign("夜市治理", date(2026, 1, 1), date(2099, 1, 1))
    site[1].now += 2
    paths = [*PAGES, "/gongshi/banli.csv", "/gongshi/jindianzi?year=2026", f"/gongshi/jianyi/{shown}"]
    paths += [f"/gongshi/?category=交通出行&year={datetime.now(UTC).year}", "/gongshi/?campaign=1"]
    seen = ""
    for path in paths:
        seen += await get(client, path)
    for path in (f"/gongshi/jianyi/{hidden}", f"/gongshi/jianyi/{complaint}", f"/gongshi/jianyi/{rejected}"):
        seen += await get(client, path, 404)
    assert "幸福路公交站加装遮雨棚" in seen and "附议人数：1 人" in seen  # the clean wording is there
    for secret in SECRETS:
        assert secret not in seen, secret
    for ticket in (hidden, complaint, rejected):
        assert ticket not in seen


async def test_figures_are_minyi_admin_stats(any_db: str, site: tuple[Client, Clock]) -> None:
    client, _ = site
    for n, dept in enumerate(["市交通委", "市城管局", "市交通委"]):
        ticket = await file(n)
        await carry_out(ticket, dept=dept)
    declined = await file(7)
    await actions.accept(declined, actor=STAFF, clocks=DEFAULT)
    await actions.decline(declined, actor=STAFF, clocks=DEFAULT, reason="条件不具备")
    complaint = await file(8, "complaint")
    await actions.accept(complaint, actor=STAFF, clocks=DEFAULT)
    await file(9, "complaint")
    today = DEFAULT.today(datetime.now(UTC))
    figures = await public.figures(today)
    for row, start in zip(figures["months"], public.months(today), strict=True):
        end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        stats = (await reports.stats(DEFAULT.midnight(start), DEFAULT.midnight(end)))["total"]
        assert row["received"] == stats["count"]
        assert row["adoption_rate"] == stats["adoption_rate"]
        assert row["on_time_rate"] == stats["on_time_rate"]
        assert row["satisfied_rate"] == stats["satisfied_rate"]
        assert row["accepted_in_time_rate"] == stats["accepted_in_time_rate"]
        assert (row["suggestions"], row["complaints"]) == tuple(stats["by_kind"].values())
    since = DEFAULT.midnight(public.months(today)[0])
    until = DEFAULT.midnight(date.fromisoformat(figures["until"]))
    by_dept = await reports.stats(since, until, "department")
    assert [r["name"] for r in figures["departments"]] == list(by_dept["groups"])
    for row in figures["departments"]:
        stats = by_dept["groups"][row["name"]]
        assert (row["received"], row["adoption_rate"], row["on_time_rate"]) == (
            stats["count"],
            stats["adoption_rate"],
            stats["on_time_rate"],
        )
    assert figures["total"]["received"] == 6 and figures["total"]["complaints"] == 2
    assert figures["total"]["adoption_rate"] == 0.75 and figures["total"]["accepted_in_time_rate"] == 1.0
    page = await get(client, "/gongshi/banli")
    assert "<td>75%</td>" in page and "市城管局" in page
    csv_text = await get(client, "/gongshi/banli.csv")
    assert "月份,合计,6,4,2,1.0," in csv_text


class Counted:
    """Counts the SQL the connection runs (every tortoise query goes through these)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.queries = 0
        cls = type(Tortoise.get_connection("default"))
        for name in ("execute_query", "execute_query_dict"):
            real = getattr(cls, name)
            monkeypatch.setattr(cls, name, self._wrap(real))

    def _wrap(self, real: Any) -> Any:
        async def counted(conn: Any, *args: Any, **kwargs: Any) -> Any:
            self.queries += 1
            return await real(conn, *args, **kwargs)

        return counted


async def test_cache_costs_no_query_and_shows_a_staff_change_within_a_second(
    db: str, site: tuple[Client, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, clock = site
    first = await file(1)
    await publish(first, "第一条公开建议")
    loads = 0
    real = public.suggestions

    async def counting(**kwargs: Any) -> dict[str, Any]:
        nonlocal loads
        loads += 1
        return await real(**kwargs)

    monkeypatch.setattr(public, "suggestions", counting)
    assert "第一条公开建议" in await get(client, "/gongshi/")
    assert loads == 1
    counted = Counted(monkeypatch)
    for _ in range(50):  # within the TTL and within the version's interval: no query at all
        assert "第一条公开建议" in await get(client, "/gongshi/")
    clock.now += 0.5
    for _ in range(50):
        await get(client, "/gongshi/")
    assert (counted.queries, loads) == (0, 1)
    second = await file(2)
    await publish(second, "第二条公开建议")  # a staff change
    counted.queries = 0
    clock.now += 0.6  # 1.1 s after the last version read: the next request reads it again
    assert "第二条公开建议" in await get(client, "/gongshi/")
    assert loads == 2
    for _ in range(50):
        await get(client, "/gongshi/")
    clock.now += 1.0  # one version read per second, whatever the number of requests
    before = counted.queries
    for _ in range(50):
        await get(client, "/gongshi/")
    assert counted.queries - before == 2 and loads == 2  # two MAX(id): nothing changed
    await Item.filter(ticket=second).update(public_title="改过的标题")  # no event: only the TTL sees it
    clock.now += 29.5
    assert "改过的标题" in await get(client, "/gongshi/")
    assert loads == 3


async def test_item_page_lists_public_step_dates_only(db: str, site: tuple[Client, Clock]) -> None:
    client, _ = site
    ticket = await file(1)
    await carry_out(ticket)
    await publish(ticket, "幸福路公交站加装遮雨棚")
    page = await get(client, f"/gongshi/jianyi/{ticket.lower()}")
    day = DEFAULT.day(datetime.now(UTC) - timedelta(seconds=0))
    assert page.count(f"<li>{day}") == 10  # submit … golden: 10 public steps, dates only
    assert "事前沟通" not in page and "群众" not in page.split("<main>")[1].split("</main>")[0]
