"""The service layer: every change to an item goes through here, in one transaction with its
audit event and its outbox notice. The bot and ``minyi-admin`` both call it.

An action's rules (its legal states, its guards) and what it writes (deadlines, the citizen's
notice) are evaluated on the row as locked inside that transaction, never on an earlier read:
two staff extending at once give one extension, one event, one notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from dialogs import texts
from dialogs.ports import Receipt
from dialogs.types import UserRef
from storage import waits
from storage.errors import ConcurrentChange, NotFound
from storage.models import Citizen, Item, ItemEvent, Outbox
from storage.similar import catalogue
from storage.tickets import next_ticket
from storage.workflow import repeats, supporters, transitions
from storage.workflow.clocks import Clocks
from storage.workflow.vocabulary import CHAT_CHANNELS, COMPLAINT, SUGGESTION, TOLD_SUPPORTERS

Extra = Callable[[BaseDBAsyncClient, Item], Awaitable[None]]  # more writes inside an action's transaction


@dataclass(frozen=True, slots=True)
class Change:
    """What an action writes besides the new state: field values, the citizen's notice, the note."""

    values: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None
    note: str | None = None


Plan = Callable[[Item], Change]  # computed from the locked row


def utcnow() -> datetime:
    return datetime.now(UTC)


async def citizen_for(user: UserRef, conn: BaseDBAsyncClient | None = None) -> Citizen:
    """The citizen row of a chat user, created on first contact."""
    citizen, _ = await Citizen.get_or_create(channel=user.channel, external_id=user.user_id, using_db=conn)
    return citizen


def title_of(kind: str, values: dict[str, Any]) -> str:
    if kind == SUGGESTION:
        return str(values.get("title", ""))[:100]
    what = str(values.get("what", "")).replace("\n", " ")
    return (what[:30] + "…") if len(what) > 30 else what


async def submit(
    user: UserRef,
    kind: str,
    values: dict[str, Any],
    key: str,
    *,
    clocks: Clocks,
    now: datetime | None = None,
    channel: str | None = None,
) -> Receipt:
    """Store a confirmed form as an item; a second submit with the same key returns the first.

    ``channel`` is where the item came in when it differs from the citizen's (a letter, a call
    or a visit entered by staff and linked to a chat user)."""
    if existing := await Item.filter(submission_key=key).first():
        return Receipt(existing.ticket, existing.kind, existing.created_at, duplicate=True)
    now = now or utcnow()
    try:
        async with in_transaction() as conn:
            item = await _create(conn, user, kind, values, key, now, clocks, channel or user.channel)
    except IntegrityError:
        existing = await Item.filter(submission_key=key).first()
        if existing is None:
            raise
        return Receipt(existing.ticket, existing.kind, existing.created_at, duplicate=True)
    if (channel or user.channel) not in CHAT_CHANNELS:  # its receipt waits for the citizen
        await waits.mark([user.key])
    return Receipt(item.ticket, item.kind, item.created_at)


