"""重复件 on SQLite and PostgreSQL: the same person is the same chat, chats sharing a verified
phone, and letters or calls under that phone — a typed phone links nobody; a complaint whose 复核
is done is still found (staff are shown the matter is not accepted again)."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.types import UserRef
from storage import intake
from storage.models import Citizen, Item
from storage.workflow import repeats, service
from storage.workflow.clocks import DEFAULT

NOW = datetime(2026, 11, 22, 2, tzinfo=UTC)
PHONE = "13700001111"
OILY = {"what": "楼下饭店油烟直排", "when_where": "本周每天晚上，幸福路12号", "demand": "责令整改"}
OILY_AGAIN = "幸福路楼下那家饭店的油烟还是直排，熏得家里全是味"


async def complaint(user: UserRef, key: str, *, verified: bool = False, what: str = OILY["what"]) -> Item:
    values = OILY | {"what": what, "category": "市容环卫", "name": "王五", "phone": PHONE}
    if verified:
        values["verified_phone"] = PHONE  # a Telegram shared contact
    ticket = (await service.submit(user, "complaint", values, key, now=NOW, clocks=DEFAULT)).ticket
    return await Item.get(ticket=ticket)


async def test_a_verified_phone_joins_chats_a_typed_one_does_not(any_db: str) -> None:
    first = await complaint(UserRef("telegram", "7"), "c1", verified=True)
    on_wechat = await complaint(UserRef("wechat", "o-1"), "c2", verified=True)
    typed_only = await complaint(UserRef("web", "w-1"), "c3")
    assert on_wechat.repeat_of_id == first.id
    assert typed_only.repeat_of_id is None, "a phone typed into a form links nobody"
    person = await repeats.same_person(await Citizen.get(channel="wechat", external_id="o-1"))
    assert len(person) == 2


async def test_a_letter_under_the_verified_phone_is_flagged_as_a_repeat(any_db: str) -> None:
    first = await complaint(UserRef("telegram", "7"), "c1", verified=True)
    receipt, linked = await intake.enter(
        "letter", "complaint", name="王五", phone=PHONE, content=OILY_AGAIN, request="责令整改", title=None,
        category="市容环卫", place="幸福路12号", contact_ok="可以", actor="王芳", clocks=DEFAULT,
    )  # fmt: skip
    assert linked == "telegram"
    assert (await Item.get(ticket=receipt.ticket)).repeat_of_id == first.id
    call = await intake.enter(
        "phone", "complaint", name="王五", phone=PHONE, content=OILY_AGAIN, request="责令整改", title=None,
        category="市容环卫", place="幸福路12号", contact_ok="可以", actor="王芳", clocks=DEFAULT,
    )  # fmt: skip
    assert (await Item.get(ticket=call[0].ticket)).repeat_of_id in (
        first.id,
        (await Item.get(ticket=receipt.ticket)).id,
    )


async def test_another_matter_of_the_same_person_is_no_repeat(any_db: str) -> None:
    user = UserRef("web", "w-1")
    await complaint(user, "c1")
    other = await complaint(user, "c2", what="小区门口的路灯坏了一个多月，晚上黑乎乎的")
    assert other.repeat_of_id is None


async def test_a_complaint_whose_review_is_exhausted_is_still_found(any_db: str) -> None:
    user = UserRef("web", "w-1")
    done = await complaint(user, "c1")
    await Item.filter(id=done.id).update(status="closed", review_level=2)
    assert repeats.exhausted(await Item.get(id=done.id))
    again = await complaint(user, "c2", what=OILY_AGAIN)
    assert again.repeat_of_id == done.id
    await Item.filter(id=done.id).update(review_level=1)
    assert not repeats.exhausted(await Item.get(id=done.id))
