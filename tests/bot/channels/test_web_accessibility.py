"""The web chat page and the public pages (/gongshi/) in a real browser, checked by axe-core
(``axe-playwright-python``) on a seeded site (published suggestions over two pages, one item's
whole timeline, 金点子, figures, an open campaign): no serious or critical violation, at a phone's
width (375 px), at 320 px and with the text at 200 %; Chinese ``lang`` and a title; nothing wider
than the screen. Screenshots go to ``tests/output/`` for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from storage import catalogue
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.bot.channels.test_web_browser import CHROMIUM, FLAGS, need_chromium
from tests.bot.public.test_pages import STAFF, carry_out, file, publish

pytestmark = pytest.mark.browser
OUTPUT = Path(__file__).resolve().parents[2] / "output"
SEVERE = {"serious", "critical"}


def severe(results: Any) -> list[str]:
    """The serious or critical violations axe found, one line each."""
    found = results.response.get("violations", [])
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in SEVERE
    ]


PAGES = {
    "chat": "/",
    "gongshi": "/gongshi/",
    "jianyi": "/gongshi/jianyi/{ticket}",
    "jindianzi": "/gongshi/jindianzi",
    "banli": "/gongshi/banli",
    "zhengji": "/gongshi/zhengji",
}


async def seed() -> str:
    """What a person would see on a working site: eleven published suggestions (two pages), one
    carried through every step and made 金点子, complaints in the counts, an open campaign.
    The ticket of the one with the whole public timeline."""
    await catalogue.add_campaign(
        "老旧小区加装电梯", date(2026, 1, 1), date(2099, 12, 31), "征集加装电梯的好办法"
    )
    full = await file(0)
    await carry_out(full)
    await publish(full, "幸福路公交站加装遮雨棚")
    for n in range(1, 11):
        ticket = await file(n, category=("交通出行", "城市建设", "教育文化")[n % 3])
        await actions.accept(ticket, actor=STAFF, clocks=DEFAULT)
        await publish(ticket, f"第{n}条公开的建议：社区道路和设施的改进办法", "已转有关部门研究办理。")
    for n in range(11, 14):
        await file(n, kind="complaint")
    return full


@pytest.mark.parametrize(("width", "zoom"), [(375, 1.0), (320, 1.0), (375, 2.0)])
async def test_the_pages_pass_axe_at_phone_widths_and_large_text(
    app: web.Application, aiohttp_server: Callable[..., Any], width: int, zoom: float
) -> None:
    need_chromium()
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright

    ticket = await seed()
    server = await aiohttp_server(app)
    problems: list[str] = []
    OUTPUT.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": 740}, is_mobile=True)
            for name, template in PAGES.items():
                path = template.format(ticket=ticket)
                await page.goto(str(server.make_url(path)))
                if name == "chat":
                    await page.get_by_text("3 查进度").first.wait_for()
                if zoom != 1.0:  # 200 % text, as a browser's text-size setting does
                    await page.add_style_tag(content=f"html {{ font-size: {int(zoom * 100)}% !important; }}")
                results = await Axe().run(page)
                problems += [f"{path}: {line}" for line in severe(results)]
                if not (await page.evaluate("document.documentElement.lang")).startswith("zh"):
                    problems.append(f"{path}: no Chinese lang")
                if not await page.title():
                    problems.append(f"{path}: no title")
                wide = await page.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    problems.append(f"{path}: {wide} px wide on a {width} px screen")
                shot = OUTPUT / f"{name}-{width}px-{int(zoom * 100)}.png"
                await page.screenshot(path=str(shot), full_page=True)
        finally:
            await browser.close()
    assert problems == [], "\n".join(problems)