async def _create(
    conn: BaseDBAsyncClient,
    user: UserRef,
    kind: str,
    values: dict[str, Any],
    key: str,
    now: datetime,
    clocks: Clocks,
    channel: str,
) -> Item:
    citizen = await citizen_for(user, conn)
    values = dict(values)
    verified = values.pop("verified_phone", None)
    if verified and verified == values.get("phone") and verified != citizen.verified_phone:
        citizen.verified_phone = verified  # the platform vouched for it: this number is theirs
        await citizen.save(using_db=conn, update_fields=["verified_phone"])
    terms = catalogue.terms_of(kind, values)
    repeats = await repeats_of(citizen, kind, terms, conn)
    item = await Item.create(
        using_db=conn,
        ticket=await next_ticket(conn, kind, now, clocks.zone),
        kind=kind,
        status=transitions.BY_ACTION["submit"].target,
        category=str(values.get("category", "")),
        title=title_of(kind, values),
        fields_data={k: v for k, v in values.items() if k != "campaign_id"},
        channel=channel,
        submission_key=key,
        citizen=citizen,
        campaign_id=values.get("campaign_id"),
        created_at=now,
        accept_due_at=clocks.accept_due(now),
        anonymous=kind == SUGGESTION and values.get("name") == "匿名",
        terms=terms,
        repeat_of=repeats,
    )
    await ItemEvent.create(
        using_db=conn, item=item, action="submit", actor="citizen", from_status=None, to_status=item.status
    )
    inline = channel in CHAT_CHANNELS  # the chat reply itself carried the ticket number
    await Outbox.create(
        using_db=conn,
        item=item,
        citizen=citizen,
        channel=citizen.channel,
        kind="received",
        text=texts.SUBMITTED[kind].format(ticket=item.ticket),
        status="sent" if inline else "pending",
        sent_via="reply" if inline else "",
        sent_at=now if inline else None,
        next_attempt_at=now,
        dedupe_key=f"{item.id}:1:received:{citizen.channel}",
    )
    return item


async def repeats_of(citizen: Citizen, kind: str, terms: str, conn: BaseDBAsyncClient) -> Item | None:
    """The earlier complaint of the same person a new complaint probably repeats (重复件)."""
    if kind != COMPLAINT:
        return None
    return await repeats.earlier(citizen, catalogue.stored_features(kind, terms, {}), conn)


async def apply(
    ticket: str,
    action: str,
    *,
    actor: str,
    now: datetime | None = None,
    plan: Plan | None = None,
    notice_kind: str | None = None,
    priority: int = 5,
    extra: Extra | None = None,
) -> Item:
    """Carry out one workflow action: state, version, audit event and notice, atomically.

    ``plan`` computes the values, the notice and the note from the locked row; ``extra`` runs
    more writes inside the same transaction (e.g. the thread message an answer brings).

    Raises ``NotFound``, ``InvalidTransition`` (illegal here, or a guard refuses) or
    ``ConcurrentChange`` (another change won between our read and our write on SQLite).
    """
    now = now or utcnow()
    async with in_transaction() as conn:
        item = await Item.filter(ticket=ticket).using_db(conn).select_for_update().first()
        if item is None:
            raise NotFound(f"没有编号为 {ticket} 的事项。")
        new_status = transitions.check(item, action)
        change = plan(item) if plan is not None else Change()
        values: dict[str, Any] = dict(change.values)
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
            note=change.note or "",
            created_at=now,
        )
        if change.notice:
            citizen_id: int = values.get("citizen_id") or item.citizen_id  # type: ignore[attr-defined]
            await _notice(
                conn, item, citizen_id, version, notice_kind or action, change.notice, priority, now
            )
            if action in TOLD_SUPPORTERS:
                await supporters.notify(conn, item, new_status, action, version, now)
        if extra is not None:
            await extra(conn, item)
        await item.refresh_from_db(using_db=conn)
    await _marked(item, supporters_too=action in TOLD_SUPPORTERS)
    return item


async def _marked(item: Item, *, supporters_too: bool = False) -> None:
    """After the commit: the item's citizen (and its supporters, for its progress) may have
    something waiting now (a notice, a question, a rating due), so their next step looks
    (``storage.waits``)."""
    citizen_id: int | None = item.citizen_id  # type: ignore[attr-defined]
    if citizen_id is None:
        return
    ids = [citizen_id, *(await supporters.citizen_ids(item.id) if supporters_too else [])]
    found = await Citizen.filter(id__in=ids).values_list("channel", "external_id")
    await waits.mark([f"{channel}:{external_id}" for channel, external_id in found])


async def _notice(
    conn: BaseDBAsyncClient,
    item: Item,
    citizen_id: int,
    version: int,
    kind: str,
    text: str,
    priority: int,
    now: datetime,
) -> None:
    """The citizen's notice of this version of the item, in the outbox (the relay delivers it)."""
    citizen = await Citizen.get(id=citizen_id, using_db=conn)
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
