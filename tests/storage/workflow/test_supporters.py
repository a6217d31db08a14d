"""附议 on SQLite and PostgreSQL: co-signing a published suggestion ("done", "already", "own",
"gone" for an unpublished or merged one), withdrawing, the counts, and the progress notices a
supporter gets — one per step of the item, never a question meant for its author, never twice."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.types import UserRef
from storage.models import Item, ItemEvent, Outbox, Support
from storage.workflow import actions, merging, service, supporters
from storage.workflow.clocks import DEFAULT

AUTHOR, FAN, OTHER = UserRef("web", "author"), UserRef("web", "fan"), UserRef("telegram", "42")
NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)
SHELTER = "幸福路公交站没有遮雨棚，下雨天等车全身湿透"
SHELTER_TOO = "幸福路那个车站没有挡雨的棚子，一下雨就淋湿了"


async def suggestion(user: UserRef, problem: str, key: str) -> str:
    values = {"category": "交通出行", "title": problem[:12], "problem": problem, "measure": "建议加装遮雨棚"}
    values |= {"name": "李四", "phone": "13912345678", "contact_ok": "可以"}
    return (await service.submit(user, "suggestion", values, key, now=NOW, clocks=DEFAULT)).ticket


async def published(user: UserRef = AUTHOR, problem: str = SHELTER, key: str = "s1") -> str:
    ticket = await suggestion(user, problem, key)
    await merging.publish(
        ticket, actor="王芳", clocks=DEFAULT, title="幸福路公交站加装遮雨棚", summary="下雨天候车被淋湿。"
    )
    return ticket


async def test_cosign_once_not_ones_own_and_withdraw(any_db: str) -> None:
    ticket = await published()
    assert (await supporters.cosign(FAN, ticket, NOW)).reason == "done"
    again = await supporters.cosign(FAN, ticket, NOW)
    assert (again.reason, again.title) == ("already", "幸福路公交站加装遮雨棚")
    assert (await supporters.cosign(AUTHOR, ticket, NOW)).reason == "own"
    assert (await supporters.cosign(OTHER, ticket, NOW)).reason == "done"
    item = await Item.get(ticket=ticket)
    assert await supporters.count(item.id) == 2
    assert await supporters.counts([item.id, item.id + 100]) == {item.id: 2}
    assert len(await supporters.citizen_ids(item.id)) == 2
    assert await supporters.uncosign(FAN, ticket, NOW) is True
    assert await supporters.uncosign(FAN, ticket, NOW) is False
    assert await supporters.uncosign(FAN, "JY-20991231-9999", NOW) is False
    assert await supporters.count(item.id) == 1
    actions_seen = await ItemEvent.filter(item_id=item.id).order_by("id").values_list("action", flat=True)
    assert actions_seen == ["submit", "publish", "cosign", "cosign", "uncosign"]
    assert (await Item.get(ticket=ticket)).version == 2  # co-signing never moves the item's version


async def test_gone_for_unpublished_merged_unknown_and_complaints(any_db: str) -> None:
    hidden = await suggestion(AUTHOR, SHELTER, "s1")
    assert (await supporters.cosign(FAN, hidden, NOW)).reason == "gone"
    main = await published(OTHER, SHELTER_TOO, "s2")
    dup = await published(AUTHOR, SHELTER, "s3")
    await merging.merge(dup, actor="王芳", clocks=DEFAULT, into=main)
    assert (await supporters.cosign(FAN, dup, NOW)).reason == "gone"
    assert (await supporters.cosign(FAN, "JY-20991231-9999", NOW)).reason == "gone"
    complaint = await service.submit(AUTHOR, "complaint", {"what": "油烟直排"}, "c1", now=NOW, clocks=DEFAULT)
    assert (await supporters.cosign(FAN, complaint.ticket, NOW)).reason == "gone"
    await merging.unpublish(main, actor="王芳", clocks=DEFAULT)
    assert (await supporters.cosign(FAN, main, NOW)).reason == "gone"
    assert await Support.filter(citizen__external_id="fan").count() == 0


async def test_supporters_hear_progress_once_each_not_the_authors_question(any_db: str) -> None:
    ticket = await published()
    for user in (FAN, OTHER):
        await supporters.cosign(user, ticket, NOW)
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await actions.ask(ticket, actor="王芳", clocks=DEFAULT, question="遮雨棚建在站台哪一侧？")
    await actions.record_reply(ticket, actor="王芳", clocks=DEFAULT, text="北侧", via="电话")
    await actions.report(ticket, actor="王芳", clocks=DEFAULT)
    item = await Item.get(ticket=ticket)
    rows = await Outbox.filter(item_id=item.id).order_by("id").prefetch_related("citizen")
    mine = [r.kind for r in rows if r.citizen.external_id == "author"]
    assert mine[:3] == ["received", "publish", "accept"] and "ask" in mine
    for who in ("fan", "42"):
        theirs = [r for r in rows if r.citizen.external_id == who]
        assert [r.kind for r in theirs] == ["accept_s", "report_s"]  # never the question, never twice
        assert all("李四" not in r.text and "13912345678" not in r.text for r in theirs)
        assert "您附议的建议“幸福路公交站加装遮雨棚”" in theirs[0].text and "已受理" in theirs[0].text
    assert len({r.dedupe_key for r in rows}) == len(rows)


async def test_a_withdrawn_supporter_hears_nothing_more(any_db: str) -> None:
    ticket = await published()
    await supporters.cosign(FAN, ticket, NOW)
    await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    await supporters.uncosign(FAN, ticket, NOW)
    await actions.report(ticket, actor="王芳", clocks=DEFAULT)
    kinds = await Outbox.filter(citizen__external_id="fan").values_list("kind", flat=True)
    assert kinds == ["accept_s"]
