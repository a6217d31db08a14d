"""The pipeline: drafts survive a restart, retries get the same answer, failures apologise."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.pipeline import Pipeline, StepFailed
from bot.services import build_pipeline
from dialogs import Inbound, UserRef, texts
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage.backends import Backends, build_backends
from storage.config import Settings
from storage.db import close_db, open_db
from storage.models import Item
from tests.answers import SUGGESTION, SUGGESTION_FROM_MENU
from tests.conftest import memory_backends
from tests.fakes import FakePort
from tests.services import REDIS_URL

USER = UserRef("web", "u1")
S = {f.key: f.prompt for f in SUGGESTION_FORM.fields}


def msg(text: str | None, n: int, when: datetime | None = None) -> Inbound:
    when = when or datetime.now(UTC)
    if text is None:
        return Inbound(USER, f"m{n}", when, kind="event", event="hello")
    return Inbound(USER, f"m{n}", when, text=text)


async def test_half_filled_draft_survives_a_restart_and_is_offered(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite://{tmp_path / 'm.db'}", _env_file=None)
    await open_db(settings.database_url, apply_migrations=True)
    first = build_pipeline(settings, build_backends(settings))
    for n, text in enumerate(["1", SUGGESTION[0]]):  # the account; the category and title proposed
        await first.feed(msg(text, n))
    await close_db()

    await open_db(settings.database_url, apply_migrations=True)  # a new process: nothing in memory
    second = build_pipeline(settings, build_backends(settings))
    offer = await second.feed(msg(None, 10))
    assert "欢迎回来" in offer[0].text and "已填 3/9 项" in offer[0].text
    resumed = await second.feed(msg("继续", 11))
    assert S["measure"] in resumed[0].text  # the first question the account left open
    later = await second.feed(msg("菜单", 12, datetime.now(UTC) + timedelta(hours=2)))
    assert "欢迎回来" in later[0].text  # after a long gap, the next contact also offers it
    await close_db()


async def test_a_retry_gets_the_first_answer_and_no_second_step(db: str) -> None:
    pipeline = build_pipeline(Settings(_env_file=None), memory_backends())
    first = await pipeline.feed_once(msg("1", 1), "dup-1")
    again = await pipeline.feed_once(msg("1", 1), "dup-1")
    assert first == again and first is not None
    after = await pipeline.feed(msg("2", 2))
    assert S["category"] in after[-1].text  # one step was taken, not two: "2" was the account


async def test_concurrent_retries_run_one_step(db: str, backends: Backends) -> None:
    pipeline = build_pipeline(Settings(_env_file=None), backends)
    for n, text in enumerate(SUGGESTION_FROM_MENU):
        await pipeline.feed(msg(text, n))
    confirm = msg("确认", 99)
    results = await asyncio.gather(*(pipeline.feed_once(confirm, "confirm-99", wait_s=2) for _ in range(3)))
    assert all(r == results[0] for r in results) and results[0] is not None
    assert "JY-" in results[0][0].text
    assert await Item.all().count() == 1


async def test_a_crashing_step_apologises_and_keeps_the_state() -> None:
    class Broken(FakePort):
        async def my_items(self, user: UserRef, limit: int = 10) -> list:  # type: ignore[type-arg]
            raise RuntimeError("db down")

    pipeline = Pipeline(memory_backends(), Broken())
    await pipeline.feed(msg("1", 1))
    state_before = await pipeline.backends.state.get(USER.key)
    replies = await pipeline.feed(msg("JY-20261122-0001", 2))  # fine: find_item works
    assert replies[0].text == texts.NOT_FOUND
    await pipeline.feed(msg("菜单", 3))
    saved = await pipeline.backends.state.get(USER.key)
    assert (await pipeline.feed(msg("3", 4)))[0].text == texts.STEP_FAILED
    assert await pipeline.backends.state.get(USER.key) == saved != state_before
    assert pipeline.errors == 1


async def test_forget_drops_the_conversation() -> None:
    pipeline = Pipeline(memory_backends(), FakePort())
    await pipeline.feed(msg("1", 1))
    await pipeline.forget(USER.key)
    assert await pipeline.backends.state.get(USER.key) is None


async def test_configured_clocks_apply_to_chat_submissions(db: str) -> None:
    from tests.answers import COMPLAINT_FROM_MENU

    settings = Settings(clock_accept_days=7, _env_file=None)
    pipeline = build_pipeline(settings, memory_backends())
    for n, text in enumerate([*COMPLAINT_FROM_MENU, "确认"]):
        await pipeline.feed(msg(text, n))
    item = await Item.get()
    assert item.accept_due_at == item.created_at + timedelta(days=7)


class Flaky(FakePort):
    """A port whose database is away for the next ``down`` calls that file an item."""

    def __init__(self, down: int) -> None:
        super().__init__()
        self.down = down

    async def my_items(self, user: UserRef, limit: int = 10) -> list:  # type: ignore[type-arg]
        if self.down > 0:
            self.down -= 1
            raise ConnectionError("database went away")
        return await super().my_items(user, limit)


async def test_a_failed_step_is_released_and_the_platforms_retry_answers_it() -> None:
    pipeline = Pipeline(memory_backends(), Flaky(down=1))
    await pipeline.feed_once(msg("菜单", 1), "k1")
    with pytest.raises(StepFailed):
        await pipeline.feed_once(msg("3", 2), "k2")  # 3: my items — the database is away
    retry = await pipeline.feed_once(msg("3", 2), "k2")  # the platform delivers it again
    assert retry is not None and texts.NO_ITEMS in retry[0].text
    assert await pipeline.feed_once(msg("3", 2), "k2") == retry  # and it is done now


async def test_a_step_that_keeps_failing_gets_an_apology_on_the_last_delivery() -> None:
    pipeline = Pipeline(memory_backends(), Flaky(down=99), max_attempts=3)
    await pipeline.feed_once(msg("菜单", 1), "k1")
    for _ in range(2):
        with pytest.raises(StepFailed):
            await pipeline.feed_once(msg("3", 2), "k2")
    last = await pipeline.feed_once(msg("3", 2), "k2")
    assert last is not None and last[0].text == texts.STEP_FAILED_GAVE_UP
    assert await pipeline.feed_once(msg("3", 2), "k2") == last  # no fourth attempt


async def test_a_message_whose_process_died_mid_step_is_taken_over(redis: object) -> None:
    settings = Settings(redis_url=REDIS_URL, _env_file=None)
    backends = build_backends(settings)
    assert backends.redis is not None
    await backends.redis.flushdb()
    backends.dedupe.lease_s, backends.dedupe.lease_ms = 0.3, 300  # type: ignore[attr-defined]
    dead = await backends.dedupe.claim("web", "k-dead")  # claimed, then the process was killed
    assert dead is not None
    pipeline = Pipeline(backends, FakePort())
    started = asyncio.get_running_loop().time()
    replies = await pipeline.feed_once(msg("菜单", 1), "k-dead", wait_s=2)
    assert replies is not None and "1 提建议" in replies[-1].text
    assert asyncio.get_running_loop().time() - started < 1.0  # within the lease, not a day
    await backends.redis.flushdb()
    await backends.close()


async def test_a_redelivery_after_a_restart_of_the_one_process_is_answered_not_run_again(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite://{tmp_path / 'm.db'}", _env_file=None)
    await open_db(settings.database_url, apply_migrations=True)
    first = build_pipeline(settings, build_backends(settings))
    await first.feed_once(msg("1", 1), "k1")
    answered = await first.feed_once(msg("2", 2), "k2")  # the account; saved, then killed before it went out
    restarted = build_pipeline(settings, build_backends(settings))  # in-process dedupe is empty
    assert await restarted.feed_once(msg("2", 2), "k2") == answered  # the platform's redelivery
    following = await restarted.feed_once(msg("交通出行", 3), "k3")  # the category "2" left open
    assert following is not None and S["title"] in following[-1].text  # "2" taken once
    await close_db()
