"""Staff acts on similar items: publishing a suggestion in the public wording staff wrote (only
then may other citizens be offered it and co-sign it), and merging a duplicate into the item it
repeats (its author, and its supporters, become supporters of the main item; undone by unmerge).
Each goes through ``service.apply``: state, audit event and notices in one transaction."""

from __future__ import annotations

import re
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from dialogs import notices
from storage.errors import InvalidInput, InvalidTransition, NotFound
from storage.models import Citizen, Item, Support
from storage.workflow import repeats, service, supporters
from storage.workflow.clocks import Clocks
from storage.workflow.service import Change
from storage.workflow.vocabulary import COMPLAINT

MAX_PUBLIC_TITLE, MAX_PUBLIC_SUMMARY = 40, 500
# a mobile or a fixed-line number (not a date, 2026-11-22); a house, lane or room number (not 2号线, 3号口)
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{7,8}|\d{7,8})(?!\d)")
_ADDRESS = re.compile(r"\d+\s*(?:号楼|号(?![线口])|弄|室|栋|幢|单元)")


def _public(text: str, what: str, limit: int, item: Item) -> str:
    """Public wording: given, short, and free of the author's name, a phone or a house address."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput(f"请写公开的{what}。")
    if len(text) > limit:
        raise InvalidInput(f"公开的{what}最多 {limit} 个字（现在 {len(text)} 个）。")
    values = item.fields_data or {}
    name = str(values.get("name") or "")
    if _PHONE.search(text):
        raise InvalidInput(f"公开的{what}里不能有电话号码。")
    if len(name) >= 2 and name != "匿名" and name in text:
        raise InvalidInput(f"公开的{what}里不能有提出人的姓名。")
    if _ADDRESS.search(text):
        raise InvalidInput(f"公开的{what}里不能有门牌号等具体地址，写到路名或小区名即可。")
    return text


async def publish(ticket: str, *, actor: str, clocks: Clocks, title: str, summary: str) -> Item:
    """Publish a suggestion under the title and summary staff wrote for the public."""
    item = await Item.filter(ticket=ticket).first()
    if item is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    title = _public(title, "标题（--title）", MAX_PUBLIC_TITLE, item)
    summary = _public(summary, "摘要（--summary）", MAX_PUBLIC_SUMMARY, item)
    now = service.utcnow()

    def plan(it: Item) -> Change:
        told = None if it.published else notices.published(ticket)  # told once, not on each rewording
        values = {"published": True, "public_title": title, "public_summary": summary, "published_at": now}
        return Change(values, told, note=f"公开：{title}")

    return await service.apply(ticket, "publish", actor=actor, now=now, plan=plan)


async def unpublish(ticket: str, *, actor: str, clocks: Clocks, reason: str = "") -> Item:
    """No longer offered to other citizens; its supporters stay and still hear its progress."""
    return await service.apply(
        ticket,
        "unpublish",
        actor=actor,
        plan=lambda _: Change({"published": False}, note=reason or "取消公开"),
    )


async def _main_of(dup: Item, into: str) -> Item:
    main = await Item.filter(ticket=into).first()
    if main is None:
        raise NotFound(f"没有编号为 {into} 的事项。")
    if main.id == dup.id:
        raise InvalidInput("不能把事项合并到它自己。")
    if main.kind != dup.kind:
        raise InvalidInput("建议和投诉不能互相合并。")
    if main.merged_into_id is not None:
        target = await Item.get(id=main.merged_into_id)
        raise InvalidInput(f"{into} 本身已合并到 {target.ticket}，请合并到 {target.ticket}。")
    if dup.kind == COMPLAINT:
        person = await repeats.same_person(await Citizen.get(id=dup.citizen_id))  # type: ignore[attr-defined]
        if main.citizen_id not in person:  # type: ignore[attr-defined]
            raise InvalidInput("投诉只能合并到同一个人反映的投诉（重复件），不同人的投诉请分别办理。")
    return main


async def merge(ticket: str, *, actor: str, clocks: Clocks, into: str, note: str = "") -> Item:
    """Close ``ticket`` as a duplicate of ``into``: its author and supporters support ``into``."""
    dup = await Item.filter(ticket=ticket).first()
    if dup is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    main = await _main_of(dup, into)
    now = service.utcnow()
    public = main.public_title if main.published else ""

    def plan(it: Item) -> Change:
        values = {"merged_into_id": main.id, "previous_status": it.status, "closed_at": now}
        text = notices.merged(it.kind, ticket, into, public)
        return Change(values, text, note=f"合并到 {into}" + (f"：{note}" if note else ""))

    async def join(conn: BaseDBAsyncClient, it: Item) -> None:
        await _move_supporters(conn, it, main, now)
        said = f"{ticket} 作为重复件并入" + (f"：{note}" if note else "")
        await supporters.mark(conn, main, "absorb", now, actor=actor, note=said)

    return await service.apply(ticket, "merge", actor=actor, now=now, plan=plan, extra=join)


async def unmerge(ticket: str, *, actor: str, clocks: Clocks, note: str = "") -> Item:
    """Undo a merge: ``ticket`` is handled on its own again, its people support it again."""
    dup = await Item.filter(ticket=ticket).first()
    if dup is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    if dup.merged_into_id is None:
        raise InvalidTransition(f"{ticket} 没有被合并过。", action="unmerge", status=dup.status)
    main = await Item.get(id=dup.merged_into_id)
    now = service.utcnow()

    def plan(it: Item) -> Change:
        text = notices.unmerged(it.kind, ticket)
        return Change(
            {"merged_into_id": None, "closed_at": None}, text, note=note or f"从 {main.ticket} 拆出"
        )

    async def split(conn: BaseDBAsyncClient, it: Item) -> None:
        moved = await Support.filter(item_id=main.id, via=supporters.merge_via(it.id)).using_db(conn)
        author: int = it.citizen_id  # type: ignore[attr-defined]
        back = [s.citizen_id for s in moved if s.citizen_id != author]  # type: ignore[attr-defined]
        await Support.filter(id__in=[s.id for s in moved]).using_db(conn).delete()
        for citizen_id in back:
            await Support.create(using_db=conn, item=it, citizen_id=citizen_id, via=supporters.COSIGN)
        said = f"{ticket} 取消合并" + (f"：{note}" if note else "")
        await supporters.mark(conn, main, "release", now, actor=actor, note=said)

    return await service.apply(ticket, "unmerge", actor=actor, now=now, plan=plan, extra=split)


async def _move_supporters(conn: BaseDBAsyncClient, dup: Item, main: Item, now: datetime) -> None:
    """The duplicate's author and supporters become supporters of the main item (once each)."""
    backers = await Support.filter(item_id=dup.id).using_db(conn)
    have = set(await Support.filter(item_id=main.id).using_db(conn).values_list("citizen_id", flat=True))
    have.add(main.citizen_id)  # type: ignore[attr-defined]
    moving = [s for s in backers if s.citizen_id not in have]  # type: ignore[attr-defined]
    await Support.filter(id__in=[s.id for s in moving]).using_db(conn).delete()  # the others stay on dup
    people = [dup.citizen_id, *[s.citizen_id for s in moving]]  # type: ignore[attr-defined]
    for citizen_id in dict.fromkeys(people):
        if citizen_id not in have:
            await Support.create(
                using_db=conn,
                item=main,
                citizen_id=citizen_id,
                via=supporters.merge_via(dup.id),
                created_at=now,
            )
