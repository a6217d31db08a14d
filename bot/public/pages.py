"""The handlers of ``/gongshi/``: each reads its page from the cache (``cache.py``) and renders it
from ``storage.public`` on a miss. Query parameters are checked before they become a cache key, so
a visitor cannot fill the cache with pages nobody links to."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.public import chart, html
from bot.public.cache import PageCache
from storage import public
from storage.workflow.clocks import Clocks

TICKET = re.compile(r"^(JY|TS)-\d{8}-\d{4}$")
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    body: bytes
    content_type: str = "text/html"


@dataclass
class Site:
    cache: PageCache[Page]
    clocks: Clocks

    def today(self) -> Any:
        return self.clocks.today(datetime.now(UTC))


SITE = web.AppKey("public_site", Site)


def _respond(page: Page) -> web.Response:
    return web.Response(
        status=page.status,
        body=page.body,
        content_type=page.content_type,
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=30"},
    )


def _html(text: str, status: int = 200) -> Page:
    return Page(status, text.encode("utf-8"))


def _int(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


async def _choices(site: Site) -> tuple[list[str], list[dict[str, Any]], list[int]]:
    return await public.categories(), await public.all_campaigns(), await public.years(site.clocks)


async def front(request: web.Request) -> web.Response:
    site = request.app[SITE]
    q = request.query
    page_no = _int(q.get("page"), 1, MAX_PAGE) or 1
    year = _int(q.get("year"), 2000, 2100)
    campaign = _int(q.get("campaign"), 1, 2**31 - 1)
    category = q.get("category", "").strip()[:32] or None

    async def load() -> Page:
        categories, campaigns, years = await _choices(site)
        chosen_category = category if category in categories else None
        chosen_campaign = campaign if any(c["id"] == campaign for c in campaigns) else None
        data = await public.suggestions(
            category=chosen_category, campaign_id=chosen_campaign, year=year, page=page_no, clocks=site.clocks
        )
        filters = {
            "category": chosen_category or "",
            "campaign": str(chosen_campaign or ""),
            "year": str(year or ""),
        }
        return _html(html.front(data, filters, categories, campaigns, years))

    if category is not None:  # an unknown category shares the unfiltered page's key
        known = await site.cache.get(("categories",), _category_page)
        if category not in known.body.decode("utf-8").split("\n"):
            category = None
    return _respond(await site.cache.get(("front", category, campaign, year, page_no), load))


async def _category_page() -> Page:
    """The known categories, cached like a page (one per line)."""
    return Page(200, "\n".join(await public.categories()).encode("utf-8"), "text/plain")


async def item(request: web.Request) -> web.Response:
    site = request.app[SITE]
    ticket = request.match_info["ticket"].strip().upper()
    if not TICKET.match(ticket):
        return _respond(_html(html.not_found(), 404))

    async def load() -> Page:
        row = await public.suggestion(ticket, site.clocks)
        return _html(html.item(row)) if row is not None else _html(html.not_found(), 404)

    return _respond(await site.cache.get(("item", ticket), load))


async def golden(request: web.Request) -> web.Response:
    site = request.app[SITE]
    year = _int(request.query.get("year"), 2000, 2100)

    async def load() -> Page:
        rows = await public.golden(None, site.clocks)
        years = sorted({int(r["golden_year"]) for r in rows}, reverse=True)
        shown = [r for r in rows if year is None or r["golden_year"] == year]
        return _html(html.golden(shown, year, years))

    return _respond(await site.cache.get(("golden", year), load))


async def campaigns(request: web.Request) -> web.Response:
    site = request.app[SITE]
    today = site.today()

    async def load() -> Page:
        return _html(html.campaigns(await public.campaigns(today)))

    return _respond(await site.cache.get(("campaigns", today), load))


SERIES = (
    ("accepted_in_time_rate", "15日内受理告知"),
    ("on_time_rate", "按期办结"),
    ("adoption_rate", "建议采纳"),
    ("satisfied_rate", "群众满意"),
)


async def banli(request: web.Request) -> web.Response:
    site = request.app[SITE]
    today = site.today()

    async def load() -> Page:
        figures = await public.figures(today, clocks=site.clocks)
        rows = [(r["name"], [r[k] for k, _ in SERIES]) for r in figures["months"] if r["received"]]
        svg = chart.bars("各月办理情况", rows, [t for _, t in SERIES])
        return _html(html.banli(figures, svg))

    return _respond(await site.cache.get(("banli", today), load))


async def banli_csv(request: web.Request) -> web.Response:
    site = request.app[SITE]
    today = site.today()

    async def load() -> Page:
        figures = await public.figures(today, clocks=site.clocks)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["分组", "名称", *(t for _, t in html.COLUMNS)])
        groups = [("月份", r) for r in [*figures["months"], figures["total"]]]
        groups += [("承办单位", r) for r in figures["departments"]]
        for group, r in groups:
            writer.writerow([group, r["name"], *("" if r[k] is None else r[k] for k, _ in html.COLUMNS)])
        return Page(200, ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv")  # BOM: Excel reads UTF-8

    response = _respond(await site.cache.get(("banli.csv", today), load))
    response.headers["Content-Disposition"] = 'attachment; filename="banli.csv"'
    return response
