"""Publishing and merging on SQLite and PostgreSQL: the public wording is free of names, phones and
house numbers (a refusal changes nothing), a duplicate merged into the item it repeats is closed
and its people support the main item, with audit events on both; unmerge undoes it."""

from __future__ import annotations

import pytest

from dialogs.types import UserRef
from storage.errors import InvalidInput, InvalidTransition, NotFound
from storage.models import Item, ItemEvent, Outbox, Support
from storage.workflow import merging, service, supporters
from storage.workflow.clocks import DEFAULT
from tests.storage.workflow.test_supporters import (
    AUTHOR,
    FAN,
    NOW,
    OTHER,
    SHELTER,
    SHELTER_TOO,
    published,
    suggestion,
)

TITLE, SUMMARY = "幸福路公交站加装遮雨棚", "幸福路公交站没有遮雨棚，下雨天候车市民被淋湿。"


async def complaint(user: UserRef, what: str, key: str) -> str:
    values = {"what": what, "when_where": "每天晚上", "demand": "责令整改", "name": "王五"}
    return (await service.submit(user, "complaint", values, key, now=NOW, clocks=DEFAULT)).ticket


async def state(ticket: str) -> tuple[bool, str, int, list[str], list[str]]:
    item = await Item.get(ticket=ticket)
    events = await ItemEvent.filter(item_id=item.id).order_by("id").values_list("action", flat=True)
    kinds = await Outbox.filter(item_id=item.id).order_by("id").values_list("kind", flat=True)
    return item.published, item.public_title, item.version, list(events), list(kinds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "summary", "refusal"),
    [
        ("李四的建议：加装遮雨棚", SUMMARY, "不能有提出人的姓名"),
        (TITLE, "详情请联系 139 1234 5678", "不能有电话号码"),
        (TITLE, "幸福路12号门口的公交站没有遮雨棚", "不能有门牌号"),
        (" ", SUMMARY, "请写公开的标题"),
        ("遮" * 41, SUMMARY, "最多 40 个字"),
    ],
)
async def test_publish_refuses_private_or_bad_wording(
    any_db: str, title: str, summary: str, refusal: str
) -> None:
    ticket = await suggestion(AUTHOR, SHELTER, "s1")
    before = await state(ticket)
    with pytest.raises(InvalidInput, match=refusal):
        await merging.publish(ticket, actor="王芳", clocks=DEFAULT, title=title, summary=summary)
    assert await state(ticket) == before


async def test_publish_tells_the_author_once_and_unpublish(any_db: str) -> None:
    ticket = await suggestion(AUTHOR, SHELTER, "s1")
    item = await merging.publish(ticket, actor="王芳", clocks=DEFAULT, title=TITLE, summary=SUMMARY)
    assert (item.published, item.status, item.public_summary) == (True, "received", SUMMARY)
    await merging.publish(ticket, actor="王芳", clocks=DEFAULT, title="幸福路站台遮雨棚", summary=SUMMARY)
    assert (await state(ticket))[3:] == (["submit", "publish", "publish"], ["received", "publish"])
    await merging.unpublish(ticket, actor="王芳", clocks=DEFAULT, reason="措辞再斟酌")
    published_now, title, *_ = await state(ticket)
    assert (published_now, title) == (False, "幸福路站台遮雨棚")
    assert (await ItemEvent.filter(action="unpublish").first()).note == "措辞再斟酌"  # type: ignore[union-attr]
    with pytest.raises(InvalidTransition, match="还没有公开"):
        await merging.unpublish(ticket, actor="王芳", clocks=DEFAULT)
    with pytest.raises(NotFound):
        await merging.publish("JY-20991231-9999", actor="王芳", clocks=DEFAULT, title=TITLE, summary=SUMMARY)
    other = await complaint(AUTHOR, "楼下饭店油烟直排", "c1")
    with pytest.raises(InvalidTransition):
        await merging.publish(other, actor="王芳", clocks=DEFAULT, title="油烟", summary="油烟直排")


