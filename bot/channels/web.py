"""The web chat: a phone-sized page and ``POST /api/web/messages`` (JSON in, replies out)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from importlib import resources
from typing import Any, NamedTuple

import orjson
from aiohttp import web

from bot.keys import PIPELINE
from dialogs import Inbound, Reply, UserRef, texts
from notifier import held

MAX_BODY = 16 * 1024
USER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class Message(NamedTuple):
    user_id: str
    text: str | None  # None: the page-opened event
    re: int | None  # the turn whose question the page showed when this was sent


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with Chinese as UTF-8, not ``\\u`` escapes (a third of the bytes on a phone)."""
    return web.json_response(data, status=status, dumps=lambda d: orjson.dumps(d).decode())


def _error(message: str, status: int = 400) -> web.Response:
    return _json({"error": message}, status=status)


def parse_message(body: bytes) -> Message:
    """The message in a request body; raises ValueError with the reason."""
    try:
        doc: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError("body is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise ValueError("body must be a JSON object")
    user_id, text, turn = doc.get("user_id"), doc.get("text"), doc.get("re")
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise ValueError("user_id must be a string of 1-64 letters, digits or _.:-")
    if turn is not None and (type(turn) is not int or turn < 0):
        raise ValueError("re must be a non-negative integer (the turn of the question shown)")
    if doc.get("event") == "hello" and text is None:
        return Message(user_id, None, None)
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    return Message(user_id, text, turn)


def render(replies: list[Reply]) -> dict[str, Any]:
    """``replies``, the buttons of the last one, and the turn the page sends back as ``re``."""
    last = replies[-1] if replies else None
    return {
        "replies": [r.text for r in replies],
        "choices": list(last.choices) if last else [],
        "turn": last.turn if last else None,
    }


def _too_large() -> web.Response:
    """Said to the citizen too (a page shows ``replies``), not only to a program."""
    return _json({"error": "body too large (limit 16 KiB)", "replies": [texts.WEB_TOO_LONG]}, 413)


async def messages(request: web.Request) -> web.Response:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _too_large()
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _too_large()
    try:
        msg = parse_message(body)
    except ValueError as exc:
        return _error(str(exc))
    inbound = Inbound(
        user=UserRef("web", msg.user_id),
        message_id=uuid.uuid4().hex,
        time=datetime.now(UTC),
        kind="text" if msg.text is not None else "event",
        text=msg.text,
        event=None if msg.text is not None else "hello",
        re=msg.re,
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
