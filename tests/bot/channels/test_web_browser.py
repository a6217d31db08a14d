"""Once in a real browser: headless Debian Chromium, driven by Playwright, files a suggestion."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from bot.keys import PIPELINE
from dialogs import Inbound, UserRef, texts
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.config import Settings
from storage.models import Item
from storage.workflow import actions
from storage.workflow.clocks import DEFAULT
from tests.answers import SUGGESTION, SUGGESTION_FROM_MENU
from tests.apps import Served, make_config

CHROMIUM = "/usr/bin/chromium"
S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}
# what each answer of tests.answers.SUGGESTION is followed by: the questions the account left open
NEXT = [S["measure"], S["name"], S["phone"], S["contact_ok"], "请核对您的建议"]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def need_chromium() -> None:
    if os.path.exists(CHROMIUM) and shutil.which("chromium"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("Debian's chromium is missing (make test installs it): CI=true makes this a failure")
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)")


async def test_a_citizen_types_a_whole_suggestion_on_a_phone_screen(
    app: web.Application, aiohttp_server: Callable[..., Any]
) -> None:
    need_chromium()
    from playwright.async_api import async_playwright

    server = await aiohttp_server(app)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = await browser.new_page(
                viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
            )
            await page.goto(str(server.make_url("/")))
            await page.get_by_text("3 查进度").first.wait_for()
            await page.get_by_role("button", name="1 提建议").click()  # the quick-reply button
            await page.get_by_text(S["problem"]).wait_for()
            for answer, marker in zip(SUGGESTION, NEXT, strict=True):
                await page.fill("#text", answer)
                await page.press("#text", "Enter")
                await page.get_by_text(marker).last.wait_for()
            await page.fill("#text", "确认")
            await page.click("#go")
            receipt = page.get_by_text("您的建议已收到")
            await receipt.wait_for()
            text = await receipt.inner_text()
            width = await page.evaluate("document.documentElement.scrollWidth")
        finally:
            await browser.close()
    item = await Item.get()
    assert item.ticket in text and item.channel == "web"
    assert width <= 375  # nothing overflows a phone-sized screen


async def test_a_double_tap_a_long_paste_and_the_end_of_a_long_question(
    app: web.Application, aiohttp_server: Callable[..., Any]
) -> None:
    """Regressions (issue 9): a double tap sent the button twice and answered the next question; a
    paste over 16 KiB got no answer at all; the bottom of a long question hid behind its buttons."""
    need_chromium()
    from playwright.async_api import async_playwright

    server = await aiohttp_server(app)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = await browser.new_page(
                viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
            )
            await page.goto(str(server.make_url("/")))
            await page.get_by_role("button", name="1 提建议").click()
            await page.get_by_text(S["problem"]).wait_for()
            await page.fill("#text", "随便写写看看")  # nothing to propose a category from: it is asked
            await page.press("#text", "Enter")
            await page.get_by_text(S["category"]).wait_for()
            button = page.get_by_role("button", name="交通出行")
            await button.dblclick()  # two taps, as an unsteady thumb does
            await page.get_by_text(S["measure"]).wait_for()
            await page.wait_for_timeout(300)
            assert await page.get_by_text(S["name"]).count() == 0  # the second tap answered nothing
            last = page.locator(".msg.bot").last
            box, log = await last.bounding_box(), await page.locator("#log").bounding_box()
            assert (
                box is not None
                and log is not None
                and box["y"] + box["height"] <= log["y"] + log["height"] + 1
            )
            await page.fill("#text", "很" * 6000)  # about 18 KB: over what the service takes
            await page.press("#text", "Enter")
            await page.get_by_text("内容有点长（6000字）").wait_for()
        finally:
            await browser.close()
    item_count = await Item.all().count()
    assert item_count == 0


@pytest.mark.usefixtures("db")
async def test_an_old_page_s_items_come_along_a_lost_answer_is_fetched_again_and_429_keeps_the_text(
    served: Served, tmp_path: Any
) -> None:
    """Issue 10 §3 in a browser: the old page's localStorage id is claimed once and deleted; a
    reply lost on the way is fetched again with the same mid (answered once, not twice); over the
    rate limit the citizen reads why and finds their text still in the box."""
    need_chromium()
    from playwright.async_api import Route, async_playwright

    settings = Settings(
        database_url="sqlite://:memory:", media_dir=tmp_path, web_rate_session="5/minute", _env_file=None
    )
    client = await served.start(make_config(settings))
    assert client.server.app is not None
    for n, text in enumerate([*SUGGESTION_FROM_MENU, "确认"]):  # what the old page filed
        inbound = Inbound(UserRef("web", "w-oldpage"), f"o{n}", datetime.now(UTC), text=text)
        await client.server.app[PIPELINE].feed(inbound)
    ticket = (await Item.get()).ticket
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    lost: list[str] = []

    async def lose_the_first_answer(route: Route) -> None:
        if not lost and '"text":"1"' in (route.request.post_data or ""):
            await route.fetch()  # the server answered, the answer never reached the page
            lost.append(route.request.post_data or "")
            await route.abort()
        else:
            await route.continue_()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = await browser.new_page(
                viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
            )
            await page.goto(str(client.make_url("/nothing-here")))  # the origin, without the page
            await page.evaluate("localStorage.setItem('minyi_user', 'w-oldpage')")
            await page.route("**/api/web/messages", lose_the_first_answer)
            await page.goto(str(client.make_url("/")))
            await page.get_by_text("已受理").wait_for()  # the old id's notice rode along with hello
            assert await page.evaluate("localStorage.getItem('minyi_user')") is None
            assert await page.evaluate("document.cookie") == ""  # HttpOnly: the script cannot read it
            await page.get_by_role("button", name="1 提建议").click()
            await page.get_by_text(S["problem"]).wait_for()  # after the page's own retry
            await page.fill("#text", "3")
            await page.press("#text", "Enter")
            await page.get_by_text(ticket).last.wait_for()
            await page.fill("#text", "菜单")  # the fifth message in a minute, the retry counted
            await page.press("#text", "Enter")
            await page.locator(".msg.bot").filter(has_text="请回复数字").nth(1).wait_for()  # menu again
            await page.fill("#text", "太快了")
            await page.press("#text", "Enter")
            await page.get_by_text(texts.WEB_TOO_FAST).wait_for()
            kept, mine = await page.input_value("#text"), await page.get_by_text("太快了").count()
            first_question = await page.get_by_text(S["problem"]).count()
        finally:
            await browser.close()
    assert len(lost) == 1 and first_question == 1
    assert kept == "太快了" and mine == 0  # not taken: back in the box, not in the conversation
