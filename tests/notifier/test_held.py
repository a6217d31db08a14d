"""Held notices ride along with the reply to the citizen's next message, the web page polls for
them, and ``GET /metrics`` shows the outbox and the inbound counters."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.keys import PIPELINE
from notifier import metrics
from notifier.policy import Policy
from notifier.relay import Relay
from storage.models import Item, Outbox
from storage.workflow import service
from storage.workflow.service import Change
from tests.answers import SUGGESTION_FROM_MENU as SUGGESTION
from tests.bot.channels.test_web import external_id, page, say


async def file_suggestion(client: TestClient[Any, Any], user: str) -> str:
    for text in [*SUGGESTION, "确认"]:
        await say(client, text, user=user)
    return (await Item.get(citizen__external_id=external_id(client, user))).ticket


async def relay_web_only() -> None:
    await Relay({}, Policy(push_channels=frozenset())).drain()


async def test_held_notices_ride_along_with_the_next_reply_once(client: TestClient[Any, Any]) -> None:
    ticket = await file_suggestion(client, "u1")
    await service.apply(ticket, "accept", actor="王芳", plan=lambda _: Change(notice="您的建议已受理。"))
    await service.apply(ticket, "report", actor="王芳", plan=lambda _: Change(notice="您的建议已报送领导。"))
    await relay_web_only()
    assert await Outbox.filter(status="held").count() == 2
    replies = await say(client, "菜单", user="u1")
    assert replies[0] == "您有 2 条办理进展：\n1. 您的建议已受理。\n2. 您的建议已报送领导。"
    assert "1" in replies[1]  # the menu still follows
    assert await Outbox.filter(status="held").count() == 0
    assert await Outbox.filter(sent_via="reply", kind__in=["accept", "report"]).count() == 2
    again = await say(client, "菜单", user="u1")
    assert "办理进展" not in again[0]


async def test_one_held_notice_is_announced_too(client: TestClient[Any, Any]) -> None:
    ticket = await file_suggestion(client, "u1")
    await service.apply(ticket, "accept", actor="王芳", plan=lambda _: Change(notice="您的建议已受理。"))
    await relay_web_only()
    replies = await say(client, "菜单", user="u1")
    assert replies[0] == "您有 1 条办理进展：\n您的建议已受理。"


async def test_web_page_polls_for_notices_each_shown_once(client: TestClient[Any, Any]) -> None:
    ticket = await file_suggestion(client, "u1")
    await service.apply(ticket, "accept", actor="王芳", plan=lambda _: Change(notice="您的建议已受理。"))
    await relay_web_only()
    await say(client, "菜单", user="someone-else")
    assert await page(client, "someone-else").poll() == []
    assert await page(client, "u1").poll() == ["您的建议已受理。"]  # shown, then acknowledged
    assert await page(client, "u1").notices() == []
    assert await Outbox.filter(status="held").count() == 0
    html = await (await client.get("/")).text()
    assert "/api/web/notices" in html


async def test_metrics_show_notices_by_status_and_channel_and_inbound(client: TestClient[Any, Any]) -> None:
    ticket = await file_suggestion(client, "u1")
    await service.apply(ticket, "accept", actor="王芳", plan=lambda _: Change(notice="您的建议已受理。"))
    await relay_web_only()
    await metrics.refresh()  # what the background task does every MINYI_METRICS_REFRESH_SECONDS
    resp = await client.get("/metrics")
    assert resp.status == 200 and resp.content_type == "text/plain"
    body = await resp.text()
    assert 'minyi_notices{channel="web",status="held"} 1.0' in body
    assert 'minyi_notices{channel="web",status="sent"} 1.0' in body
    assert "minyi_relay_lag_seconds 0.0" in body
    assert 'minyi_inbound_messages_total{channel="web"}' in body
    assert "minyi_dialog_errors_total" in body
    assert "minyi_send_latency_seconds" in body


async def test_without_a_relay_running_web_notices_still_come_with_the_next_reply(
    client: TestClient[Any, Any],
) -> None:
    ticket = await file_suggestion(client, "u1")
    await service.apply(ticket, "accept", actor="王芳", plan=lambda _: Change(notice="您的建议已受理。"))
    assert await Outbox.filter(status="pending").count() == 1
    replies = await say(client, "菜单", user="u1")
    assert replies[0] == "您有 1 条办理进展：\n您的建议已受理。"
    assert await Outbox.filter(status="pending").count() == 0


async def test_notices_that_rode_with_a_failed_step_wait_for_the_next_reply(
    client: TestClient[Any, Any],
) -> None:
    ticket = await file_suggestion(client, "u1")
    await service.apply(ticket, "accept", actor="王芳", plan=lambda _: Change(notice="您的建议已受理。"))
    await relay_web_only()
    state = client.app[PIPELINE].backends.state
    save = state.set

    async def database_away(*args: Any) -> None:
        raise ConnectionError("database went away")

    state.set = database_away  # the step runs, its reply carries the notice, then saving fails
    failed = await page(client, "u1").send("菜单")
    assert failed.status == 503  # nothing happened: the citizen is asked to send it again
    state.set = save
    notice = await Outbox.get(text="您的建议已受理。")
    assert notice.status == "pending" and notice.sent_via == ""  # not lost: it waits again
    replies = await say(client, "菜单", user="u1")
    assert replies[0] == "您有 1 条办理进展：\n您的建议已受理。"
    assert (await Outbox.get(id=notice.id)).sent_via == "reply"
