"""金点子: the suggestions staff select as the year's best, each with a note on the reward given.

``golden`` writes the mark through ``service.apply`` (state, audit event and the author's notice in
one transaction); ``golden_list`` is what ``minyi-admin golden list`` shows staff."""

from __future__ import annotations

from typing import Any

from storage.errors import InvalidInput
from storage.models import Item
from storage.queries import iso
from storage.workflow import service
from storage.workflow.clocks import Clocks
from storage.workflow.service import Change

GOLDEN_NOTICE = (
    "喜报！您的建议 {ticket} 被评为 {year} 年度“金点子”：{note}。"
    "感谢您为城市发展贡献智慧，欢迎继续为我们出主意、提建议！"
)


def golden_notice(ticket: str, year: int, note: str) -> str:
    """The author's notice (Simplified Chinese, as every text a citizen reads)."""
    return GOLDEN_NOTICE.format(ticket=ticket, year=year, note=note.rstrip("。"))


async def golden(ticket: str, *, actor: str, clocks: Clocks, year: int, note: str) -> Item:
    """Mark an adopted suggestion as a 金点子 of ``year``; marking it again rewrites year and note."""
    note = note.strip()
    if not note:
        raise InvalidInput("金点子的说明（--note，例如所获奖励）不能为空。")
    if not 2000 <= year <= 2100:
        raise InvalidInput("年度（--year）应为四位年份，例如 2026。")
    return await service.apply(
        ticket,
        "golden",
        actor=actor,
        plan=lambda item: Change(
            {"golden_year": year, "golden_note": note},
            golden_notice(ticket, year, note),
            note=f"{year} 年度金点子：{note}",
        ),
    )


async def golden_list(year: int | None) -> list[dict[str, Any]]:
    """The 金点子 of ``year`` (all years when None), for staff: newest year first, then by ticket."""
    query = Item.filter(golden_year__not_isnull=True)
    if year is not None:
        query = query.filter(golden_year=year)
    items = await query.prefetch_related("departments").order_by("-golden_year", "ticket")
    return [
        {
            "ticket": i.ticket,
            "year": i.golden_year,
            "note": i.golden_note,
            "title": i.title,
            "public_title": i.public_title,
            "published": i.published,
            "category": i.category,
            "status": i.status,
            "rewarded": i.rewarded,
            "departments": [d.name for d in i.departments],
            "adopted_at": iso(i.adopted_at),
        }
        for i in items
    ]
