"""Telegram webhook benchmark (``make bench``; not a test).

Every server is behind HTTP on loopback and fed by the same raw-HTTP/1.1 load generator
(``bench/_load.py``) with the same webhook updates; every server sends its replies with
``sendMessage`` to one fake Bot API (its own process, answering at once), never the internet:
  (a) python-telegram-bot: a ``ConversationHandler`` with the 9 questions (state in process
      memory: PTB has no Redis persistence), behind a small aiohttp handler that claims the
      ``update_id`` in Redis (``SET NX``), takes a per-chat Redis lock (redis-py's ``Lock``) and
      awaits ``application.process_update`` — the custom-webhook way;
  (b) aiogram 3: ``Dispatcher`` + ``RedisStorage`` FSM with the same 9 states behind its own
      aiohttp webhook handler (``SimpleRequestHandler``, answering once the update is handled),
      without and with a cross-process per-user lock (``RedisStorage.create_isolation()``);
  (c) minyi's ``/telegram``, started exactly as ``minyi serve`` (Redis state, dedupe, lock), with
      the shared Redis send limiter (as deployed; limits raised far above the load, so its cost
      is measured, not its waiting) and without it (the bench drops it from the sender).
Citizens are mid-form: the 9 answers, then "返回" 9 times, and again; one user's next update
goes only once the previous one was answered (as Telegram does). After each phase the fake Bot
API's last message to each user must be the question that user's last update leads to.
Each server is one process pinned to one CPU with ``taskset``; the generator and the fake Bot
API keep the other. Per round and server: updates/s in a closed loop (40 connections, Telegram's
default ``max_connections``), then p50/p99 at a fixed offered rate; three rounds, medians.

Run: ``make bench`` or ``python bench/telegram.py [--quick] [--rounds R]``.
Environment: BENCH_REDIS_URL (default redis://127.0.0.1:6379/14; only this run's keys are
touched and deleted), BENCH_DATABASE_URL (minyi's; default a fresh SQLite file), BENCH_RATE
(offered updates/s, default 1000), BENCH_SECONDS (default 6), BENCH_CLOSED_SECONDS (default 4).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# This file is called telegram.py: drop its own folder from the path so ``import telegram`` finds PTB.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import orjson

from bench import _load
from bench._load import BACK, FIELDS, START, BadAnswer, Job, Round, Server

TOKEN = "123456:BENCH-telegram"
SECRET = "bench-telegram-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CITIZENS = 400
IN_FLIGHT = 40  # Telegram's default max_connections for a webhook


# ---------------------------------------------------------------- the fake Bot API
def serve_bot_api(port: int) -> None:
    """Answers every Bot API call at once; remembers how many messages were sent and the last
    text sent to each chat (``GET /stats?from=&to=``)."""
    from aiohttp import web

    ids = itertools.count(1)
    last: dict[int, str] = {}
    sent = 0

    async def method(request: web.Request) -> web.Response:
        nonlocal sent
        name = request.match_info["method"]
        if name == "getMe":
            result: object = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif name == "sendMessage":
            form = await request.post()
            if not form and request.content_type == "application/json":
                form = await request.json()
            chat, text = int(str(form["chat_id"])), str(form.get("text", ""))
            sent += 1
            last[chat] = text
            result = {
                "message_id": next(ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "U"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Bench"},
                "text": text,
            }
        else:
            result = True
        return web.Response(
            body=orjson.dumps({"ok": True, "result": result}), content_type="application/json"
        )

    async def stats(request: web.Request) -> web.Response:
        lo, hi = int(request.query["from"]), int(request.query["to"])
        chats = {str(c): t for c, t in last.items() if lo <= c < hi}
        return web.Response(body=orjson.dumps({"sent": sent, "last": chats}), content_type="application/json")

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/{{method}}", method)
    app.router.add_get("/stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- (a) python-telegram-bot
def serve_ptb(port: int) -> None:
    from aiohttp import web
    from redis.asyncio import Redis
    from telegram import Update
    from telegram.ext import Application, ContextTypes, ConversationHandler, MessageHandler, filters

    redis = Redis.from_url(os.environ["BENCH_REDIS_URL"])
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{os.environ['BENCH_BOT_API']}/bot")
        .connection_pool_size(64)
        .pool_timeout(5.0)
        .updater(None)
        .build()
    )
    Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[int]]

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None
        await update.message.reply_text(_load.question(0))
        return 0

    def back(state: int) -> Handler:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            assert update.message is not None
            step = max(0, state - 1)
            await update.message.reply_text(_load.question(step))
            return step

        return handler

    def answer(state: int) -> Handler:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            assert update.message is not None and context.user_data is not None
            step = state
            if state < _load.N:
                context.user_data[FIELDS[state][0]] = update.message.text
                step += 1
            text = _load.question(step) if step < _load.N else _load.summary(context.user_data)
            await update.message.reply_text(text)
            return step

        return handler

    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        ConversationHandler(
            entry_points=[MessageHandler(filters.Text([START]), start)],
            states={
                s: [MessageHandler(filters.Text([BACK]), back(s)), MessageHandler(text, answer(s))]
                for s in range(_load.N + 1)
            },
            fallbacks=[],
        )
    )

    async def webhook(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != SECRET:
            return web.Response(status=403)
        data = orjson.loads(await request.read())
        if not await redis.set(f"ptb:bench:update:{data['update_id']}", b"1", nx=True, ex=3600):
            return web.Response()  # a redelivery: handled once already
        update = Update.de_json(data, application.bot)
        assert update.effective_chat is not None
        async with redis.lock(f"ptb:bench:lock:{update.effective_chat.id}", timeout=30, sleep=0.005):
            await application.process_update(update)
        return web.Response()

    async def started(_: web.Application) -> None:
        await application.initialize()
        await application.start()

    async def stopped(_: web.Application) -> None:
        await application.stop()
        await application.shutdown()

    app = web.Application()
    app.router.add_post("/telegram", webhook)
    app.on_startup.append(started)
    app.on_cleanup.append(stopped)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- (b) aiogram 3
def serve_aiogram(port: int, isolated: bool) -> None:
    from aiogram import Bot, Dispatcher, F, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.filters import StateFilter
    from aiogram.fsm.context import FSMContext
    from aiogram.fsm.state import State, StatesGroup
    from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    class Form(StatesGroup):
        q1 = State()
        q2 = State()
        q3 = State()
        q4 = State()
        q5 = State()
        q6 = State()
        q7 = State()
        q8 = State()
        q9 = State()
        confirm = State()

    states = [Form.q1, Form.q2, Form.q3, Form.q4, Form.q5, Form.q6, Form.q7, Form.q8, Form.q9, Form.confirm]
    router = Router()

    @router.message(StateFilter(None), F.text == START)
    async def start(message: Message, state: FSMContext) -> None:
        await state.set_state(states[0])
        await message.answer(_load.question(0))

    def back(i: int) -> Callable[[Message, FSMContext], Awaitable[None]]:
        async def handler(message: Message, state: FSMContext) -> None:
            step = max(0, i - 1)
            await state.set_state(states[step])
            await message.answer(_load.question(step))

        return handler

    def answer(i: int) -> Callable[[Message, FSMContext], Awaitable[None]]:
        async def handler(message: Message, state: FSMContext) -> None:
            if i < _load.N:
                data = await state.update_data({FIELDS[i][0]: message.text})
                await state.set_state(states[i + 1])
            else:
                data = await state.get_data()
            step = min(i + 1, _load.N)
            await message.answer(_load.question(step) if step < _load.N else _load.summary(data))

        return handler

    for i, st in enumerate(states):
        router.message(st, F.text == BACK)(back(i))
        router.message(st, F.text)(answer(i))

    storage = RedisStorage.from_url(
        os.environ["BENCH_REDIS_URL"], key_builder=DefaultKeyBuilder(prefix="aiogram-bench")
    )
    if isolated:
        dispatcher = Dispatcher(storage=storage, events_isolation=storage.create_isolation())
    else:
        dispatcher = Dispatcher(storage=storage)
    dispatcher.include_router(router)
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BENCH_BOT_API"]))
    bot = Bot(TOKEN, session=session)
    app = web.Application()
    # handle_in_background=False: answer Telegram once the update is handled (as (a) and (c) do)
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token=SECRET).register(
        app, path="/telegram"
    )
    setup_application(app, dispatcher, bot=bot)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- (c) minyi
def serve_minyi(port: int, limiter: bool) -> None:
    """Exactly ``minyi serve --host 127.0.0.1 --port PORT``; without ``limiter`` the Telegram
    sender is built without the shared send limiter (there is no setting for that)."""
    from bot import services
    from bot.cli import main

    if not limiter:
        if not hasattr(services, "_telegram"):
            raise RuntimeError("bench: bot.services._telegram is gone: update serve_minyi")
        build = services._telegram

        def without_limiter(*args: Any, **kwargs: Any) -> Any:
            parts = build(*args, **kwargs)
            if not hasattr(parts.sender, "limiter"):
                raise RuntimeError("bench: the Telegram sender has no .limiter to drop any more")
            parts.sender.limiter = None
            return parts

        services._telegram = without_limiter
    sys.argv = ["minyi", "serve", "--host", "127.0.0.1", "--port", str(port)]
    main()


SERVE: dict[str, Callable[[int], None]] = {
    "botapi": serve_bot_api,
    "ptb": serve_ptb,
    "aiogram": lambda port: serve_aiogram(port, isolated=False),
    "aiogram-lock": lambda port: serve_aiogram(port, isolated=True),
    "minyi": lambda port: serve_minyi(port, limiter=False),
    "minyi-limiter": lambda port: serve_minyi(port, limiter=True),
}


# ---------------------------------------------------------------- updates, as Telegram sends them
class Updates:
    """Webhook requests as raw HTTP/1.1; user ids and update ids carry this run's number."""

    def __init__(self, run: int) -> None:
        self.run = run
        self.update_ids = itertools.count(run * 10**9)
        self.phases = itertools.count()

    def user(self, phase: int, citizen: int) -> int:
        return (self.run * 1000 + phase) * 10_000 + citizen

    def request(self, uid: int, text: str) -> bytes:
        return _load.telegram_update(uid, next(self.update_ids), text, "127.0.0.1", SECRET_HEADER, SECRET)


