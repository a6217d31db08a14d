"""The web chat: a phone-sized page and ``POST /api/web/messages`` (JSON in, replies out)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import orjson
from aiohttp import web

from bot.keys import PIPELINE
from dialogs import Inbound, Reply, UserRef
from notifier import held

MAX_BODY = 16 * 1024
USER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with Chinese as UTF-8, not ``\\u`` escapes (a third of the bytes on a phone)."""
    return web.json_response(data, status=status, dumps=lambda d: orjson.dumps(d).decode())


def _error(message: str, status: int = 400) -> web.Response:
    return _json({"error": message}, status=status)


def parse_message(body: bytes) -> tuple[str, str | None]:
    """``(user_id, text)`` from a request body, text None for the page-opened event.

    Raises ValueError with the reason."""
    try:
        doc: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError("body is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise ValueError("body must be a JSON object")
    user_id, text = doc.get("user_id"), doc.get("text")
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise ValueError("user_id must be a string of 1-64 letters, digits or _.:-")
    if doc.get("event") == "hello" and text is None:
        return user_id, None
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    return user_id, text


def render(replies: list[Reply]) -> dict[str, Any]:
    choices = list(replies[-1].choices) if replies else []
    return {"replies": [r.text for r in replies], "choices": choices}


async def messages(request: web.Request) -> web.Response:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error("body too large (limit 16 KiB)")
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _error("body too large (limit 16 KiB)")
    try:
        user_id, text = parse_message(body)
    except ValueError as exc:
        return _error(str(exc))
    inbound = Inbound(
        user=UserRef("web", user_id),
        message_id=uuid.uuid4().hex,
        time=datetime.now(UTC),
        kind="text" if text is not None else "event",
        text=text,
        event=None if text is not None else "hello",
    )
    replies = await request.app[PIPELINE].feed(inbound)
    return _json(render(replies))


async def notices(request: web.Request) -> web.Response:
    """``GET /api/web/notices?user_id=…``: progress notices that waited for this page (each once)."""
    user_id = request.query.get("user_id", "")
    if not USER_ID.match(user_id):
        return _error("user_id must be a string of 1-64 letters, digits or _.:-")
    return web.json_response({"notices": await held.poll(UserRef("web", user_id), datetime.now(UTC))})


async def page(request: web.Request) -> web.Response:
    html = resources.files("bot.channels").joinpath("static/index.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def setup(app: web.Application) -> None:
    app.router.add_get("/", page)
    app.router.add_post("/api/web/messages", messages)
    app.router.add_get("/api/web/notices", notices)
