"""The Telegram ``Sender``: limits shared by processes, errors mapped by type, long texts split."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from limits.aio.storage import MemoryStorage
from telegram import Bot

from bot.channels.telegram.sender import SendLimiter, TelegramSender, limiter_storage
from notifier.errors import (
    ConfigurationError,
    PlatformError,
    RateLimited,
    RecipientUnreachable,
    TransientError,
)
from notifier.sender import Notice, Sender
from tests.bot.channels.telegram.fake_api import TOKEN, FakeBotApi

CHAT = 5550001


class Unreachable:
    def __init__(self) -> None:
        self.chats: list[str] = []

    async def __call__(self, chat_id: str) -> None:
        self.chats.append(chat_id)


@pytest.fixture
async def bot(fake_api: tuple[FakeBotApi, str]) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake_api[1]) as made:
        yield made


def fast_limiter() -> SendLimiter:
    return SendLimiter(MemoryStorage(), overall="1000/second", per_chat="1000/second")


def notice(text: str, recipient: int = CHAT) -> Notice:
    return Notice(id=1, channel="telegram", recipient=str(recipient), kind="accepted", text=text)


async def test_it_is_a_sender_and_splits_long_texts(bot: Bot, fake: FakeBotApi) -> None:
    sender: Sender = TelegramSender(bot, fast_limiter(), Unreachable())
    text = ("第一段。" * 1500) + "\n" + ("第二段。" * 900)
    delivery = await sender.send(notice(text))
    pieces = fake.texts(CHAT)
    assert len(pieces) == 3 and all(len(p) <= 4096 for p in pieces)
    assert "".join(pieces) == text
    assert delivery.via == "message" and delivery.provider_id == str(fake.next_message_id)


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "error", "unreachable"),
    [
        (429, "Too Many Requests: retry after 7", 7, RateLimited, False),
        (403, "Forbidden: bot was blocked by the user", None, RecipientUnreachable, True),
        (400, "Bad Request: chat not found", None, RecipientUnreachable, True),
        (400, "Bad Request: message is too long", None, PlatformError, False),
        (502, "Bad Gateway", None, TransientError, False),
        (401, "Unauthorized", None, ConfigurationError, False),
    ],
)
async def test_errors_are_mapped_by_type(
    bot: Bot,
    fake: FakeBotApi,
    status: int,
    description: str,
    retry_after: int | None,
    error: type[Exception],
    unreachable: bool,
) -> None:
    marked = Unreachable()
    sender = TelegramSender(bot, fast_limiter(), marked)
    fake.fail("sendMessage", status, description, retry_after)
    with pytest.raises(error) as caught:
        await sender.send(notice("您好"))
    assert marked.chats == ([str(CHAT)] if unreachable else [])
    if status == 429:
        assert isinstance(caught.value, RateLimited) and caught.value.retry_after == 7
    if status == 400 and not unreachable:
        assert not isinstance(caught.value, TransientError)  # BadRequest is never retried


async def test_one_message_per_second_per_chat_but_other_chats_go_at_once() -> None:
    limiter = SendLimiter(MemoryStorage(), overall="30/second", per_chat="1/second")
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.gather(*(limiter.acquire(str(chat)) for chat in range(10)))
    assert loop.time() - began < 0.5
    await limiter.acquire("1")
    assert loop.time() - began >= 0.9


async def test_overall_limit_holds_across_many_chats() -> None:
    limiter = SendLimiter(MemoryStorage(), overall="5/second", per_chat="1/second")
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.gather(*(limiter.acquire(str(chat)) for chat in range(6)))
    assert loop.time() - began >= 0.9


async def test_the_limit_is_shared_by_processes_through_redis(redis: Any) -> None:
    one = SendLimiter(limiter_storage(redis), per_chat="1/second")
    two = SendLimiter(limiter_storage(redis), per_chat="1/second")
    loop = asyncio.get_running_loop()
    await one.acquire("42")
    began = loop.time()
    await two.acquire("42")  # another process, same chat: waits for the window
    assert loop.time() - began >= 0.5
    assert await redis.keys("minyi:rl:telegram*")
