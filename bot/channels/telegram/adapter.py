"""``POST /telegram``: check the secret, parse, dedupe by ``update_id``, feed the pipeline one
citizen at a time, send the replies, and answer Telegram only once all of that is committed."""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.telegram import render
from bot.channels.telegram.convert import CHANNEL, Converted, check_shape, convert
from bot.channels.telegram.request import AiohttpRequest
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.settings import TelegramSettings
from bot.pipeline import Alive, ClientGone, Pipeline, StepFailed, encode_replies
from dialogs import Reply, UserRef
from notifier.errors import PlatformError, RateLimited, RecipientUnreachable, TransientError
from storage import citizens, deadletters

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_INLINE_WAIT_S = 3.0  # a RetryAfter this short is waited out inside the request


@dataclass(slots=True)
class _Outcome:
    """How sending the replies of one update went."""

    tried: bool = False
    transient: bool = False


class Poison(ValueError):
    """The body is not an update we can read."""


def make_bot(settings: TelegramSettings, pool_size: int = 64) -> Bot:
    assert settings.token is not None
    request = AiohttpRequest(connection_pool_size=pool_size, pool_timeout=5.0)
    return Bot(settings.token.get_secret_value(), base_url=settings.api_base, request=request)


async def mark_unreachable(chat_id: str) -> None:
    await citizens.set_reachable(UserRef(CHANNEL, chat_id), False)


def _is_update_id(value: object) -> bool:
    return type(value) is int and 0 <= value < 2**63


class TelegramChannel:
    """Everything the Telegram channel holds: the sender (and its Bot), the pipeline it feeds."""

    def __init__(self, sender: TelegramSender, pipeline: Pipeline, wait_s: float = 2.0) -> None:
        self.bot = sender.bot
        self.sender = sender
        self.pipeline = pipeline
        self.wait_s = wait_s  # a redelivery waits this long for a first delivery still running

    def parse(self, body: bytes) -> Update:
        try:
            data: Any = orjson.loads(body)
            if not isinstance(data, dict) or not _is_update_id(data.get("update_id")):
                raise Poison("not an update object")
            check_shape(data)
            return Update.de_json(data, self.bot)
        except Poison:
            raise
        except Exception as exc:  # PTB raises TypeError, KeyError, ValueError… on odd shapes
            raise Poison(f"{type(exc).__name__}: {exc}") from exc

    async def handle(self, update: Update, alive: Alive | None = None) -> bool:
        """Process one update; False asks Telegram to deliver it again later."""
        try:
            change = convert(update)
        except Exception as exc:  # a shape we did not foresee: keep it aside, do not loop on it
            raise Poison(f"{type(exc).__name__}: {exc}") from exc
        if change.callback_id is not None:
            await self._answer_callback(change.callback_id)
        if change.user is None or change.chat_id is None:
            return True
        if change.reachable is not None:
            await citizens.set_reachable(change.user, change.reachable)
        key = str(update.update_id)
        if change.inbound is not None:
            return await self._feed(change, key, alive)
        if change.notes and await self.pipeline.backends.dedupe.once(CHANNEL, key):
            await self._send_all(change.chat_id, list(change.notes), _Outcome())
        return True

    async def _feed(self, change: Converted, key: str, alive: Alive | None) -> bool:
        """Dialog step and replies under the citizen's lock; a redelivery sends what is still owed.
        False (Telegram delivers it again later) when the step failed or another process is
        still on it."""
        assert change.inbound is not None and change.chat_id is not None
        chat_id, outcome = change.chat_id, _Outcome()

        async def deliver(replies: list[Reply]) -> list[Reply]:
            return await self._send_all(chat_id, replies, outcome)

        try:
            owed = await self.pipeline.feed_once(
                change.inbound, key, wait_s=self.wait_s, deliver=deliver, alive=alive
            )
        except (StepFailed, ClientGone) as exc:
            log.warning("telegram update %s not handled, Telegram will deliver it again: %s", key, exc)
            return False
        if owed is None:  # the first delivery is still running (another process)
            return False
        if not outcome.tried:  # Telegram redelivered: the first delivery could not send these
            owed = await self._send_all(chat_id, owed, outcome)
            await self.pipeline.backends.dedupe.remember(CHANNEL, key, encode_replies(owed))
        return not outcome.transient

    async def _send_all(self, chat_id: int, replies: list[Reply], outcome: _Outcome) -> list[Reply]:
        """Send one step's replies; return what is still owed after a transient failure."""
        outcome.tried = True
        pieces = render.messages(replies)
        for i, piece in enumerate(pieces):
            try:
                await self._send(chat_id, piece)
            except RecipientUnreachable:
                return []
            except TransientError as exc:
                log.warning("telegram reply to chat %s not sent yet: %s", chat_id, exc)
                outcome.transient = True
                rest = "".join(p["text"] for p in pieces[i:])
                return [Reply(rest, replies[-1].choices, replies[-1].hint)]
            except PlatformError:
                log.exception("telegram refused a reply to chat %s", chat_id)
                return []
        return []

    async def _send(self, chat_id: int, kwargs: dict[str, Any]) -> None:
        try:
            await self.sender.send_message(chat_id, kwargs)
        except RateLimited as exc:
            if exc.retry_after > MAX_INLINE_WAIT_S:
                raise
            await asyncio.sleep(exc.retry_after)
            await self.sender.send_message(chat_id, kwargs)

    async def _answer_callback(self, callback_id: str) -> None:
        """Always answer a callback query, or the citizen's client shows a spinner."""
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError as exc:
            log.warning("could not answer callback query %s: %s", callback_id, exc)


TELEGRAM = web.AppKey("telegram", TelegramChannel)
SECRET = web.AppKey("telegram_secret", str)


def secret_ok(request: web.Request, secret: str) -> bool:
    given = request.headers.get(SECRET_HEADER, "")
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode())


async def webhook(request: web.Request) -> web.Response:
    if not secret_ok(request, request.app[SECRET]):
        return web.Response(status=403, text="forbidden")
    channel = request.app[TELEGRAM]
    body = await request.read()  # over the app's body limit: aiohttp answers 413
    gate = channel.pipeline.gate
    if not gate.enter():  # full: Telegram delivers it again later
        gate.shed(CHANNEL)
        return web.Response(status=503, text="busy", headers={"Retry-After": "5"})
    try:
        handled = await channel.handle(channel.parse(body), alive=lambda: _connected(request))
    except Poison as exc:
        row = await deadletters.keep(CHANNEL, body, str(exc))
        log.warning("telegram payload kept aside as dead letter %s: %s", row, exc)
        return web.Response(status=200)
    except Exception:  # the database or Redis away before the step: Telegram delivers it again
        log.exception("telegram update not handled")
        return web.Response(status=503, text="try again later", headers={"Retry-After": "5"})
    finally:
        gate.leave()
    if handled:
        return web.Response(status=200)
    return web.Response(status=503, text="try again later", headers={"Retry-After": "2"})


def _connected(request: web.Request) -> bool:
    """The client still waits for the answer (a step for a client that has gone is not run)."""
    return request.transport is not None and not request.transport.is_closing()


def setup(app: web.Application, channel: TelegramChannel, secret: str) -> None:
    """Serve ``POST /telegram`` for ``channel``, checking the webhook's secret header."""
    app[TELEGRAM] = channel
    app[SECRET] = secret
    app.router.add_post("/telegram", webhook)
