"""The hot path: a plain form step (a citizen mid-form, nothing waiting for them) costs two Redis
round trips and no database query; something written for the citizen after a commit is looked
up on their very next message, then the mark is settled and the steps are plain again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio.connection import AbstractConnection
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

from bot.pipeline import Pipeline
from bot.services import build_pipeline
from dialogs import Inbound, Reply, UserRef
from dialogs.forms import SUGGESTION as SUGGESTION_FORM
from storage import waits
from storage.backends import build_backends, redis_client
from storage.config import Settings
from storage.db import close_db, open_db
from storage.resp import Multiplexed
from storage.sqlite import written_elsewhere
from storage.waits import MemoryWaits, RedisWaits
from storage.workflow import service
from tests.answers import SUGGESTION
from tests.services import REDIS_URL

USER = UserRef("web", "hot-path")
_DB_CALLS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


class Counted:
    def __init__(self) -> None:
        self.redis = 0
        self.sql: list[str] = []

    @property
    def reads(self) -> list[str]:
        return [q for q in self.sql if not q.lstrip().upper().startswith(("UPDATE", "INSERT", "PRAGMA"))]


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counted]:
    """Redis round trips (every request sent by redis-py — a pipeline is one — or on the hot
    path's own connection) and SQL statements, while open."""
    counted = Counted()
    send, fast = AbstractConnection.send_packed_command, Multiplexed._send

    async def sent(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        counted.redis += 1
        await send(self, *args, **kwargs)

    def sent_fast(self: Multiplexed, *args: Any) -> Any:
        counted.redis += 1
        return fast(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(AbstractConnection, "send_packed_command", sent)
        patch.setattr(Multiplexed, "_send", sent_fast)
        for cls in (SqliteClient, SqliteTransactionWrapper):
            for name in _DB_CALLS:
                if name in vars(cls):
                    patch.setattr(cls, name, _logged(getattr(cls, name), counted))
        yield counted


def _logged(method: Any, counted: Counted) -> Any:
    async def call(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        counted.sql.append(query)
        return await method(self, query, *args, **kwargs)

    return call


class Citizen:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.n = 0

    async def say(self, text: str) -> list[Reply]:
        self.n += 1
        inbound = Inbound(USER, f"m{self.n}", datetime.now(UTC), text=text)
        replies = await self.pipeline.feed_once(inbound, f"hot-{self.n}")
        assert replies is not None
        return replies


async def _letter_for_the_citizen() -> str:
    """Staff enter a letter linked to the chat citizen: its receipt waits for them (after commit)."""
    values = {"category": "交通出行", "title": "来信", "problem": "信里写的问题", "name": "张三"}
    receipt = await service.submit(
        USER, "suggestion", values, "letter-1", clocks=Settings().clocks, channel="letter"
    )
    return receipt.ticket


async def test_a_plain_form_step_on_redis_is_two_round_trips_and_no_query(
    redis: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(redis_url=REDIS_URL, database_url=f"sqlite://{tmp_path / 'h.db'}", _env_file=None)
    await open_db(settings.database_url, apply_migrations=True)
    marks = redis_client(REDIS_URL)
    await marks.flushdb()
    waits.install(RedisWaits(marks))
    backends = build_backends(settings)
    citizen = Citizen(build_pipeline(settings, backends))
    try:
        await citizen.say("1")  # a first message: no state yet, so it looks once
        await citizen.say(SUGGESTION[0])
        with counting(monkeypatch) as plain:
            replies = await citizen.say(SUGGESTION[1])
        assert SUGGESTION_FORM.field("name").prompt in replies[-1].text
        assert (plain.redis, plain.sql) == (2, [])

        ticket = await _letter_for_the_citizen()
        with counting(monkeypatch) as marked:
            replies = await citizen.say(SUGGESTION[2])
        assert ticket in replies[0].text, "the letter's receipt rides along at once"
        assert marked.reads, "a marked citizen is looked up"
        with counting(monkeypatch) as settled:
            await citizen.say(SUGGESTION[3])
        assert (settled.redis, settled.sql) == (2, []), "nothing waits now: plain again"
    finally:
        waits.install(MemoryWaits())
        await backends.close()
        await marks.flushdb()
        await marks.aclose()
        await close_db()


async def test_the_embedded_default_reads_no_table_and_writes_the_state_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=f"sqlite://{tmp_path / 'e.db'}", _env_file=None)
    await open_db(settings.database_url, apply_migrations=True)
    marks = MemoryWaits()
    marks.elsewhere = written_elsewhere()
    waits.install(marks)
    citizen = Citizen(build_pipeline(settings, build_backends(settings)))
    try:
        for text in ["1", SUGGESTION[0]]:
            await citizen.say(text)
        with counting(monkeypatch) as plain:
            await citizen.say(SUGGESTION[1])
        assert plain.reads == [], plain.sql
        assert len([q for q in plain.sql if not q.upper().startswith("PRAGMA")]) == 1, plain.sql

        ticket = await _letter_for_the_citizen()
        replies = await citizen.say(SUGGESTION[2])
        assert ticket in replies[0].text
        with counting(monkeypatch) as settled:
            await citizen.say(SUGGESTION[3])
        assert settled.reads == [], settled.sql
    finally:
        waits.install(MemoryWaits())
        await close_db()
