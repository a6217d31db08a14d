"""The web chat page and the public pages (/gongshi/) in a real browser, checked by axe-core
(``axe-playwright-python``): no serious or critical violation, at a phone's width (375 px), at
320 px and with the text at 200 %; Chinese ``lang`` and a title. Screenshots go to
``tests/output/`` for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.bot.channels.test_web_browser import CHROMIUM, FLAGS, need_chromium

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


PAGES = {"chat": "/", "gongshi": "/gongshi/", "banli": "/gongshi/banli", "zhengji": "/gongshi/zhengji"}


@pytest.mark.parametrize(("width", "zoom"), [(375, 1.0), (320, 1.0), (375, 2.0)])
async def test_the_pages_pass_axe_at_phone_widths_and_large_text(
    app: web.Application, aiohttp_server: Callable[..., Any], width: int, zoom: float
) -> None:
    need_chromium()
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright

    server = await aiohttp_server(app)
    problems: list[str] = []
    OUTPUT.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": 740}, is_mobile=True)
            for name, path in PAGES.items():
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
