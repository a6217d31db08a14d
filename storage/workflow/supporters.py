"""附议: citizens who joined an item — by co-signing a published suggestion from the chat, or
because their own item was merged into it. They receive its progress notices (one outbox row
each, the same rules as the author's), and nobody is ever shown who they are.

Co-signing is not a change of the item's state: it writes the support row and an audit event
under the item's row lock (the one table, ``transitions``, says whether it is allowed), and no
version, so it never races a staff member's action on the item.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from dialogs import notices, texts
from dialogs.ports import CosignOutcome
from dialogs.types import UserRef
from storage.errors import InvalidTransition
from storage.models import Citizen, Item, ItemEvent, Outbox, Support
from storage.workflow import transitions

COSIGN = "cosign"


def merge_via(item_id: int) -> str:
    """The ``via`` of a support that a merge of item ``item_id`` made."""
    return f"merge:{item_id}"


async def citizen_ids(item_id: int) -> list[int]:
    rows = await Support.filter(item_id=item_id).values_list("citizen_id", flat=True)
    return [int(row) for row in rows]  # type: ignore[call-overload]


async def count(item_id: int) -> int:
    return await Support.filter(item_id=item_id).count()


async def counts(item_ids: list[int]) -> dict[int, int]:
    """How many support each of ``item_ids`` (absent: none)."""
    found: dict[int, int] = {}
    for item_id in await Support.filter(item_id__in=item_ids).values_list("item_id", flat=True):
        key = int(item_id)  # type: ignore[call-overload]
        found[key] = found.get(key, 0) + 1
    return found


def _status_words(action: str, status: str) -> str:
    return {"showcase": "入选优秀建议展示", "reward": "获得表彰"}.get(action, texts.status_label(status))


async def notify(
    conn: BaseDBAsyncClient, item: Item, status: str, action: str, version: int, now: datetime
) -> None:
    """One progress notice per supporter of ``item`` (not its author), in the action's transaction."""
    author: int = item.citizen_id  # type: ignore[attr-defined]
    rows = await Support.filter(item_id=item.id).using_db(conn).exclude(citizen_id=author)
    if not rows:
        return
    text = notices.for_supporter(item.kind, item.ticket, item.public_title, _status_words(action, status))
    for citizen in await Citizen.filter(id__in=[r.citizen_id for r in rows]).using_db(conn):  # type: ignore[attr-defined]
        await Outbox.create(
            using_db=conn,
            item=item,
            citizen=citizen,
            channel=citizen.channel,
            kind=f"{action}_s",
            text=text,
            next_attempt_at=now,
            dedupe_key=f"{item.id}:{version}:{action}:{citizen.channel}:s{citizen.id}",
        )


async def cosign(user: UserRef, ticket: str, now: datetime) -> CosignOutcome:
    """The chat user joins a published suggestion; "own", "already" and "gone" change nothing."""
    async with in_transaction() as conn:
        item = await Item.filter(ticket=ticket).using_db(conn).select_for_update().first()
        if item is None or item.kind != "suggestion":
            return CosignOutcome("gone", ticket)
        citizen, _ = await Citizen.get_or_create(
            channel=user.channel, external_id=user.user_id, using_db=conn
        )
        if citizen.id == item.citizen_id:  # type: ignore[attr-defined]
            return CosignOutcome("own", ticket, item.public_title)
        if await Support.filter(item_id=item.id, citizen_id=citizen.id).using_db(conn).exists():
            return CosignOutcome("already", ticket, item.public_title)
        try:
            transitions.check(item, "cosign")
        except InvalidTransition:
            return CosignOutcome("gone", ticket)
        # the item's row lock (SQLite: the transaction's write lock) orders two taps of the same citizen
        await Support.create(using_db=conn, item=item, citizen=citizen, via=COSIGN, created_at=now)
        await mark(conn, item, "cosign", now)
    return CosignOutcome("done", ticket, item.public_title)


async def uncosign(user: UserRef, ticket: str, now: datetime) -> bool:
    """The chat user withdraws their co-signing; False when they had not co-signed ``ticket``."""
    async with in_transaction() as conn:
        item = await Item.filter(ticket=ticket).using_db(conn).first()
        if item is None:
            return False
        gone = await Support.filter(
            item_id=item.id, citizen__channel=user.channel, citizen__external_id=user.user_id
        ).using_db(conn)
        if not gone:
            return False
        await Support.filter(id__in=[s.id for s in gone]).using_db(conn).delete()
        await mark(conn, item, "uncosign", now)
    return True


async def mark(
    conn: BaseDBAsyncClient, item: Item, action: str, now: datetime, actor: str = "citizen", note: str = ""
) -> None:
    """An audit line on ``item`` that does not move its state (附议, a merge seen from the main item)."""
    await ItemEvent.create(
        using_db=conn,
        item=item,
        action=action,
        actor=actor,
        from_status=item.status,
        to_status=item.status,
        note=note,
        created_at=now,
    )
