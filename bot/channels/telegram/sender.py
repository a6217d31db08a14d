"""Sending to Telegram: one rate limiter shared by every process, and python-telegram-bot's
errors mapped onto ``storage.errors`` (retry decided by type, never by text)."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis
from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram import render
from bot.channels.telegram.convert import CHANNEL
from notifier.errors import (
    ConfigurationError,
    PlatformError,
    RateLimited,
    RecipientUnreachable,
    TransientError,
)
from notifier.sender import Delivery, Notice
from storage.ratelimit import limiter_storage as shared_storage

log = logging.getLogger(__name__)
OVERALL = "30/second"  # Telegram: about 30 messages per second for one bot
PER_CHAT = "1/second"  # Telegram: avoid more than one message per second in one chat
UNREACHABLE_TEXTS = ("chat not found", "user is deactivated", "bot was blocked")


def limiter_storage(redis: Redis | None) -> Storage:
    """This channel's counters (``storage.ratelimit``)."""
    return shared_storage(redis, CHANNEL)


class SendLimiter:
    """Waits until a message to ``chat_id`` fits both the per-chat and the overall limit."""

    def __init__(self, storage: Storage, overall: str = OVERALL, per_chat: str = PER_CHAT) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.overall: RateLimitItem = parse(overall)
        self.per_chat: RateLimitItem = parse(per_chat)

    async def acquire(self, chat_id: str) -> None:
        await self._take(self.per_chat, "chat", chat_id)
        await self._take(self.overall, "all")

    async def _take(self, item: RateLimitItem, *ids: str) -> None:
        while not await self.strategy.hit(item, *ids):
            stats = await self.strategy.get_window_stats(item, *ids)
            await asyncio.sleep(min(max(stats.reset_time - time.time(), 0.01), 1.0))


def retry_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` as seconds (PTB 22 warns on reading it while moving to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def platform_error(exc: TelegramError) -> PlatformError:
    """The ``storage.errors`` type for a python-telegram-bot error (BadRequest before NetworkError)."""
    if isinstance(exc, RetryAfter):
        return RateLimited(str(exc), retry_after=retry_seconds(exc), code=429)
    if isinstance(exc, Forbidden):
        return RecipientUnreachable(exc.message, code=403)
    if isinstance(exc, BadRequest):
        if any(t in exc.message.lower() for t in UNREACHABLE_TEXTS):
            return RecipientUnreachable(exc.message, code=400)
        return PlatformError(exc.message, code=400)
    if isinstance(exc, InvalidToken):
        return ConfigurationError(exc.message, code=401)
    if isinstance(exc, ChatMigrated):
        return RecipientUnreachable(f"chat migrated to {exc.new_chat_id}", code="migrated")
    if isinstance(exc, NetworkError):  # includes TimedOut; BadRequest was handled above
        return TransientError(exc.message, code="network")
    return PlatformError(exc.message)


class TelegramSender:
    """A ``notifier.sender.Sender`` for Telegram; also sends the replies to inbound updates."""

    channel = CHANNEL
    merges = False  # Telegram does not count messages per chat: each notice goes as it is

    def __init__(
        self,
        bot: Bot,
        limiter: SendLimiter | None,
        on_unreachable: Callable[[str], Awaitable[None]],
    ) -> None:
        self.bot = bot
        self.limiter = limiter
        self.on_unreachable = on_unreachable
        self.sent = 0

    async def start(self) -> None:
        """Open the Bot's connections; a failing ``getMe`` is logged, not fatal (sending is tried)."""
        try:
            await self.bot.initialize()
        except TelegramError as exc:
            log.warning("telegram getMe failed at start-up (sending will still be tried): %s", exc)

    async def aclose(self) -> None:
        await self.bot.shutdown()

    async def send(self, notice: Notice) -> Delivery:
        message: Message | None = None
        for piece in render.split(notice.text):
            message = await self.send_message(notice.recipient, {"text": piece})
        assert message is not None
        return Delivery("message", str(message.message_id))

    async def send_message(self, chat_id: str | int, kwargs: dict[str, Any]) -> Message:
        """One ``sendMessage`` within the limits; raises from the ``storage.errors`` tree."""
        if self.limiter is not None:
            await self.limiter.acquire(str(chat_id))
        try:
            message = await self.bot.send_message(chat_id=chat_id, **kwargs)
        except TelegramError as exc:
            error = platform_error(exc)
            if isinstance(error, RecipientUnreachable):
                log.info("telegram chat %s is unreachable: %s", chat_id, exc.message)
                await self.on_unreachable(str(chat_id))
            raise error from exc
        self.sent += 1
        return message
