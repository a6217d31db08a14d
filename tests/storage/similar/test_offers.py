"""What a citizen may be offered, on SQLite and PostgreSQL: published suggestions only (never an
unpublished one, never their own, never a merged one), their own open complaints only (never
another person's); and the catalogue finds what another connection stored a moment ago."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.reading.likeness import features
from dialogs.types import UserRef
from storage.models import Item
from storage.similar import offers
from storage.similar.catalogue import Catalogue
from storage.workflow import actions, merging, service
from storage.workflow.clocks import DEFAULT

AUTHOR, ME, OTHER = UserRef("web", "author"), UserRef("web", "me"), UserRef("telegram", "42")
NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)
IDEA = "建议在中山公园地铁站出口增设共享单车停放点"
MY_WORDS = "中山公园地铁站出口那边能不能划一块共享单车停车区域，现在单车没地方停"
OILY = {"what": "楼下饭店油烟直排", "when_where": "本周每天晚上，幸福路12号", "demand": "责令整改"}
OILY_AGAIN = "楼下那家饭店的油烟还是直排，熏得家里全是味"


async def suggestion(user: UserRef, problem: str, key: str) -> str:
    values = {"category": "交通出行", "title": problem[:12], "problem": problem, "measure": "请研究"}
    values |= {"name": "李四", "phone": "13912345678", "contact_ok": "可以"}
    return (await service.submit(user, "suggestion", values, key, now=NOW, clocks=DEFAULT)).ticket


async def complaint(user: UserRef, key: str) -> str:
    values = OILY | {"category": "市容环卫", "name": "王五", "phone": "13700001111"}
    return (await service.submit(user, "complaint", values, key, now=NOW, clocks=DEFAULT)).ticket


async def offered(user: UserRef, kind: str, text: str, catalogue: Catalogue) -> list[str]:
    return [item.ticket for item, _ in await offers.for_citizen(user, kind, text, catalogue)]


async def test_a_suggestion_is_offered_only_once_published_and_not_to_its_author(any_db: str) -> None:
    catalogue = Catalogue()
    ticket = await suggestion(AUTHOR, IDEA, "s1")
    assert await offered(ME, "suggestion", MY_WORDS, catalogue) == []
    await merging.publish(
        ticket, actor="王芳", clocks=DEFAULT, title="中山公园站增设单车停放点", summary="单车没处停。"
    )
    assert await offered(ME, "suggestion", MY_WORDS, catalogue) == [ticket]
    assert await offered(AUTHOR, "suggestion", MY_WORDS, catalogue) == []
    assert await offered(ME, "suggestion", "小区楼道里的灯坏了一个月没人修", catalogue) == []
    await merging.unpublish(ticket, actor="王芳", clocks=DEFAULT)
    assert await offered(ME, "suggestion", MY_WORDS, catalogue) == []


async def test_a_merged_suggestion_is_not_offered_its_main_is(any_db: str) -> None:
    catalogue = Catalogue()
    main, dup = await suggestion(AUTHOR, IDEA, "s1"), await suggestion(OTHER, MY_WORDS, "s2")
    for ticket in (main, dup):
        await merging.publish(
            ticket, actor="王芳", clocks=DEFAULT, title="中山公园站单车停放", summary="单车没处停。"
        )
    assert sorted(await offered(ME, "suggestion", MY_WORDS, catalogue)) == sorted([main, dup])
    await merging.merge(dup, actor="王芳", clocks=DEFAULT, into=main)
    assert await offered(ME, "suggestion", MY_WORDS, catalogue) == [main]


async def test_complaints_are_offered_only_to_their_own_author_while_open(any_db: str) -> None:
    catalogue = Catalogue()
    mine = await complaint(ME, "c1")
    assert await offered(OTHER, "complaint", OILY_AGAIN, catalogue) == []
    assert await offered(ME, "suggestion", OILY_AGAIN, catalogue) == []
    assert await offered(ME, "complaint", OILY_AGAIN, catalogue) == [mine]
    assert await offered(ME, "complaint", "小区门口的路灯坏了", catalogue) == []
    await actions.accept(mine, actor="王芳", clocks=DEFAULT)
    await actions.answer(mine, actor="王芳", clocks=DEFAULT, text="已责令整改")
    assert await offered(ME, "complaint", OILY_AGAIN, catalogue) == [], "answered: no longer open"


async def test_a_new_complaint_is_flagged_as_a_repeat_of_the_open_one(any_db: str) -> None:
    first = await complaint(ME, "c1")
    second = await complaint(ME, "c2")
    other = await complaint(OTHER, "c3")
    by_ticket = {i.ticket: i for i in await Item.filter(ticket__in=[first, second, other])}
    assert by_ticket[second].repeat_of_id == by_ticket[first].id  # type: ignore[attr-defined]
    assert by_ticket[first].repeat_of_id is None  # type: ignore[attr-defined]
    assert by_ticket[other].repeat_of_id is None, "another person's complaint is not a repeat"  # type: ignore[attr-defined]


async def test_the_catalogue_catches_up_with_items_stored_elsewhere(any_db: str) -> None:
    """Two processes: each has its own catalogue; what one stores, the other finds next time."""
    here, there = Catalogue(), Catalogue()
    assert await here.refresh() == 0
    first = await suggestion(AUTHOR, IDEA, "s1")
    found = await there.search(features(MY_WORDS), kind="suggestion")
    assert [i for i, _ in found] == [(await Item.get(ticket=first)).id]
    found = await here.search(features(MY_WORDS), kind="suggestion")
    assert len(found) == 1 and "中山公园" in found[0][1].shared
    assert await here.search(features(MY_WORDS), kind="complaint") == []


def test_ids_skipped_by_a_commit_are_looked_for_again() -> None:
    """PostgreSQL hands out ids before commit: a higher id may be seen first; the skipped ones
    are asked for again by the next refresh (which drops each one it finds)."""
    catalogue = Catalogue()
    catalogue._note_gaps([5, 6, 9])
    assert set(catalogue._gaps) == {7, 8} and catalogue._max == 9
    catalogue._note_gaps([8, 10])
    assert set(catalogue._gaps) == {7, 8} and catalogue._max == 10
    catalogue._note_gaps([1_000_000])  # a sequence restarted far away: no million gaps
    assert set(catalogue._gaps) == {7, 8} and catalogue._max == 1_000_000


async def test_items_filed_before_their_words_were_stored_are_read_from_their_fields(any_db: str) -> None:
    ticket = await suggestion(AUTHOR, IDEA, "s1")
    await Item.filter(ticket=ticket).update(terms="")  # as migration 0003 leaves an older item
    found = await Catalogue().search(features(MY_WORDS), kind="suggestion")
    assert [i for i, _ in found] == [(await Item.get(ticket=ticket)).id]
