"""Issue 9 §8: an item entered by staff reached whoever had typed that phone number in a form: a web
user who once typed someone else's phone received that person's letter notices and saw the letter
(with a home address) under 3. A typed phone links nothing; a platform-verified one does."""

from __future__ import annotations

import json

from storage.models import Citizen as CitizenRow
from tests.admin_cli.staff import Citizen, admin
from tests.answers import COMPLAINT_FROM_MENU
from tests.runtime import run_with_db


def letter_with(phone: str) -> dict[str, str]:
    return json.loads(  # type: ignore[no-any-return]
        admin(
            "items",
            "new",
            "--channel",
            "letter",
            "--kind",
            "complaint",
            "--name",
            "王五",
            "--phone",
            phone,
            "--content",
            "住在幸福路12号3楼，楼下噪音",
            "--request",
            "处理",
            "--json",
        )
    )


def test_a_typed_phone_reaches_nobody_a_verified_one_reaches_its_owner(database: str) -> None:
    stranger = Citizen(database, "stranger")
    stranger.files(COMPLAINT_FROM_MENU)  # typed 13700001111, someone else's number
    letter = letter_with("13700001111")
    assert letter["linked_chat"] is None
    admin("items", "accept", letter["ticket"])
    assert stranger.poll() == [] and letter["ticket"] not in stranger.say("3")[-1]

    async def verify() -> None:  # the owner shared this number with the Telegram contact button
        await CitizenRow.create(channel="telegram", external_id="555", verified_phone="13700001111")

    run_with_db(database, verify, migrate=False)
    assert letter_with("13700001111")["linked_chat"] == "telegram"
