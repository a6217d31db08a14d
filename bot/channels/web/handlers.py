"""The web chat's endpoints: ``POST /api/web/messages`` (JSON in, replies out), ``GET
/api/web/notices`` with ``POST /api/web/notices/ack``, ``POST /api/web/session`` (an old page's
claim) and the page itself. Every answer carries the session cookie when it was issued now."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, NamedTuple

import orjson
from aiohttp import web

from bot.channels.web import legacy
from bot.channels.web.ratelimit import WebLimits, client_address
from bot.channels.web.session import CookiePolicy, Session, session_of
from bot.keys import PIPELINE
from bot.pipeline import ClientGone, StepFailed
from dialogs import Inbound, Reply, texts
from notifier import held

MAX_BODY = 16 * 1024
MAX_SMALL_BODY = 1024  # a session request or an ack
MAX_ACK = 100  # ids in one ack
RETRY_WAIT_S = 5.0  # a retried message waits this long for its first delivery's replies
MID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # the page's message id: random, reused on retry


@dataclass(frozen=True, slots=True)
class WebChat:
    """What the endpoints share: the rate limits, the cookie policy, and the settings they read."""

    limits: WebLimits
    cookie: CookiePolicy
    legacy_claims: bool = True
    proxy_hops: int = 0


WEB = web.AppKey("web_chat", WebChat)


class Message(NamedTuple):
    text: str | None  # None: the page-opened event
    re: int | None  # the turn whose question the page showed when this was sent
    mid: str | None  # the page's id of this message (a retry carries the same one)
    campaign: int | None = None  # the page was opened from a campaign's link (``/?campaign=ID``)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Chinese as UTF-8, not ``\\u`` escapes (a third of the bytes on a phone)."""
    resp = web.json_response(data, status=status, dumps=lambda d: orjson.dumps(d).decode(), headers=headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _error(message: str, status: int = 400) -> web.Response:
    return _json({"error": message}, status=status)


def _refused(seconds: int, **extra: Any) -> web.Response:
    """Over a rate limit: 429, ``Retry-After``, and a sentence for the citizen."""
    body = {"error": "rate limited", "replies": [texts.WEB_TOO_FAST], **extra}
    return _json(body, 429, headers={"Retry-After": str(seconds)})


def _load(body: bytes) -> dict[str, Any]:
    try:
        doc: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError("body is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise ValueError("body must be a JSON object")
    return doc


def parse_message(body: bytes) -> Message:
    """The message in a request body (any ``user_id`` in it is ignored); ValueError with the reason."""
    doc = _load(body)
    text, turn, mid = doc.get("text"), doc.get("re"), doc.get("mid")
    if mid is not None and (not isinstance(mid, str) or not MID.fullmatch(mid)):
        raise ValueError("mid must be a string of 8-64 letters, digits, _ or -")
    if turn is not None and (type(turn) is not int or turn < 0):
        raise ValueError("re must be a non-negative integer (the turn of the question shown)")
    if doc.get("event") == "hello" and text is None:
        campaign = doc.get("campaign")
        if campaign is not None and (type(campaign) is not int or not 0 < campaign < 2**31):
            raise ValueError("campaign must be a positive integer (the id in the page's link)")
        return Message(None, None, mid, campaign)
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    return Message(text, turn, mid)


def parse_ack(body: bytes) -> list[int]:
    """The notice ids in an ack body; ValueError with the reason."""
    ids = _load(body).get("ids")
    if not isinstance(ids, list) or len(ids) > MAX_ACK or any(type(i) is not int for i in ids):
        raise ValueError(f"ids must be a list of at most {MAX_ACK} integers")
    return ids


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


async def _body(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None when it is over ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = await request.content.read(limit + 1)
    return None if len(body) > limit else body


def _answer(request: web.Request, session: Session, resp: web.Response, renew: bool = False) -> web.Response:
    """``resp`` with the cookie set when the session is new (or ``renew``: the page was opened)."""
    if session.fresh or renew:
        request.app[WEB].cookie.keep(resp, request, session)
    return resp


async def messages(request: web.Request) -> web.Response:
    chat, session = request.app[WEB], session_of(request)
    address = client_address(request, chat.proxy_hops)
    if (wait := await chat.limits.message(session.user.user_id, address)) is not None:
        return _answer(request, session, _refused(wait))
    if (body := await _body(request, MAX_BODY)) is None:
        return _answer(request, session, _too_large())
    try:
        msg = parse_message(body)
    except ValueError as exc:
        return _answer(request, session, _error(str(exc)))
    gate = request.app[PIPELINE].gate
    if not gate.enter():  # this process is full: the page keeps the text and says to resend
        gate.shed("web")
        busy = {"error": "busy", "replies": [texts.WEB_BUSY]}
        return _answer(request, session, _json(busy, 503, headers={"Retry-After": "5"}))
    try:
        replies = await _feed(request, session, msg)
    except StepFailed:  # nothing happened; the page keeps the text so the citizen can resend
        failed = {"error": "step failed", "replies": [texts.STEP_FAILED]}
        return _answer(request, session, _json(failed, 503, headers={"Retry-After": "5"}))
    except ClientGone:  # the page gave up before the step began; its retry is answered
        return web.Response(status=499)
    finally:
        gate.leave()
    if replies is None:  # the first delivery of this mid is still running: the page retries
        still = {
            "error": "still working on this message",
            "replies": [texts.WEB_STILL_WORKING],
            "pending": True,
        }
        return _answer(request, session, _json(still, 503, headers={"Retry-After": "1"}))
    return _answer(request, session, _json(render(replies)), renew=msg.text is None)


async def _feed(request: web.Request, session: Session, msg: Message) -> list[Reply] | None:
    """The replies to ``msg``; a message with a ``mid`` is handled once however often it is sent."""
    inbound = Inbound(
        user=session.user,
        message_id=msg.mid or uuid.uuid4().hex,
        time=datetime.now(UTC),
        kind="text" if msg.text is not None else "event",
        text=msg.text if msg.campaign is None else str(msg.campaign),
        event=None if msg.text is not None else "hello" if msg.campaign is None else "campaign",
        re=msg.re,
    )
    pipeline = request.app[PIPELINE]
    if msg.mid is None:
        return await pipeline.feed(inbound)
    key = f"{session.user.user_id}:{msg.mid}"
    return await pipeline.feed_once(
        inbound, dedupe_key=key, wait_s=RETRY_WAIT_S, alive=lambda: _connected(request)
    )


def _connected(request: web.Request) -> bool:
    """The page still waits for the answer (a step for a page that has gone is not run)."""
    return request.transport is not None and not request.transport.is_closing()


async def notices(request: web.Request) -> web.Response:
    """``GET /api/web/notices``: the notices waiting for this session, with ids, left waiting
    until the page acknowledges them."""
    chat, session = request.app[WEB], session_of(request)
    address = client_address(request, chat.proxy_hops)
    if (wait := await chat.limits.poll(session.user.user_id, address)) is not None:
        return _answer(request, session, _refused(wait, notices=[]))
    waiting = [] if session.fresh else await held.waiting(session.user)
    return _answer(request, session, _json({"notices": [{"id": n.id, "text": n.text} for n in waiting]}))


async def ack(request: web.Request) -> web.Response:
    """``POST /api/web/notices/ack`` ``{"ids": [...]}``: the page showed these; ids that are not
    this session's are ignored."""
    chat, session = request.app[WEB], session_of(request)
    address = client_address(request, chat.proxy_hops)
    if (wait := await chat.limits.ack(session.user.user_id, address)) is not None:
        return _answer(request, session, _refused(wait))
    if (body := await _body(request, MAX_SMALL_BODY)) is None:
        return _answer(request, session, _error("body too large", 413))
    try:
        ids = parse_ack(body)
    except ValueError as exc:
        return _answer(request, session, _error(str(exc)))
    done = 0 if session.fresh else await held.ack(session.user, ids, datetime.now(UTC))
    return _answer(request, session, _json({"acked": done}))


async def session_request(request: web.Request) -> web.Response:
    """``POST /api/web/session``: the cookie, and an old page's ``legacy_user_id`` bound to it once."""
    chat, session = request.app[WEB], session_of(request)
    if (wait := await chat.limits.claim(client_address(request, chat.proxy_hops))) is not None:
        return _answer(request, session, _refused(wait))
    if (body := await _body(request, MAX_SMALL_BODY)) is None:
        return _answer(request, session, _error("body too large", 413))
    try:
        doc = _load(body) if body.strip() else {}
    except ValueError as exc:
        return _answer(request, session, _error(str(exc)))
    old = legacy.legacy_id(doc.get("legacy_user_id"))
    claimed = False
    if old is not None and chat.legacy_claims:
        claimed = await legacy.claim(request.app[PIPELINE].backends, old, session.user)
    return _answer(request, session, _json({"claimed": claimed}), renew=True)


async def page(request: web.Request) -> web.Response:
    html = resources.files("bot.channels").joinpath("static/index.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", charset="utf-8")
