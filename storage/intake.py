"""Items staff enter on a citizen's behalf (信访代理 / 一口受理): a letter, a call, a visit."""

from __future__ import annotations

import uuid
from typing import Any

from dialogs import validators
from dialogs.ports import Receipt
from dialogs.types import UserRef
from storage.errors import InvalidInput
from storage.models import Citizen, ItemEvent
from storage.workflow import service

CHAT_CHANNELS = ("wechat", "telegram", "web", "console")


async def chat_citizen(phone: str) -> Citizen | None:
    """The chat user who left this phone number most recently, if any."""
    return (
        await Citizen.filter(phone=phone, channel__in=CHAT_CHANNELS)
        .order_by("-last_inbound_at", "-created_at")
        .first()
    )


async def enter(
    channel: str,
    kind: str,
    *,
    name: str,
    phone: str,
    content: str,
    request: str,
    title: str | None,
    category: str,
    place: str,
    actor: str,
) -> tuple[Receipt, str | None]:
    """Store the item; returns its receipt and the chat channel it is linked to (or None)."""
    try:
        phone = validators.phone(validators.normalise(phone))
    except validators.Invalid as exc:
        raise InvalidInput(str(exc)) from exc
    if not (name.strip() and content.strip() and request.strip()):
        raise InvalidInput("姓名、内容和诉求/对策都不能为空。")
    values: dict[str, Any] = {"category": category, "name": name.strip(), "phone": phone}
    if kind == "suggestion":
        values |= {
            "title": (title or content)[:40],
            "problem": content,
            "measure": request,
            "place": place,
            "contact_ok": "可以",
        }
    else:
        values |= {"what": content, "demand": request, "when_where": place}
    linked = await chat_citizen(phone)
    user = UserRef(linked.channel, linked.external_id) if linked else UserRef(channel, phone)
    receipt = await service.submit(user, kind, values, f"staff:{channel}:{uuid.uuid4().hex}", channel=channel)
    await ItemEvent.filter(item__ticket=receipt.ticket, action="submit").update(
        actor=actor, note=f"{channel} 登记"
    )
    return receipt, linked.channel if linked else None