class Phase:
    """Fresh users on one server: each opens the form ("1"), then ``n`` form steps in all."""

    def __init__(self, updates: Updates, n: int, minyi: bool = False) -> None:
        self.id = next(updates.phases)
        self.users = [updates.user(self.id, c) for c in range(CITIZENS)]
        self.opening = Job([[updates.request(u, START)] for u in self.users], _ok, sample=1)
        each = -(-n // CITIZENS)
        texts = [_load.CYCLE[k % len(_load.CYCLE)] for k in range(each)]
        self.steps = Job([[updates.request(u, t) for t in texts] for u in self.users], _ok)
        self.plan = _load.minyi_plan(each) if minyi else None  # minyi asks its own form's questions

    async def verify(self, api_port: int, job: Job, last: Callable[[int], object]) -> int:
        """The last message each user got must be the question their last update leads to."""
        stats = await asyncio.to_thread(_stats, api_port, self.users[0], self.users[-1] + 1)
        checked = 0
        for c, uid in enumerate(self.users):
            want = last(c)
            if want is None:
                continue
            got = stats["last"].get(str(uid), "")
            if (_load.minyi_asked(got) if self.plan else _load.asked(got)) != want:
                raise BadAnswer(f"user {uid}: last message {got!r}, not question {want} (0: summary)")
            checked += 1
        return checked


def _ok(c: int, k: int, status: int, body: bytes) -> None:
    """A webhook's answer carries nothing to check (the replies went to the Bot API)."""


def _stats(port: int, lo: int, hi: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats?from={lo}&to={hi}", timeout=10) as r:
        stats: dict[str, Any] = orjson.loads(r.read())
    return stats


def answered_last(phase: Phase, job: Job, opening: bool = False) -> Callable[[int], object]:
    """For user ``c``: the question their last update leads to (None: not known)."""

    def last(c: int) -> object:
        k = job.last(c)
        if k is None:
            return None
        if phase.plan is not None:
            return phase.plan[0] if opening else phase.plan[k + 1]
        return 1 if opening else _load.expected(k)

    return last


# ---------------------------------------------------------------- measuring
async def run_job(server: Server, job: Job) -> None:
    conns = await _load.connect(server.ports, IN_FLIGHT)
    try:
        await _load.closed_loop(conns, job)
    finally:
        for c in conns:
            c.close()


async def opened(server: Server, api: Server, phase: Phase) -> int:
    """Every user of ``phase`` opens the form; how many got question 1 (all, or BadAnswer)."""
    await run_job(server, phase.opening)
    return await phase.verify(api.port, phase.opening, answered_last(phase, phase.opening, opening=True))


async def warm_up(server: Server, api: Server, updates: Updates) -> None:
    """One unmeasured second in a closed loop (connection pools, caches, lazy imports)."""
    phase = Phase(updates, 2000, "minyi" in server.name)
    await opened(server, api, phase)
    conns = await _load.connect(server.ports, IN_FLIGHT)
    try:
        await _load.closed_loop(conns, phase.steps, 1.0)
    finally:
        for c in conns:
            c.close()
    await phase.verify(api.port, phase.steps, answered_last(phase, phase.steps))


async def measure(server: Server, api: Server, updates: Updates, args: argparse.Namespace) -> Round:
    """One round on ``server``: a closed loop, then the offered rate, each with fresh users."""
    minyi = "minyi" in server.name
    closed = Phase(updates, int(args.closed_seconds * 5000), minyi)
    offered = Phase(updates, int(args.rate * args.seconds), minyi)
    checked = await opened(server, api, closed)
    conns = await _load.connect(server.ports, IN_FLIGHT)
    meter = _load.Meter(server, api)
    rate = await _load.closed_loop(conns, closed.steps, args.closed_seconds)
    (cpu_closed, cpu_api), generator, machine = meter.read()
    for c in conns:
        c.close()
    checked += await closed.verify(api.port, closed.steps, answered_last(closed, closed.steps))
    checked += await opened(server, api, offered)
    conns = await _load.connect(server.ports, IN_FLIGHT)
    meter = _load.Meter(server)
    latencies, served = await _load.open_loop(conns, offered.steps, args.rate)
    (cpu_open,), _, _ = meter.read()
    for c in conns:
        c.close()
    checked += await offered.verify(api.port, offered.steps, answered_last(offered, offered.steps))
    p50, p99 = _load.pct(latencies, 50), _load.pct(latencies, 99)
    return Round(rate, cpu_closed, p50, p99, served, cpu_open, checked, generator + cpu_api, machine)


async def launch(name: str, kind: str, env: dict[str, str], cpu: int | None, logs: str) -> Server:
    port = _load.free_port()
    log = open(f"{logs}/{kind}-{port}.log", "wb")  # noqa: SIM115 - kept open for the process's life
    argv = _load.pinned([sys.executable, __file__, "--serve", kind, str(port)], cpu)
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
    server = Server(name, [port], [proc])
    try:
        await _load.wait_port(port, proc)
    except Exception:
        server.stop()
        print(Path(f"{logs}/{kind}-{port}.log").read_text()[-3000:], file=sys.stderr)
        raise
    return server


async def cleanup_redis(url: str, run: int) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    keys = []
    for prefix in ("minyi", "ptb:bench", "aiogram-bench", "LIMITER"):
        keys += [k async for k in redis.scan_iter(match=f"{prefix}*{run}*", count=1000)]
    for i in range(0, len(keys), 1000):
        await redis.delete(*keys[i : i + 1000])
    await redis.aclose()


async def main(args: argparse.Namespace) -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
    if not _load.reachable(redis_url):
        print(f"telegram bench skipped: Redis not reachable at {redis_url} (set BENCH_REDIS_URL)")
        return
    run = random.randrange(10_000, 99_999)
    tmp = tempfile.mkdtemp(prefix="minyi-bench-telegram-")
    gen_cpu, server_cpu = _load.cpus()
    _load.pin_self(gen_cpu)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env["BENCH_REDIS_URL"] = redis_url
    api = await launch("fake Bot API", "botapi", env, gen_cpu, tmp)
    env.update(
        BENCH_BOT_API=f"http://127.0.0.1:{api.port}",
        MINYI_DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite://{tmp}/bench.db",
        MINYI_REDIS_URL=redis_url,
        MINYI_REDIS_VOLATILE_OK="true",  # a throughput bench: drafts need not outlive the bench Redis
        MINYI_TELEGRAM_TOKEN=TOKEN,
        MINYI_TELEGRAM_SECRET=SECRET,
        MINYI_TELEGRAM_API_BASE=f"http://127.0.0.1:{api.port}/bot",
        MINYI_TELEGRAM_RATE_OVERALL="1000000/second",  # the limiter's cost, never its waiting
        MINYI_TELEGRAM_RATE_PER_CHAT="1000/second",
        MINYI_MEDIA_DIR=f"{tmp}/media",
        MINYI_LOG_LEVEL="WARNING",
    )
    import aiogram
    import telegram

    peers = [
        ("ptb", f"(a) PTB {telegram.__version__} ConversationHandler"),
        ("aiogram", f"(b) aiogram {aiogram.__version__} RedisStorage FSM"),
        ("aiogram-lock", "(b') aiogram, + per-user Redis lock"),
        ("minyi", "(c) minyi /telegram, no limiter"),
        ("minyi-limiter", "(c') minyi /telegram + send limiter"),
    ]
    servers: list[Server] = []
    updates = Updates(run)
    try:
        for kind, name in peers:
            servers.append(await launch(name, kind, env, server_cpu, tmp))
        print("telegram webhook, the same updates to each server over HTTP, replies to a fake Bot API")
        where = ", ".join(f"{s.name.split()[0]} {s.where()}" for s in servers)
        print(f"  one process each, pinned with taskset: {where}")
        print(f"  generator and fake Bot API on {api.where()} ('gen' below counts both)")
        print(
            f"  {CITIZENS} users mid-form per phase (9 answers, then 返回 ×9), {IN_FLIGHT} connections;"
            f" closed loop {args.closed_seconds:.0f} s, then {args.rate:.0f} updates/s"
            f" for {args.seconds:.0f} s;"
            f" {args.rounds} round(s); Redis {redis_url}; minyi database {env['MINYI_DATABASE_URL']}"
        )
        print(f"  {_load.LEGEND}")
        for server in servers:
            await warm_up(server, api, updates)
        results: list[list[Round]] = [[] for _ in servers]
        for r in range(args.rounds):
            for server, mine in zip(servers, results, strict=True):
                got = await measure(server, api, updates, args)
                mine.append(got)
                print(_load.row(f"round {r + 1} {server.name}", got, "upd"), flush=True)
        a, b, bl, c, cl = (_load.median_round(m) for m in results)
        print(f"medians of {args.rounds} round(s):")
        for server, got in zip(servers, (a, b, bl, c, cl), strict=True):
            print(_load.row(server.name, got, "upd"))
        checked = sum(r.checked for r in (a, b, bl, c, cl))
        print(f"  users whose last message was checked to be the right question: {checked}")
        print(_load.ratio("c/a  (minyi / PTB)                 ", c.rate, a.rate, 1.0, "upd"))
        print(_load.ratio("c/b  (minyi / aiogram)             ", c.rate, b.rate, 1.5, "upd"))
        print(_load.ratio("c/b' (minyi / aiogram + lock)      ", c.rate, bl.rate, 1.5, "upd"))
        print(_load.ratio("c'/a (minyi with limiter / PTB)    ", cl.rate, a.rate, 0.9, "upd"))
        print(
            f"  p99 at {args.rate:.0f} updates/s: PTB {a.p99:.2f} ms, aiogram {b.p99:.2f} / {bl.p99:.2f} ms,"
            f" minyi {c.p99:.2f} ms, with limiter {cl.p99:.2f} ms"
        )
    finally:
        for server in [*servers, api]:
            server.stop()
        await cleanup_redis(redis_url, run)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    return _load.bench_args(__doc__.splitlines()[0])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        SERVE[sys.argv[2]](int(sys.argv[3]))
    else:
        _load.run(main(parse_args()))
