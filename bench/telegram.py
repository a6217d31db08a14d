"""Telegram webhook throughput: python-telegram-bot's ConversationHandler vs minyi's pipeline.

(a) baseline: a PTB ``Application`` with a 3-state ``ConversationHandler``, fed webhook JSON
    (``Update.de_json`` + ``process_update``) behind the same Redis dedupe and per-chat Redis lock;
(b) minyi: ``TelegramChannel.parse`` + ``handle`` — Redis dedupe, Redis per-user lock, Redis
    conversation state, the dialog engine doing form steps, the reply rendered and sent.
Both send every reply through PTB's ``Bot`` to the same in-process stub of the Bot API, and both
are fed at the handler (no HTTP, so the figures compare the work, not aiohttp). 40 updates in
flight at once (Telegram's default ``max_connections``); one user's updates arrive in order.

Run: ``make bench`` (or ``python bench/telegram.py [--updates N] [--rounds R]``). Needs Redis at
$BENCH_REDIS_URL (default redis://127.0.0.1:6379/14); only ``minyi:*`` keys there are touched.
Not a test: it prints figures and the ratio b/a (target ≥ 1.0).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import orjson

# This file is called telegram.py: drop its own folder from the path so ``import telegram`` finds PTB.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_here)]
sys.path.insert(0, str(Path(_here).parent))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from redis.asyncio import Redis
from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData
from tortoise import Tortoise

from bot.channels.telegram.adapter import TelegramChannel, mark_unreachable
from bot.channels.telegram.sender import SendLimiter, TelegramSender, limiter_storage
from bot.services import build_pipeline
from storage.backends import build_backends
from storage.config import Settings
from storage.db import tortoise_config

TOKEN = "123456:BENCH"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
IN_FLIGHT = 40
STEPS_A = ["/start", "2", "公交站没有遮雨棚", "下雨天等车全身湿透"]
STEPS_B = ["1", "2", "公交站没有遮雨棚", "下雨天等车全身湿透"]


class StubRequest(BaseRequest):
    """The Bot API answered in process: getMe, sendMessage (echoing a Message), else ``true``."""

    def __init__(self) -> None:
        self.sent = 0
        self.ids = itertools.count(1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            result: Any = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif name == "sendMessage":
            self.sent += 1
            chat = int(params["chat_id"])  # type: ignore[arg-type]
            result = {
                "message_id": next(self.ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "U"},
                "from": {"id": 1, "is_bot": True, "first_name": "Bench"},
                "text": params.get("text", ""),
            }
        else:
            result = True
        return 200, orjson.dumps({"ok": True, "result": result})


def bodies(steps: list[str], users: int, first_update: int) -> list[bytes]:
    """Webhook JSON, round-robin over users so one user's updates never overlap in flight."""
    out: list[bytes] = []
    ids = itertools.count(first_update)
    now = int(time.time())
    for text in steps:
        for u in range(users):
            uid = 10_000_000 + u
            person = {"id": uid, "is_bot": False, "first_name": "U"}
            message: dict[str, Any] = {
                "message_id": next(ids),
                "date": now,
                "chat": {"id": uid, "type": "private", "first_name": "U"},
                "from": person,
                "text": text,
            }
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
            out.append(orjson.dumps({"update_id": next(ids), "message": message}))
    return out


async def drive(feed: Callable[[bytes], Awaitable[None]], payloads: list[bytes]) -> float:
    """Feed every payload with ``IN_FLIGHT`` at once, in order; updates per second."""
    queue = iter(payloads)

    async def worker() -> None:
        for body in queue:
            await feed(body)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return len(payloads) / (time.perf_counter() - began)


def ptb_application(stub: StubRequest) -> Application:  # type: ignore[type-arg]
    async def start(update: Update, _: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None
        await update.message.reply_text("（1/3）您的建议属于哪一类？")
        return 0

    def step(state: int) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[int]]:
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            assert update.message is not None and context.user_data is not None
            context.user_data[state] = update.message.text
            await update.message.reply_text(f"（{state + 2}/3）下一个问题")
            return state + 1 if state < 2 else ConversationHandler.END

        return answer

    text = filters.TEXT & ~filters.COMMAND
    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={s: [MessageHandler(text, step(s))] for s in range(3)},
        fallbacks=[],
    )
    app = Application.builder().token(TOKEN).request(stub).get_updates_request(StubRequest()).updater(None)
    built = app.build()
    built.add_handler(conversation)
    return built


