"""Telegram ``Update`` → what minyi does with it: one ``Inbound`` for the pipeline, a note said
without touching the conversation, a callback query to answer, a reachability change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from telegram import Message, Update

from dialogs import Inbound, Location, Media, Reply, UserRef, texts
from dialogs.campaign import from_scene

CHANNEL = "telegram"
COMMANDS = {"/start": "菜单", "/menu": "菜单", "/help": "帮助", "/cancel": "取消", "/status": "查进度"}
CHOICE_DATA = "c:"  # callback data: "c:<turn>:<what the button types>"
INDEX_DATA = "n:"  # callback data: "n:<turn>:<1-based position>" when the value would pass 64 bytes
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True, slots=True)
class Converted:
    """What one update asks of us; every part may be empty (an update we do not handle)."""

    chat_id: int | None = None
    user: UserRef | None = None
    inbound: Inbound | None = None
    notes: tuple[Reply, ...] = ()
    callback_id: str | None = None
    reachable: bool | None = None


MAX_ID = 2**52  # Telegram: chat and user ids fit in 52 bits
_CARRIERS = ("message", "edited_message", "callback_query", "my_chat_member")
_TEXTS = ("text", "caption", "data", "id")  # strings where present (a callback query's id too)


def check_shape(update: dict[str, Any]) -> None:
    """Raise ``ValueError`` for an update whose ids or texts are not what Telegram sends (a
    float or a 2**70 chat id, a number where text goes): kept aside, never fed to the dialogs."""
    for name in _CARRIERS:
        part = update.get(name)
        if part is None:
            continue
        if not isinstance(part, dict):
            raise ValueError(f"{name} is not an object")
        message = part.get("message") if name == "callback_query" else part
        for holder in (part.get("from"), (message or {}).get("chat") if isinstance(message, dict) else None):
            if holder is not None and not _is_id(holder.get("id") if isinstance(holder, dict) else None):
                raise ValueError(f"{name}: an id is not a Telegram id")
        for field in _TEXTS:
            value = part.get(field)
            if field == "id" and name != "callback_query":
                continue
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name}.{field} is not text")


def _is_id(value: object) -> bool:
    return type(value) is int and -MAX_ID < value < MAX_ID


def choice_value(label: str) -> str:
    """What pressing a button types: "1 提建议" types "1" (as in the web chat), "可以" types "可以"."""
    return label.split(" ")[0]


def callback_data(label: str, position: int, turn: int) -> str:
    """Short callback data (≤64 bytes): the turn the button was shown in (a tap on an old
    question's button answers nothing) and the typed value, or its 1-based position."""
    data = f"{CHOICE_DATA}{turn}:{choice_value(label)}"
    if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        return data
    return f"{INDEX_DATA}{turn}:{position}"


def value_of_callback(data: str | None) -> tuple[int | None, str]:
    """``(turn, value)`` of a button's callback data; ``(None, "")`` when it is not ours."""
    if not data or not data.startswith((CHOICE_DATA, INDEX_DATA)):
        return None, ""
    turn, sep, value = data[2:].partition(":")
    if not sep or not turn.isdigit():
        return None, ""
    return int(turn), value


def command_text(text: str) -> str:
    """``/start``, ``/help@MinyiBot``… as the words the dialogs understand; other text unchanged."""
    if not text.startswith("/"):
        return text
    word = text.split(maxsplit=1)[0].split("@", 1)[0].lower()
    return COMMANDS.get(word, text)


def campaign_of_start(text: str) -> int | None:
    """The campaign of a deep link's ``/start campaign_7`` (what a poster's t.me link sends)."""
    words = text.split()
    if len(words) != 2 or words[0].split("@", 1)[0].lower() != "/start":
        return None
    return from_scene(words[1])


def convert(update: Update) -> Converted:
    """Map one parsed update; private chats only (the bot is a one-to-one service)."""
    if update.callback_query is not None:
        return _callback(update)
    if update.edited_message is not None:
        return _edited(update.edited_message)
    if update.message is not None:
        return _message(update.message)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return Converted()
        status = member.new_chat_member.status
        reachable = False if status == "kicked" else True if status == "member" else None
        return Converted(
            chat_id=member.chat.id, user=UserRef(CHANNEL, str(member.from_user.id)), reachable=reachable
        )
    return Converted()


def _callback(update: Update) -> Converted:
    query = update.callback_query
    assert query is not None
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    user = UserRef(CHANNEL, str(query.from_user.id))
    turn, value = value_of_callback(query.data)
    if not value:
        return Converted(chat_id=chat_id, user=user, callback_id=query.id)
    inbound = Inbound(
        user=user, message_id=f"cb{query.id}", time=datetime.now(UTC), kind="text", text=value, re=turn
    )
    return Converted(chat_id=chat_id, user=user, inbound=inbound, callback_id=query.id)


def _edited(message: Message) -> Converted:
    if message.chat.type != "private" or message.from_user is None:
        return Converted()
    return Converted(
        chat_id=message.chat.id,
        user=UserRef(CHANNEL, str(message.from_user.id)),
        notes=(Reply(texts.TG_EDITED),),
    )


def _message(message: Message) -> Converted:
    if message.chat.type != "private" or message.from_user is None:
        return Converted()
    user = UserRef(CHANNEL, str(message.from_user.id))
    if message.contact is not None and message.contact.user_id != message.from_user.id:
        return Converted(chat_id=message.chat.id, user=user, notes=(Reply(texts.TG_NOT_OWN_CONTACT),))
    base = Inbound(user=user, message_id=str(message.message_id), time=message.date.astimezone(UTC))
    return Converted(chat_id=message.chat.id, user=user, inbound=_content(message, base))


def _content(message: Message, base: Inbound) -> Inbound:
    """``base`` filled with the kind-specific fields of one message."""
    if message.text is not None:
        wanted = campaign_of_start(message.text)
        if wanted is not None:  # t.me/<bot>?start=campaign_<id>: the chat opened on a campaign
            return replace(base, kind="event", event="campaign", text=str(wanted))
        return replace(base, kind="text", text=command_text(message.text))
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        return replace(base, kind="image", media=Media("photo", largest.file_id), text=message.caption)
    if message.contact is not None:  # the sender's own number (checked by the caller)
        phone = message.contact.phone_number
        return replace(base, kind="text", text=phone, phone=phone)
    if message.venue is not None:
        where = message.venue.location
        label = message.venue.title or message.venue.address
        return replace(base, kind="location", location=Location(where.latitude, where.longitude, label))
    if message.location is not None:
        where = message.location
        return replace(base, kind="location", location=Location(where.latitude, where.longitude))
    if message.voice is not None or message.audio is not None:
        return replace(base, kind="voice")
    if message.video is not None or message.video_note is not None:
        return replace(base, kind="video")
    return replace(base, kind="unknown")
