"""``minyi telegram poll``: getUpdates feeds the same pipeline, and the offset moves on."""

from __future__ import annotations

import asyncio

from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.telegram.cli import ALLOWED_UPDATES, _poll_forever
from bot.services import services
from dialogs import texts
from storage.config import Settings
from tests.bot.channels.telegram import updates as U
from tests.bot.channels.telegram.conftest import with_telegram
from tests.bot.channels.telegram.fake_api import FakeBotApi

DAN = 8080


async def test_long_polling_feeds_the_pipeline(
    db: str, settings: Settings, fake_api: tuple[FakeBotApi, str]
) -> None:
    fake, base = fake_api
    fake.pending = [U.text(DAN, "/start"), U.text(DAN, "2")]
    last_id = fake.pending[-1]["update_id"]
    async with services(with_telegram(settings, base)) as built:
        assert built.telegram is not None
        channel = TelegramChannel(built.telegram.sender, built.pipeline)
        task = asyncio.create_task(_poll_forever(channel, timeout=0))
        for _ in range(200):
            if len(fake.sent(DAN)) == 2 and len([c for c in fake.calls if c.method == "getUpdates"]) > 2:
                break
            await asyncio.sleep(0.02)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert fake.texts(DAN)[0] == texts.MENU
    assert fake.texts(DAN)[1].startswith(texts.FORM_INTRO["complaint"])
    polls = [c.params for c in fake.calls if c.method == "getUpdates"]
    assert polls[0]["allowed_updates"] == ALLOWED_UPDATES
    assert polls[-1]["offset"] == str(last_id + 1)
