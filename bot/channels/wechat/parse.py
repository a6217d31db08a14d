"""WeChat XML → ``dialogs.Inbound``, safely: no entity declarations, bounded size, no exceptions out.

Fields that become keys or columns are checked here, at the edge (``FIELD_LIMITS``): an over-long
id or one with control characters is ``Malformed`` (answered ``success``), never an ORM error
inside a step. An event's message id is kept short, so ``wechat:<openid>:<message id>`` (the
submission key) fits its 200 characters.

Link and video messages are declined politely (kind ``link``/``video``: the dialog says it
cannot use them and asks again); they are not stored, because staff cannot open WeChat links or
videos from the office network and the forms have no place for them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal
from xml.etree import ElementTree

from wechatpy import parse_message
from wechatpy.messages import BaseMessage

from bot.accesslog import pseudonym
from dialogs import Inbound, Location, Media, UserRef
from dialogs.campaign import from_scene

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")
# Custom-menu CLICK keys (pushed by ``minyi wechat menu push``) → the dialogs' click events: a
# command even in the middle of a form (typed "1" there would be the answer to the question).
MENU_KEYS = {
    "MINYI_SUGGEST": "click:suggest",
    "MINYI_COMPLAIN": "click:complain",
    "MINYI_STATUS": "click:status",
    "MINYI_HELP": "click:help",
}
# The longest value each field may have (openids have 28 characters). Budget: Citizen.external_id
# is 128, the submission key ``wechat:`` + openid + ``:`` + message id is 200, so message ids ≤ 64.
FIELD_LIMITS = {
    "FromUserName": 128,
    "ToUserName": 128,
    "MsgId": 64,
    "CreateTime": 20,
    "Event": 64,
    "EventKey": 256,
    "MediaId": 256,
}
MAX_MESSAGE_ID = 64
QUIET_EVENTS = frozenset({"scan", "location", "view", "templatesendjobfinish", "subscribe_msg_popup_event"})

Action = Literal["feed", "unsubscribe", "ignore"]


class Malformed(Exception):
    """Not a WeChat message we can read (answered ``success`` and logged)."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """What one WeChat push means for us."""

    action: Action
    openid: str
    account: str  # the Official Account's gh_ id (ToUserName)
    dedupe_key: str
    inbound: Inbound | None = None
    media_id: str | None = None  # an image to download into MINYI_MEDIA_DIR
    opens_window: bool = False  # a citizen message opens the 48-h customer-service window
    note: str = ""

    @property
    def who(self) -> str:
        """The citizen as logs name them (a hash, never the openid)."""
        return pseudonym(self.openid)


def refuse_unsafe(raw: bytes) -> None:
    """Size limit, and DOCTYPE/ENTITY refused before any parser sees the text (no expansion)."""
    if len(raw) > MAX_BODY:
        raise Malformed(f"body of {len(raw)} bytes is over {MAX_BODY}")
    if _ENTITY.search(raw):
        raise Malformed("entity or DOCTYPE declaration refused")


def encrypted_of(body: bytes | str) -> str:
    """The ``<Encrypt>`` text of a safe-mode envelope ("" when there is none). The envelope is
    read with the C ElementTree (a third of xmltodict's cost; entities were refused before);
    what it yields counts only once ``msg_signature`` verifies it."""
    raw = body.encode() if isinstance(body, str) else body
    refuse_unsafe(raw)
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, ValueError) as exc:
        raise Malformed(f"not XML: {exc}") from exc
    if root.tag != "xml":
        raise Malformed("no <xml> root element")
    return root.findtext("Encrypt") or ""


def message_of(plain: bytes | str) -> BaseMessage:
    """wechatpy's message object for a plaintext XML push (parsed once, by wechatpy, whose
    xmltodict also refuses entities: a second line behind ``refuse_unsafe``)."""
    raw = plain.encode() if isinstance(plain, str) else plain
    refuse_unsafe(raw)
    try:
        msg = parse_message(raw.decode())
    except Exception as exc:  # ExpatError, KeyError (no <xml>, no MsgType), UnicodeDecodeError…
        raise Malformed(f"not a WeChat message: {exc!r}") from exc
    if msg is None or not isinstance(msg._data, dict) or not msg._data.get("FromUserName"):
        raise Malformed("no FromUserName")
    check_fields(msg._data)
    return msg


def check_fields(data: dict[str, Any]) -> None:
    """``Malformed`` for a field in ``FIELD_LIMITS`` that is nested, too long or has control or
    invisible format characters (the value itself is not repeated: it may be huge or hostile)."""
    for name, limit in FIELD_LIMITS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Malformed(f"{name} is not text")
        if len(value) > limit:
            raise Malformed(f"{name} of {len(value)} characters (at most {limit})")
        if not value.isprintable() and any(unicodedata.category(c)[0] == "C" for c in value):
            raise Malformed(f"{name} has control characters")


def _time(data: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(data.get("CreateTime") or 0), UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


def _media_ref(media_id: str) -> str:
    """Where the image will be stored, relative to MINYI_MEDIA_DIR (known before downloading)."""
    return f"wechat/{_SAFE_ID.sub('_', media_id)[:120]}.jpg"


def incoming(msg: BaseMessage) -> Incoming:
    """Decide what a parsed push means; raises ``Malformed`` for missing fields."""
    data: dict[str, Any] = msg._data
    openid, account = str(data.get("FromUserName") or ""), str(data.get("ToUserName") or "")
    kind = str(data.get("MsgType") or "").lower()
    user = UserRef("wechat", openid)
    when = _time(data)
    if kind == "event":
        return _event(data, user, account, when)
    msg_id = str(data.get("MsgId") or "")
    if not msg_id:
        raise Malformed(f"{kind} message without MsgId")
    key = f"{openid}:{msg_id}"

    def feed(inbound: Inbound, media_id: str | None = None) -> Incoming:
        return Incoming("feed", openid, account, key, inbound, media_id, opens_window=True)

    base = Inbound(user=user, message_id=msg_id, time=when)
    if kind == "text":
        return feed(_with(base, kind="text", text=str(data.get("Content") or "")))
    if kind == "voice":
        said = str(data.get("Recognition") or "").strip()
        return feed(_with(base, kind="voice", text=said or None))
    if kind == "image":
        media_id = str(data.get("MediaId") or "")
        if not media_id:
            raise Malformed("image without MediaId")
        return feed(_with(base, kind="image", media=Media("image", _media_ref(media_id))), media_id)
    if kind == "location":
        try:
            where = Location(
                float(data["Location_X"]), float(data["Location_Y"]), str(data.get("Label") or "")
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise Malformed(f"location without coordinates: {exc!r}") from exc
        return feed(_with(base, kind="location", location=where))
    if kind == "link":
        return feed(_with(base, kind="link", text=str(data.get("Url") or "")))
    if kind in ("video", "shortvideo"):
        return feed(_with(base, kind="video"))
    log.info("wechat: unknown MsgType %r from %s", kind[:32], pseudonym(openid))
    return feed(_with(base, kind="unknown"))


def event_id(created: str, event: str, event_key: str) -> str:
    """An event's message id: ``CreateTime:event:EventKey``, or a digest of it when that is long."""
    readable = f"{created}:{event}:{event_key}"
    if len(readable) <= MAX_MESSAGE_ID:
        return readable
    return "ev:" + hashlib.sha256(readable.encode()).hexdigest()[:40]


