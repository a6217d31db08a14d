"""Items staff enter on a citizen's behalf (信访代理 / 一口受理): a letter, a call, a visit — and
linking such an item to the citizen's chat, which only a platform-verified phone or a staff
member's explicit, audited decision may do (a phone typed into a form links nothing)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from dialogs import notices, validators
from dialogs.ports import Receipt
from dialogs.types import UserRef
from storage.errors import InvalidInput, InvalidTransition, NotFound
from storage.models import Citizen, Item, ItemEvent, Outbox
from storage.workflow import service
from storage.workflow.clocks import Clocks
from storage.workflow.service import Change
from storage.workflow.vocabulary import CHAT_CHANNELS, INTAKE_CHANNELS, SUGGESTION, channel_label


async def verified_chat_citizen(phone: str) -> Citizen | None:
    """The chat user whose platform vouched this phone is theirs (most recently active), if any."""
    return (
        await Citizen.filter(verified_phone=phone, channel__in=list(CHAT_CHANNELS))
        .order_by("-last_inbound_at", "-created_at")
        .first()
    )


def intake_identity(channel: str, phone: str) -> UserRef:
    """The same person's letters and calls share one citizen row, keyed without the phone itself."""
    return UserRef(channel, "p-" + hashlib.sha256(phone.encode()).hexdigest()[:24])


def _values(kind: str, name: str, phone: str, content: str, request: str, **more: str) -> dict[str, Any]:
    values: dict[str, Any] = {"category": more["category"], "name": name, "phone": phone}
    if kind == SUGGESTION:
        return values | {
            "title": (more["title"] or content)[:40],
            "problem": content,
            "measure": request,
            "place": more["place"],
            "contact_ok": more["contact_ok"],
        }
    return values | {"what": content, "demand": request, "when_where": more["place"]}


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
    contact_ok: str,
    actor: str,
    clocks: Clocks,
) -> tuple[Receipt, str | None]:
    """Store the item; returns its receipt and the chat channel it reached (verified phone) or None."""
    if channel not in INTAKE_CHANNELS:
        raise InvalidInput(f"渠道只能是：{'、'.join(INTAKE_CHANNELS)}。")
    try:
        phone = validators.phone(validators.normalise(phone))
    except validators.Invalid as exc:
        raise InvalidInput(str(exc)) from exc
    name = validators.clean(name)
    if not (name and content.strip() and request.strip()):
        raise InvalidInput("姓名、内容和诉求/对策都不能为空。")
    if name == "匿名" and kind != SUGGESTION:
        raise InvalidInput("投诉需要实名：请填写投诉人的真实姓名。")
    values = _values(
        kind,
        name,
        phone,
        content.strip(),
        request.strip(),
        title=title or "",
        category=category,
        place=place,
        contact_ok=contact_ok,
    )
    linked = await verified_chat_citizen(phone)
    user = UserRef(linked.channel, linked.external_id) if linked else intake_identity(channel, phone)
    key = f"staff:{channel}:{uuid.uuid4().hex}"
    receipt = await service.submit(user, kind, values, key, clocks=clocks, channel=channel)
    await ItemEvent.filter(item__ticket=receipt.ticket, action="submit").update(
        actor=actor, note=f"{channel_label(channel)}登记" + ("，已按核验手机号关联聊天用户" if linked else "")
    )
    return receipt, linked.channel if linked else None


async def link(ticket: str, to_ticket: str, *, actor: str, clocks: Clocks) -> Item:
    """Staff decide that ``ticket`` (a letter, call or visit) belongs to the chat user who filed
    ``to_ticket``: its notices, waiting ones included, go to that chat from now on (audited)."""
    item = await Item.filter(ticket=ticket).first()
    target = await Item.filter(ticket=to_ticket).select_related("citizen").first()
    if item is None or target is None:
        raise NotFound(f"没有编号为 {ticket if item is None else to_ticket} 的事项。")
    if item.channel not in INTAKE_CHANNELS:
        raise InvalidTransition(f"{ticket} 是群众在聊天里提交的，不需要关联。")
    chat = target.citizen
    if chat.channel not in CHAT_CHANNELS:
        raise InvalidInput(f"{to_ticket} 不是聊天里提交的事项，无法据此找到聊天用户。")

    async def move_waiting_notices(conn: BaseDBAsyncClient, it: Item) -> None:
        await (
            Outbox.filter(item_id=it.id, status__in=["pending", "held"])
            .using_db(conn)
            .update(citizen_id=chat.id, channel=chat.channel, next_attempt_at=service.utcnow())
        )

    def plan(it: Item) -> Change:
        text = notices.linked(it.kind, ticket, channel_label(it.channel))
        return Change(
            {"citizen_id": chat.id}, text, f"关联到 {to_ticket} 的聊天用户（{channel_label(chat.channel)}）"
        )

    return await service.apply(ticket, "link", actor=actor, plan=plan, extra=move_waiting_notices)
