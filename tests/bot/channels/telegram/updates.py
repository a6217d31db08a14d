"""Webhook update JSON in the real Bot API shapes (``is_bot`` on users, ``chat_instance`` on
callback queries, photo sizes smallest first), numbered like Telegram does."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.bot.channels.telegram.fake_api import BOT_ID

_update_ids = itertools.count(500_000)
_message_ids = itertools.count(1)


def user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "市民", "language_code": "zh-hans"}


def chat(uid: int) -> dict[str, Any]:
    return {"id": uid, "type": "private", "first_name": "市民"}


def _message(uid: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(uid),
        "from": user(uid),
        **content,
    }


def text(uid: int, body: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": body}
    if body.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(body.split()[0])}]
    return {"update_id": next(_update_ids), "message": _message(uid, **content)}


def edited(uid: int, body: str) -> dict[str, Any]:
    message = _message(uid, text=body, edit_date=int(time.time()))
    return {"update_id": next(_update_ids), "edited_message": message}


def photo(uid: int, caption: str | None = None) -> dict[str, Any]:
    sizes = [
        _size("small", 90, 67, 1403),
        _size("large", 1280, 960, 88214),
        _size("medium", 320, 240, 20000),
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return {"update_id": next(_update_ids), "message": _message(uid, **content)}


def _size(name: str, width: int, height: int, size: int) -> dict[str, Any]:
    return {
        "file_id": f"AgAC-{name}",
        "file_unique_id": f"AQAD{name}",
        "file_size": size,
        "width": width,
        "height": height,
    }


def contact(uid: int, phone: str, owner: int | None) -> dict[str, Any]:
    card: dict[str, Any] = {"phone_number": phone, "first_name": "市民"}
    if owner is not None:
        card["user_id"] = owner
    return {"update_id": next(_update_ids), "message": _message(uid, contact=card)}


def location(uid: int, latitude: float = 31.2304, longitude: float = 121.4737) -> dict[str, Any]:
    where = {"latitude": latitude, "longitude": longitude}
    return {"update_id": next(_update_ids), "message": _message(uid, location=where)}


def callback(uid: int, data: str) -> dict[str, Any]:
    bot_message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(uid),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "MinyiBot"},
        "text": "请选择",
        "reply_markup": {"inline_keyboard": [[{"text": "选项", "callback_data": data}]]},
    }
    query = {
        "id": f"cbq{next(_update_ids)}",
        "from": user(uid),
        "chat_instance": "-7398123456789012345",
        "data": data,
        "message": bot_message,
    }
    return {"update_id": next(_update_ids), "callback_query": query}


def my_chat_member(uid: int, new_status: str) -> dict[str, Any]:
    old_status = "member" if new_status == "kicked" else "kicked"
    bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "MinyiBot"}
    member = {
        "chat": chat(uid),
        "from": user(uid),
        "date": int(time.time()),
        "old_chat_member": {"user": bot_user, "status": old_status, **_until(old_status)},
        "new_chat_member": {"user": bot_user, "status": new_status, **_until(new_status)},
    }
    return {"update_id": next(_update_ids), "my_chat_member": member}


def _until(status: str) -> dict[str, Any]:
    return {"until_date": 0} if status == "kicked" else {}
