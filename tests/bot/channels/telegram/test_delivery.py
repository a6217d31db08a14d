"""Duplicates, races, and what the Bot API answers back: blocked users, 429, 400, 5xx."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from dialogs import texts
from dialogs.forms import COMPLAINT as COMPLAINT_FORM
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.config import Settings
from storage.models import Citizen, Item
from tests.apps import Served
from tests.bot.channels.telegram import updates as U
from tests.bot.channels.telegram.conftest import HEADERS, with_telegram
from tests.bot.channels.telegram.fake_api import FakeBotApi
from tests.services import REDIS_URL, require

BOB = 777001
S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}
C = {f.key: f.prompt for f in COMPLAINT_FORM.fields}
BLOCKED = "Forbidden: bot was blocked by the user"


async def post(tg: TestClient[Any, Any], update: Any) -> int:
    resp = await tg.post("/telegram", json=update, headers=HEADERS)
    return resp.status


async def citizen(uid: int) -> Citizen:
    return await Citizen.get(channel="telegram", external_id=str(uid))


async def test_a_duplicated_update_is_handled_and_answered_once(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    start = U.text(BOB, "1")
    assert await post(tg, start) == 200
    assert await post(tg, start) == 200
    assert await post(tg, start) == 200
    assert len(fake.sent(BOB)) == 1
    await post(tg, U.text(BOB, "2"))  # the form moved one step, not three
    assert S["category"] in fake.texts(BOB)[-1]  # "2" was the account: the category is asked next


async def test_two_updates_of_one_user_racing_are_handled_in_order(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    fake.delay_s = 0.05
    first, second = U.text(BOB, "1"), U.text(BOB, "2")
    statuses = await asyncio.gather(post(tg, first), post(tg, second))
    assert statuses == [200, 200]
    replies = fake.texts(BOB)
    assert replies[0].startswith(texts.FORM_INTRO["suggestion"]) and replies[0].endswith(S["problem"])
    assert S["category"] in replies[1]  # "2" answered the account question "1" opened


async def test_racing_updates_across_two_processes_sharing_redis(
    db: str,
    redis: Any,
    settings: Settings,
    fake_api: tuple[FakeBotApi, str],
    served: Served,
) -> None:
    require(REDIS_URL, "Redis")
    fake, base = fake_api
    shared = with_telegram(settings, base, redis_url=REDIS_URL)
    one, two = await served.start(shared), await served.start(shared)
    fake.delay_s = 0.05
    update_a, update_b = U.text(BOB, "1"), U.text(BOB, "2")
    statuses = await asyncio.gather(post(one, update_a), post(two, update_b), post(two, update_a))
    assert statuses == [200, 200, 200]
    replies = fake.texts(BOB)
    assert len(replies) == 2  # the duplicate of update_a sent nothing
    if replies[0].startswith(texts.FORM_INTRO["suggestion"]):  # "1" won the lock: "2" is the account
        assert S["category"] in replies[1]
    else:  # "2" won: a complaint, and "1" answered its account question
        assert replies[0].startswith(texts.FORM_INTRO["complaint"]) and C["category"] in replies[1]


async def test_a_blocked_user_is_marked_unreachable_and_back(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    fake.fail("sendMessage", 403, BLOCKED)
    assert await post(tg, U.text(BOB, "/start")) == 200  # no retry: the user blocked us
    assert not (await citizen(BOB)).reachable
    assert await post(tg, U.my_chat_member(BOB, "member")) == 200
    assert (await citizen(BOB)).reachable
    assert await post(tg, U.my_chat_member(BOB, "kicked")) == 200
    assert not (await citizen(BOB)).reachable
    assert len(fake.sent(BOB)) == 1


async def test_chat_not_found_marks_unreachable(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 400, "Bad Request: chat not found")
    assert await post(tg, U.text(BOB, "/start")) == 200
    assert not (await citizen(BOB)).reachable


async def test_other_bad_requests_are_not_retried(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 400, "Bad Request: can't parse entities")
    assert await post(tg, U.text(BOB, "/start")) == 200
    assert len(fake.sent(BOB)) == 1
    assert await Citizen.filter(reachable=False).count() == 0


async def test_a_short_retry_after_is_waited_out(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert await post(tg, U.text(BOB, "/start")) == 200
    assert loop.time() - began >= 0.9
    assert fake.texts(BOB) == [texts.MENU, texts.MENU]  # refused once, then delivered


async def test_a_long_retry_after_asks_telegram_to_redeliver(
    tg: TestClient[Any, Any], fake: FakeBotApi
) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    update = U.text(BOB, "1")
    assert await post(tg, update) == 503
    assert await post(tg, update) == 200  # Telegram's redelivery: same replies, sent now
    assert await post(tg, U.text(BOB, "2")) == 200
    assert S["category"] in fake.texts(BOB)[-1]  # the state moved once: "2" was the account
    assert len(fake.sent(BOB)) == 3


async def test_a_network_failure_is_retried_by_redelivery(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 502, "Bad Gateway")
    update = U.text(BOB, "/status")
    assert await post(tg, update) == 503
    assert await post(tg, update) == 200
    assert fake.texts(BOB)[-1] == texts.NO_ITEMS


async def test_a_finished_item_survives_a_failed_reply(tg: TestClient[Any, Any], fake: FakeBotApi) -> None:
    for answer in ["2", "垃圾没人清", "今天，幸福路", "尽快清理", "王五", "13700001111"]:
        assert await post(tg, U.text(BOB, answer)) == 200
    fake.fail("sendMessage", 502, "Bad Gateway")
    confirm = U.text(BOB, "确认")
    assert await post(tg, confirm) == 503
    assert await Item.all().count() == 1  # committed before Telegram was answered
    assert await post(tg, confirm) == 200
    assert await Item.all().count() == 1 and "TS-" in fake.texts(BOB)[-1]
