"""Issue 9 §1: the notifier found its Telegram sender by a module name that did not exist, logged a
warning and held every Telegram notice. Senders are now built explicitly by the composition root
(the one the shipped commands use), and a configured channel that cannot be built stops start-up."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.telegram.sender import TelegramSender
from bot.services import services
from notifier.service import build_relay
from storage.config import Settings
from storage.models import Outbox
from tests.bot.channels.telegram.conftest import with_telegram
from tests.bot.channels.telegram.fake_api import FakeBotApi
from tests.notifier.fakes import citizen, item, notices


async def test_the_relay_of_minyi_notifier_pushes_telegram_notices(
    db: str, settings: Settings, bot_api: tuple[FakeBotApi, str]
) -> None:
    fake, base = bot_api
    config = with_telegram(settings.model_copy(update={"quiet_hours": ""}), base)
    owner = await citizen("telegram", "4242")
    [row] = await notices(owner, await item(owner), ["accept"], at=datetime.now(UTC))
    async with services(config) as built:  # what `minyi notifier` builds from the same settings
        assert isinstance(built.senders["telegram"], TelegramSender)
        await build_relay(config.core, built.senders).drain()
    sent = await Outbox.get(id=row.id)
    assert (sent.status, sent.sent_via) == ("sent", "message")
    assert fake.texts(4242) == ["accept 的通知"]


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"MINYI_WECHAT_TOKEN": "minyiTestToken42"}, "MINYI_WECHAT_APPID / MINYI_WECHAT_SECRET"),
        ({"MINYI_WECHAT_AES_KEY": "short"}, "MINYI_WECHAT_AES_KEY"),
        ({"MINYI_TIMEZONE": "Mars/Base"}, "MINYI_TIMEZONE"),
    ],
)
def test_a_configured_part_that_cannot_be_built_stops_the_notifier(
    tmp_path: Path, env: dict[str, str], said: str
) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "notifier"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "MINYI_DATABASE_URL": f"sqlite://{tmp_path / 'x.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and said in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