def _event(data: dict[str, Any], user: UserRef, account: str, when: datetime) -> Incoming:
    event = str(data.get("Event") or "").lower()
    event_key = str(data.get("EventKey") or "")
    openid = user.user_id
    message_id = event_id(str(data.get("CreateTime")), event, event_key)
    key = f"{openid}:{message_id}"

    def to_dialog(text: str | None, name: str | None, note: str = "") -> Incoming:
        kind: Any = "event" if name else "text"
        inbound = Inbound(user=user, message_id=message_id, time=when, kind=kind, text=text, event=name)
        return Incoming("feed", openid, account, key, inbound, note=note)

    if event in ("subscribe", "subscribe_scan"):
        scene = event_key.removeprefix("qrscene_") if event_key else ""
        note = f"subscribed from QR scene {scene!r}" if scene else "subscribed"
        return to_dialog(f"qrscene_{scene}" if scene else None, "subscribe", note)
    if event == "unsubscribe":
        return Incoming("unsubscribe", openid, account, key, note="unsubscribed")
    if event == "click":
        if event_key in MENU_KEYS:
            return to_dialog(None, MENU_KEYS[event_key], f"menu {event_key}")
        return Incoming("ignore", openid, account, key, note=f"unknown menu key {event_key!r}")
    if event == "scan" and (wanted := from_scene(event_key)) is not None:  # a campaign poster
        return to_dialog(str(wanted), "campaign", f"scanned campaign {wanted}")
    if event in QUIET_EVENTS:
        return Incoming("ignore", openid, account, key, note=f"event {event} {event_key}".strip())
    log.info("wechat: unhandled event %r from %s", event, pseudonym(openid))
    return Incoming("ignore", openid, account, key, note=f"unhandled event {event!r}")


def _with(base: Inbound, **changes: Any) -> Inbound:
    return replace(base, **changes)
