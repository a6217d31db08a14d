"""What staff may see of a citizen: the name and phone given on each item (``匿名`` when the
author asked not to be named), phones masked unless a staff member asks to reveal them."""

from __future__ import annotations

import re
from typing import Any

from storage.models import Item
from storage.workflow.vocabulary import CHAT_CHANNELS

ANONYMOUS = "匿名"


def mask_phone(phone: str) -> str:
    """``13812340000`` → ``138****0000``; landlines keep area code and last four."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(phone)
    return f"{digits[:3]}****{digits[-4:]}"


def phone_of(item: Item, reveal: bool) -> str:
    phone = str(item.fields_data.get("phone") or "")
    return phone if reveal or not phone else mask_phone(phone)


def name_of(item: Item) -> str:
    return ANONYMOUS if item.anonymous else str(item.fields_data.get("name") or "")


def contact(item: Item, reveal: bool) -> dict[str, Any]:
    """The citizen as staff see them on this item; ``chat`` is where notices reach them, if anywhere."""
    channel = item.citizen.channel
    return {
        "name": name_of(item),
        "anonymous": item.anonymous,
        "phone": phone_of(item, reveal),
        "chat": channel if channel in CHAT_CHANNELS else None,
    }


def fields(item: Item, reveal: bool) -> dict[str, Any]:
    """The form as filed, with the phone masked and the name hidden for an anonymous author."""
    shown = dict(item.fields_data)
    if "phone" in shown:
        shown["phone"] = phone_of(item, reveal)
    if item.anonymous:
        shown["name"] = ANONYMOUS
    return shown