async def test_merge_moves_the_people_and_unmerge_puts_them_back(any_db: str) -> None:
    main = await published(OTHER, SHELTER_TOO, "main")
    dup = await published(AUTHOR, SHELTER, "dup")
    await supporters.cosign(FAN, dup, NOW)
    item = await merging.merge(dup, actor="王芳", clocks=DEFAULT, into=main, note="同一站点")
    assert (item.status, item.previous_status) == ("closed", "received")
    main_item, dup_item = await Item.get(ticket=main), await Item.get(ticket=dup)
    assert dup_item.merged_into_id == main_item.id  # type: ignore[attr-defined]
    vias = dict(await Support.filter(item_id=main_item.id).values_list("citizen__external_id", "via"))
    assert vias == {"author": f"merge:{dup_item.id}", "fan": f"merge:{dup_item.id}"}
    assert await Support.filter(item_id=dup_item.id).count() == 0
    notice = await Outbox.get(item_id=dup_item.id, kind="merge")
    assert main in notice.text and "附议人" in notice.text and notice.citizen_id == dup_item.citizen_id  # type: ignore[attr-defined]
    absorb = await ItemEvent.get(item_id=main_item.id, action="absorb")
    assert dup in absorb.note and "同一站点" in absorb.note and absorb.to_status == "received"
    assert "同一站点" in (await ItemEvent.get(item_id=dup_item.id, action="merge")).note
    with pytest.raises(InvalidTransition):
        await merging.merge(dup, actor="王芳", clocks=DEFAULT, into=main)  # merged already
    back = await merging.unmerge(dup, actor="王芳", clocks=DEFAULT, note="不是同一站")
    assert (back.status, back.merged_into_id, back.closed_at) == ("received", None, None)  # type: ignore[attr-defined]
    assert await Support.filter(item_id=main_item.id).count() == 0
    assert await Support.filter(item_id=dup_item.id).values_list("citizen__external_id", "via") == [
        ("fan", "cosign")
    ]
    assert "恢复单独办理" in (await Outbox.get(item_id=dup_item.id, kind="unmerge")).text
    assert await ItemEvent.filter(item_id=main_item.id, action="release").count() == 1
    with pytest.raises(InvalidTransition, match="没有被合并过"):
        await merging.unmerge(dup, actor="王芳", clocks=DEFAULT)


async def test_merge_refusals(any_db: str) -> None:
    first = await suggestion(AUTHOR, SHELTER, "s1")
    second = await suggestion(OTHER, SHELTER_TOO, "s2")
    third = await suggestion(FAN, SHELTER, "s3")
    with pytest.raises(InvalidInput, match="不能把事项合并到它自己"):
        await merging.merge(first, actor="王芳", clocks=DEFAULT, into=first)
    with pytest.raises(NotFound):
        await merging.merge(first, actor="王芳", clocks=DEFAULT, into="JY-20991231-9999")
    await merging.merge(second, actor="王芳", clocks=DEFAULT, into=first)
    with pytest.raises(InvalidInput, match=f"请合并到 {first}"):
        await merging.merge(third, actor="王芳", clocks=DEFAULT, into=second)
    noise = await complaint(AUTHOR, "幸福路12号楼下饭店油烟直排，熏得没法开窗", "c1")
    with pytest.raises(InvalidInput, match="建议和投诉不能互相合并"):
        await merging.merge(noise, actor="王芳", clocks=DEFAULT, into=first)
    theirs = await complaint(OTHER, "幸福路12号楼下饭店油烟直排，熏得没法开窗", "c2")
    before = await state(theirs)
    with pytest.raises(InvalidInput, match="同一个人"):
        await merging.merge(theirs, actor="王芳", clocks=DEFAULT, into=noise)
    assert await state(theirs) == before


async def test_a_repeat_complaint_of_the_same_person_merges(any_db: str) -> None:
    first = await complaint(AUTHOR, "幸福路12号楼下饭店油烟直排，熏得没法开窗", "c1")
    again = await complaint(AUTHOR, "幸福路12号那家饭店油烟还是直排，家里全是油烟味", "c2")
    first_item, again_item = await Item.get(ticket=first), await Item.get(ticket=again)
    assert again_item.repeat_of_id == first_item.id  # type: ignore[attr-defined]
    item = await merging.merge(again, actor="王芳", clocks=DEFAULT, into=first)
    assert item.status == "closed"
    assert await Support.filter(item_id=first_item.id).count() == 0  # the author is no supporter of their own
    notice = await Outbox.get(item_id=again_item.id, kind="merge")
    assert "与您之前反映的" in notice.text and first in notice.text


@pytest.mark.parametrize(
    "summary",
    ["地铁2号线早高峰太挤，建议加密班次", "地铁站3号口没有无障碍坡道", "自2026-11-22起试行夜班公交"],
)
async def test_public_places_and_dates_are_not_private(any_db: str, summary: str) -> None:
    ticket = await suggestion(AUTHOR, SHELTER, "s1")
    item = await merging.publish(ticket, actor="王芳", clocks=DEFAULT, title=TITLE, summary=summary)
    assert item.published


async def test_who_supported_both_still_supports_both_after_merge_and_unmerge(any_db: str) -> None:
    main = await published(OTHER, SHELTER_TOO, "main")
    dup = await published(AUTHOR, SHELTER, "dup")
    await supporters.cosign(FAN, dup, NOW)
    await supporters.cosign(FAN, main, NOW)
    await merging.merge(dup, actor="王芳", clocks=DEFAULT, into=main)
    main_item, dup_item = await Item.get(ticket=main), await Item.get(ticket=dup)
    assert await Support.filter(item_id=main_item.id, citizen__external_id="fan").count() == 1
    await merging.unmerge(dup, actor="王芳", clocks=DEFAULT)
    for item in (main_item, dup_item):
        assert await Support.filter(item_id=item.id, citizen__external_id="fan").count() == 1