async def run_ptb(payloads: list[bytes], settings: Settings) -> tuple[float, int]:
    stub = StubRequest()
    backends = build_backends(settings)
    app = ptb_application(stub)
    async with app:

        async def feed(body: bytes) -> None:
            update = Update.de_json(orjson.loads(body), app.bot)
            if not await backends.dedupe.claim("ptb", str(update.update_id)):
                return
            assert update.effective_chat is not None
            async with backends.locks.lock(f"ptb:{update.effective_chat.id}"):
                await app.process_update(update)

        rate = await drive(feed, payloads)
    await backends.close()
    return rate, stub.sent


async def run_minyi(payloads: list[bytes], settings: Settings, limited: bool) -> tuple[float, int]:
    stub = StubRequest()
    backends = build_backends(settings)
    pipeline = build_pipeline(settings, backends)
    bot_app = Application.builder().token(TOKEN).request(stub).get_updates_request(StubRequest()).build()
    bot = bot_app.bot
    limiter = None
    if limited:  # the shared Redis limiter, set far above the stub's needs (its cost, not its wait)
        limiter = SendLimiter(
            limiter_storage(backends.redis), overall="1000000/second", per_chat="1000/second"
        )
    channel = TelegramChannel(TelegramSender(bot, limiter, mark_unreachable), pipeline)
    async with bot:

        async def feed(body: bytes) -> None:
            assert await channel.handle(channel.parse(body))

        rate = await drive(feed, payloads)
    await backends.close()
    return rate, stub.sent


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


async def clean(redis: Redis) -> None:
    async for key in redis.scan_iter("minyi:*", count=1000):
        await redis.delete(key)


async def main(updates: int, rounds: int) -> None:
    if not reachable(REDIS_URL):
        print(f"Redis not reachable at {REDIS_URL}: skipped (set BENCH_REDIS_URL)")
        return
    settings = Settings(redis_url=REDIS_URL, database_url="sqlite://:memory:", _env_file=None)
    await Tortoise.init(config=tortoise_config("sqlite://:memory:"), _enable_global_fallback=True)
    await Tortoise.generate_schemas()
    redis = Redis.from_url(REDIS_URL)
    users = max(1, updates // 4)
    total = users * 4
    results: dict[str, list[float]] = {"a": [], "b": [], "b+limiter": []}
    base = int(time.time()) * 1000
    try:
        for r in range(rounds):
            for name, runner in [
                ("a", lambda p: run_ptb(p, settings)),
                ("b", lambda p: run_minyi(p, settings, limited=False)),
                ("b+limiter", lambda p: run_minyi(p, settings, limited=True)),
            ]:
                await clean(redis)
                payloads = bodies(STEPS_A if name == "a" else STEPS_B, users, base + r * 10 * total)
                rate, sent = await runner(payloads)
                assert sent == total, f"{name}: {sent} replies for {total} updates"
                results[name].append(rate)
                print(f"  round {r + 1} {name:>10}: {rate:8.0f} updates/s")
    finally:
        await clean(redis)
        await redis.aclose()
        await Tortoise.close_connections()
    a, b, bl = (statistics.median(results[k]) for k in ("a", "b", "b+limiter"))
    print(f"{total} updates, {users} users, {IN_FLIGHT} in flight, median of {rounds} rounds")
    print(f"(a) PTB ConversationHandler + Redis dedupe/lock : {a:8.0f} updates/s")
    print(f"(b) minyi /telegram pipeline, Redis state        : {b:8.0f} updates/s")
    print(f"(b) with the shared Redis send limiter           : {bl:8.0f} updates/s")
    print(f"ratio b/a = {b / a:.2f} (target >= 1.0); with limiter {bl / a:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.rounds))
