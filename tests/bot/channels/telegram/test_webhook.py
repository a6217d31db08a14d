"""Real update shapes posted to ``POST /telegram`` through the whole pipeline, replies read
back from the fake Bot API."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from dialogs import texts
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.models import Citizen, DeadLetter, Item
from tests.bot.channels.telegram import updates as U
from tests.bot.channels.telegram.conftest import HEADERS
from tests.bot.channels.telegram.fake_api import FakeBotApi
from tests.fakes import blocked_steps, database_away

ALICE = 424242
S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}


async def post(tg: TestClient[Any, Any], update: Any, status: int = 200) -> None:
    resp = await tg.post("/telegram", json=update, headers=HEADERS)
    assert resp.status == status, await resp.text()


async def test_suggestion_with_buttons_location_photo_and_own_contact(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    await post(tg, U.text(ALICE, "/start"))
    menu = fake.sent(ALICE)[-1].params
    assert menu["text"] == texts.MENU
    buttons = [b for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    turn = buttons[0]["callback_data"].split(":")[1]  # the turn the buttons answer
    assert [b["callback_data"] for b in buttons] == [f"c:{turn}:{n}" for n in "1230"]

    await post(tg, U.callback(ALICE, fake.button(ALICE, "1")))
    assert fake.calls[-2].method == "answerCallbackQuery"
    assert fake.texts(ALICE)[-1].endswith(S["problem"])
    await post(tg, U.text(ALICE, "公交站没有遮雨棚，下雨天等车全身湿透"))
    assert "1. 类别：交通出行" in fake.texts(ALICE)[-1]  # proposed from the account
    await post(tg, U.callback(ALICE, fake.button(ALICE, "改类别")))
    assert "您的建议属于哪一类" in fake.texts(ALICE)[-1]
    await post(tg, U.callback(ALICE, fake.button(ALICE, "城市建设")))
    await post(tg, U.text(ALICE, "建议加装遮雨棚"))
    await post(tg, U.photo(ALICE))
    assert texts.PHOTO_SAVED.format(noun="建议") in fake.texts(ALICE)[-1]
    await post(tg, U.text(ALICE, "李四"))
    phone_question = fake.sent(ALICE)[-1].params
    assert phone_question["reply_markup"]["keyboard"][0][0]["request_contact"] is True

    await post(tg, U.contact(ALICE, "+8613800000000", owner=ALICE))
    await post(tg, U.callback(ALICE, fake.button(ALICE, "可以")))
    assert "请核对您的建议" in fake.texts(ALICE)[-1]
    await post(tg, U.text(ALICE, "修改 6"))  # the place is optional: not asked, set from the summary
    place_question = fake.sent(ALICE)[-1].params
    assert place_question["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert place_question["reply_markup"]["keyboard"][1][0]["text"] == "跳过"  # the place is optional
    await post(tg, U.location(ALICE))
    assert "请核对您的建议" in fake.texts(ALICE)[-1]
    await post(tg, U.callback(ALICE, fake.button(ALICE, "确认")))

    assert "您的建议已收到，编号 JY-" in fake.texts(ALICE)[-1]
    item = await Item.get()
    assert item.channel == "telegram" and item.kind == "suggestion" and item.status == "received"
    assert item.category == "城市建设" and item.fields_data["phone"] == "13800000000"
    assert item.fields_data["photos"] == ["AgAC-large"]
    assert "31.23040" in item.fields_data["place"]
    citizen = await Citizen.get(id=item.citizen_id)  # type: ignore[attr-defined]
    assert citizen.external_id == str(ALICE) and citizen.verified_phone == "13800000000"  # shared: verified
    answered = [c for c in fake.calls if c.method == "answerCallbackQuery"]
    assert len(answered) == 5


async def test_complaint_typed_with_someone_elses_contact_and_an_edit(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    for answer in ["2", "楼下饭店油烟直排", "本周每天晚上，幸福路12号", "责令整改", "王五"]:
        await post(tg, U.text(ALICE, answer))
    asked_phone = fake.texts(ALICE)[-1]

    await post(tg, U.contact(ALICE, "13911112222", owner=999))  # a friend's card
    assert fake.texts(ALICE)[-1] == texts.TG_NOT_OWN_CONTACT
    await post(tg, U.contact(ALICE, "13911112222", owner=None))  # a card without a user
    assert fake.texts(ALICE)[-1] == texts.TG_NOT_OWN_CONTACT
    await post(tg, U.edited(ALICE, "王五五"))
    assert fake.texts(ALICE)[-1] == texts.TG_EDITED

    await post(tg, U.text(ALICE, "13700001111"))  # typed entry still works at the same step
    assert asked_phone != fake.texts(ALICE)[-1]
    await post(tg, U.text(ALICE, "确认"))
    assert "TS-" in fake.texts(ALICE)[-1] and "15日内" in fake.texts(ALICE)[-1]
    item = await Item.get()
    assert item.kind == "complaint" and item.channel == "telegram"
    assert item.fields_data["name"] == "王五" and item.fields_data["phone"] == "13700001111"


async def test_commands_are_entry_points(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    await post(tg, U.text(ALICE, "/help"))
    assert fake.texts(ALICE)[-1] == texts.HELP
    await post(tg, U.text(ALICE, "/status"))
    assert fake.texts(ALICE)[-1] == texts.NO_ITEMS
    await post(tg, U.text(ALICE, "1"))
    await post(tg, U.text(ALICE, "/cancel@minyi_bot"))
    assert fake.texts(ALICE)[-1] == texts.CANCEL_ASK
    await post(tg, U.callback(ALICE, fake.button(ALICE, "是")))
    assert fake.texts(ALICE)[-1].startswith(texts.CANCEL_DONE)


async def test_foreign_number_from_own_contact_is_asked_again(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    for answer in ["2", "垃圾没人清", "今天，幸福路", "尽快清理", "王五"]:
        await post(tg, U.text(ALICE, answer))
    await post(tg, U.contact(ALICE, "+14155550100", owner=ALICE))
    assert fake.texts(ALICE)[-1].startswith(texts.BAD_PHONE)


async def test_bad_or_missing_secret_is_403_and_nothing_happens(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    update = U.text(ALICE, "/start")
    for headers in [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}]:
        resp = await tg.post("/telegram", json=update, headers=headers)
        assert resp.status == 403
    assert fake.sent() == [] and await Citizen.all().count() == 0


async def test_poison_payloads_are_200_and_kept_aside(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    no_is_bot = U.text(ALICE, "你好")
    del no_is_bot["message"]["from"]["is_bot"]  # Telegram's own doc samples look like this
    bodies = [orjson_bytes(no_is_bot), b"not json", b"[1, 2]", b'{"message": {}}']
    for body in bodies:
        resp = await tg.post("/telegram", data=body, headers={**HEADERS, "Content-Type": "application/json"})
        assert resp.status == 200
    letters = await DeadLetter.all().order_by("id")
    assert len(letters) == 4 and all(d.channel == "telegram" for d in letters)
    assert "is_bot" in letters[0].reason and letters[1].payload == "not json"
    assert fake.sent() == []


async def test_unhandled_update_kinds_are_acknowledged(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    group = U.text(ALICE, "/start")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "群"}
    await post(tg, group)
    await post(tg, {"update_id": 9, "channel_post": group["message"] | {"chat": group["message"]["chat"]}})
    assert fake.sent() == []


def orjson_bytes(value: Any) -> bytes:
    import orjson

    return orjson.dumps(value)


async def test_the_channel_is_off_without_its_settings(client: TestClient[Any, Any]) -> None:
    resp = await client.post("/telegram", json=U.text(ALICE, "/start"), headers=HEADERS)
    assert resp.status == 404


async def test_a_failed_step_asks_telegram_to_deliver_the_update_again(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    from bot.channels.telegram.adapter import TELEGRAM

    await post(tg, U.text(ALICE, "/start"))
    database_away(tg.app[TELEGRAM].pipeline, times=1)
    update = U.text(ALICE, "3")
    sent_before = len(fake.texts(ALICE))
    await post(tg, update, status=503)  # nothing was done: Telegram delivers it again later
    assert len(fake.texts(ALICE)) == sent_before
    await post(tg, update)  # the redelivery, after the database came back
    await post(tg, update)  # and a stray third delivery changes nothing
    assert fake.texts(ALICE)[sent_before:] == [texts.NO_ITEMS]


async def test_a_full_process_asks_telegram_to_come_back_later(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    from bot.channels.telegram.adapter import TELEGRAM

    pipeline = tg.app[TELEGRAM].pipeline
    pipeline.gate.limit = 1  # MINYI_MAX_IN_FLIGHT=1
    go = blocked_steps(pipeline)
    busy = asyncio.create_task(tg.post("/telegram", json=U.text(ALICE + 1, "/start"), headers=HEADERS))
    while pipeline.gate.in_flight < 1:
        await asyncio.sleep(0.01)
    update = U.text(ALICE, "/start")
    refused = await asyncio.wait_for(tg.post("/telegram", json=update, headers=HEADERS), 5)
    assert refused.status == 503 and refused.headers["Retry-After"] == "5"  # refused before any work
    assert fake.texts(ALICE) == []
    go.set()
    assert (await busy).status == 200
    await post(tg, update)  # Telegram's redelivery, once there is room
    assert fake.texts(ALICE) == [texts.MENU]
