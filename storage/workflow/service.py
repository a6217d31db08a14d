"""The service layer: every change to an item goes through here, in one transaction with its
audit event and its outbox notices. The bot and ``minyi-admin`` both call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from dialogs import texts
from dialogs.ports import Receipt
from dialogs.types import UserRef
from storage.errors import ConcurrentChange, NotFound
from storage.models import Citizen, Item, ItemEvent, Outbox
from storage.tickets import next_ticket
from storage.workflow import transitions
from storage.workflow.clocks import DEFAULT, Clocks

INLINE_CHANNELS = frozenset({"web", "console", "wechat", "telegram"})
Extra = Callable[[BaseDBAsyncClient, Item], Awaitable[None]]  # more writes inside an action's transaction


def utcnow() -> datetime:
    return datetime.now(UTC)


async def citizen_for(user: UserRef, conn: BaseDBAsyncClient | None = None) -> Citizen:
    """The citizen row of a chat user, created on first contact."""
    citizen, _ = await Citizen.get_or_create(channel=user.channel, external_id=user.user_id, using_db=conn)
    return citizen


def title_of(kind: str, values: dict[str, Any]) -> str:
    if kind == "suggestion":
        return str(values.get("title", ""))[:100]
    what = str(values.get("what", "")).replace("\n", " ")
    return (what[:30] + "…") if len(what) > 30 else what


async def submit(
    user: UserRef,
    kind: str,
    values: dict[str, Any],
    key: str,
    *,
    now: datetime | None = None,
    clocks: Clocks = DEFAULT,
    tz: str = "Asia/Shanghai",
    channel: str | None = None,
) -> Receipt:
    """Store a confirmed form as an item; a second submit with the same key returns the first.

    ``channel`` is where the item came in when it differs from the citizen's chat channel (a
    letter, call or visit entered by staff for a citizen who also uses the chat)."""
    if existing := await Item.filter(submission_key=key).first():
        return Receipt(existing.ticket, existing.kind, existing.created_at, duplicate=True)
    now = now or utcnow()
    try:
        async with in_transaction() as conn:
            item = await _create(conn, user, kind, values, key, now, clocks, tz, channel or user.channel)
    except IntegrityError:
        existing = await Item.filter(submission_key=key).first()
        if existing is None:
            raise
        return Receipt(existing.ticket, existing.kind, existing.created_at, duplicate=True)
    return Receipt(item.ticket, item.kind, item.created_at)


async def _create(
    conn: BaseDBAsyncClient,
    user: UserRef,
    kind: str,
    values: dict[str, Any],
    key: str,
    now: datetime,
    clocks: Clocks,
    tz: str,
    channel: str,
) -> Item:
    citizen = await citizen_for(user, conn)
    name, phone = str(values.get("name", "")), str(values.get("phone", ""))
    if (name and name != "匿名" and name != citizen.name) or (phone and phone != citizen.phone):
        citizen.name = name if name != "匿名" else citizen.name
        citizen.phone = phone or citizen.phone
        await citizen.save(using_db=conn, update_fields=["name", "phone"])
    ticket = await next_ticket(conn, kind, now, tz)
    item = await Item.create(
        using_db=conn,
        ticket=ticket,
        kind=kind,
        status=transitions.target(kind, "<new>", "submit"),
        category=str(values.get("category", "")),
        title=title_of(kind, values),
        fields_data={k: v for k, v in values.items() if k != "campaign_id"},
        channel=channel,
        submission_key=key,
        citizen=citizen,
        campaign_id=values.get("campaign_id"),
        created_at=now,
        accept_due_at=clocks.accept_due(now),
    )
    await ItemEvent.create(
        using_db=conn, item=item, action="submit", actor="citizen", from_status=None, to_status=item.status
    )
    inline = channel in INLINE_CHANNELS  # the chat reply itself carried the ticket number
    await Outbox.create(
        using_db=conn,
        item=item,
        citizen=citizen,
        channel=user.channel,
        kind="received",
        text=texts.SUBMITTED[kind].format(ticket=ticket),
        status="sent" if inline else "pending",
        sent_via="reply" if inline else "",
        sent_at=now if inline else None,
        next_attempt_at=now,
        dedupe_key=f"{item.id}:1:received:{user.channel}",
    )
    return item


async def apply(
    ticket: str,
    action: str,
    *,
    actor: str,
    note: str = "",
    notice: str | None = None,
    notice_kind: str | None = None,
    priority: int = 5,
    changes: dict[str, Any] | None = None,
    now: datetime | None = None,
    extra: Extra | None = None,
) -> Item:
    """Carry out one workflow action: state, version, audit event and notice, atomically.

    ``extra`` runs inside the same transaction (e.g. the thread message an answer brings).

    Raises ``NotFound``, ``InvalidTransition`` (illegal here) or ``ConcurrentChange``
    (another staff member changed the item between our read and our write).
    """
    now = now or utcnow()
    async with in_transaction() as conn:
        item = await Item.filter(ticket=ticket).using_db(conn).select_for_update().first()
        if item is None:
            raise NotFound(f"没有编号为 {ticket} 的事项。")
        new_status = transitions.target(item.kind, item.status, action, item.previous_status)
        values: dict[str, Any] = dict(changes or {})
        if new_status == "consulting" and item.status != "consulting":
            values["previous_status"] = item.status
        version = item.version + 1
        updated = await (
            Item.filter(id=item.id, version=item.version)
            .using_db(conn)
            .update(status=new_status, version=version, updated_at=now, **values)
        )
        if updated != 1:
            raise ConcurrentChange(
                "这个事项刚被其他人修改过，请刷新后再试。", action=action, status=item.status
            )
        await ItemEvent.create(
            using_db=conn,
            item=item,
            action=action,
            actor=actor,
            from_status=item.status,
            to_status=new_status,
            note=note,
            created_at=now,
        )
        if notice:
            await _notice(conn, item, version, notice_kind or action, notice, priority, now)
        if extra is not None:
            await extra(conn, item)
        await item.refresh_from_db(using_db=conn)
    return item


async def _notice(
    conn: BaseDBAsyncClient, item: Item, version: int, kind: str, text: str, priority: int, now: datetime
) -> None:
    citizen = await Citizen.get(id=item.citizen_id).using_db(conn)  # type: ignore[attr-defined]
    await Outbox.create(
        using_db=conn,
        item=item,
        citizen=citizen,
        channel=citizen.channel,
        kind=kind,
        text=text,
        priority=priority,
        next_attempt_at=now,
        dedupe_key=f"{item.id}:{version}:{kind}:{citizen.channel}",
    )
