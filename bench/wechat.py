"""WeChat intake benchmark (``make bench``; not a test).

One run, on loopback, one load generator, the same safe-mode (AES) pushes to every server:
  (a) a bare aiohttp + wechatpy echo bot: decrypt, parse, reply, encrypt — nothing else;
  (b) WeRoBot (its ``RedisStorage`` sessions) running the same 9-question form in safe mode
      (``encoding_aes_key`` and ``app_id`` set), served as its docs say for production:
      ``robot.run(server="waitress")`` (``server="auto"``, the default, picks Waitress first);
  (c) minyi's ``/wechat``, started exactly as ``minyi serve``, Redis state, dedupe, lock, window.
Citizens are mid-form: each sends the 9 answers of the suggestion form, then "返回" 9 times, and
again (``bench/_load.py``); every MsgId is new, so dedupe never short-circuits. Sampled replies
are decrypted after each phase and must be the question that message leads to.
Each server is one process pinned to one CPU with ``taskset``; the generator keeps the other
(Redis and PostgreSQL are the machine's services, unpinned). Per round and server: msgs/s in a
closed loop, then p50/p99 at a fixed offered rate; three rounds, medians, every ratio.

``--scale-out``: the same bench against one, then two ``minyi serve`` on PostgreSQL + Redis, each
pinned to its own CPU (the generator, unpinned, shares them), the load split over both ports.

Run: ``make bench`` or ``python bench/wechat.py [--quick] [--rounds R] [--scale-out]``.
Environment: BENCH_REDIS_URL (default redis://127.0.0.1:6379/14; only this run's keys are
touched and deleted), BENCH_DATABASE_URL (minyi's database; default a fresh SQLite file),
BENCH_SCALE_DATABASE_URL (``--scale-out``; default postgres://postgres@127.0.0.1:5432/bench11,
migrated first), BENCH_RATE (offered msg/s, default 1000), BENCH_SECONDS (seconds at that rate,
default 6), BENCH_CLOSED_SECONDS (closed-loop budget, default 4), BENCH_PROFILE (a file: write a
pyinstrument profile of minyi there; needs ``pip install pyinstrument``).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/telegram.py and bench/dialogs.py must not shadow the packages of those names
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench import _load
from bench._load import BadAnswer, Job, Round, Server

AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
TOKEN, APPID, ACCOUNT = "benchToken", "wx49f0ab532d5d035a", "gh_10f6c3c3ac5a"
CITIZENS = 400
CONCURRENCY = 32
ECHO = "收到："
SERVICES = ("postgres", "redis-server")  # the machine's services: their CPUs are printed too


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


# ---------------------------------------------------------------- (a) the baseline echo bot
def serve_echo(port: int) -> None:
    from aiohttp import web
    from wechatpy import parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.replies import TextReply

    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        plain = crypto.decrypt_message(await request.read(), q["msg_signature"], q["timestamp"], q["nonce"])
        msg = parse_message(plain)
        xml = TextReply(content=f"{ECHO}{msg.content}", message=msg).render()
        return web.Response(text=crypto.encrypt_message(xml, q["nonce"], q["timestamp"]))

    app = web.Application(client_max_size=64 * 1024)
    app.router.add_post("/wechat", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- (b) WeRoBot
def serve_werobot(port: int) -> None:
    import redis
    import werobot
    from werobot.session.redisstorage import RedisStorage

    sessions = RedisStorage(redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]), prefix="werobot:bench:")
    robot = werobot.WeRoBot(token=TOKEN, encoding_aes_key=AES_KEY, app_id=APPID, session_storage=sessions)

    @robot.text
    def form(message: Any, session: dict[str, object]) -> str:
        return _load.form_step(session, message.content)

    robot.run(server="waitress", host="127.0.0.1", port=port)  # Waitress's default: 4 threads


# ---------------------------------------------------------------- (c) minyi
def serve_minyi(port: int) -> None:
    """Exactly ``minyi serve --host 127.0.0.1 --port PORT`` (optionally under pyinstrument)."""
    from bot.cli import main

    sys.argv = ["minyi", "serve", "--host", "127.0.0.1", "--port", str(port)]
    profile = os.environ.get("BENCH_PROFILE")
    if not profile:
        main()
        return
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled")
    profiler.start()
    try:
        main()
    finally:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=True, show_all=False))


SERVE: dict[str, Callable[[int], None]] = {"echo": serve_echo, "werobot": serve_werobot, "minyi": serve_minyi}


# ---------------------------------------------------------------- pushes, built as WeChat does
class Pusher:
    """Signed, encrypted pushes exactly as WeChat sends them (wechatpy), as raw HTTP requests."""

    def __init__(self, run: str) -> None:
        from wechatpy.crypto import WeChatCrypto

        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
        self.run = run
        self.msg_ids = itertools.count(random.randrange(10**18, 9 * 10**18))  # unique MsgIds

    def openid(self, phase: int, n: int) -> str:
        return f"o{self.run}p{phase:03d}c{n:05d}".ljust(28, "x")[:28]

    def request(self, phase: int, citizen: int, text: str) -> bytes:
        import xmltodict

        msg_id = next(self.msg_ids)
        ts, nonce, openid = str(int(time.time())), str(msg_id % 10**12), self.openid(phase, citizen)
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        env = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{env['Encrypt']}]]></Encrypt></xml>"
        ).encode()
        path = (
            f"/wechat?signature={sign(TOKEN, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid={openid}"
            f"&encrypt_type=aes&msg_signature={env['MsgSignature']}"
        )
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    def reply_text(self, body: bytes) -> str:
        """The text of an encrypted passive reply (BadAnswer when it is not one)."""
        import xmltodict
        from wechatpy import parse_message

        if not body.startswith(b"<xml>"):
            raise BadAnswer(f"not a passive reply: {body[:160]!r}")
        root = xmltodict.parse(body)["xml"]
        plain = self.crypto.decrypt_message(body, root["MsgSignature"], root["TimeStamp"], root["Nonce"])
        return str(parse_message(plain).content)


class Phase:
    """Fresh citizens on one server: each opens the form ("1"), then ``n`` form steps in all."""

    phases = itertools.count()

    def __init__(self, pusher: Pusher, kind: str, n: int) -> None:
        self.pusher, self.kind, self.id = pusher, kind, next(self.phases)
        each = -(-n // CITIZENS)
        if kind == "minyi":  # its own form's questions, as its engine asks them
            plan = _load.minyi_plan(each)
            texts = [_load.CYCLE[k % len(_load.CYCLE)] for k in range(each)]
            opening = (_load.START, plan[0])
            steps: list[tuple[str, object]] = list(zip(texts, plan[1:], strict=True))
        else:
            opening = (_load.START, 1)
            steps = [(_load.CYCLE[k % len(_load.CYCLE)], _load.expected(k)) for k in range(each)]
        self.opening = self._job([[opening] for _ in range(CITIZENS)], sample=1)
        self.steps = self._job([steps[:each]] * CITIZENS, sample=8)

    def _job(self, plan: list[list[tuple[str, object]]], sample: int) -> Job:
        requests = [
            [self.pusher.request(self.id, c, text) for text, _ in mine] for c, mine in enumerate(plan)
        ]

        def check(c: int, k: int, status: int, body: bytes) -> None:
            text, question = plan[c][k]
            got = self.pusher.reply_text(body)
            asked = _load.minyi_asked if self.kind == "minyi" else _load.asked
            ok = got == ECHO + text if self.kind == "echo" else asked(got) == question
            if not ok:
                want = f"{ECHO}{text}" if self.kind == "echo" else f"question {question} (0: summary)"
                raise BadAnswer(f"{self.kind}: {text!r} was answered {got[:80]!r}, not {want}")

        return Job(requests, check, sample)


# ---------------------------------------------------------------- measuring
async def opened(server: Server, phase: Phase) -> None:
    conns = await _load.connect(server.ports, CONCURRENCY)
    try:
        await _load.closed_loop(conns, phase.opening)
    finally:
        for c in conns:
            c.close()
    phase.opening.verify()


async def warm_up(server: Server, pusher: Pusher, kind: str) -> None:
    """One unmeasured second in a closed loop (connection pools, caches, lazy imports)."""
    phase = Phase(pusher, kind, 2000)
    await opened(server, phase)
    conns = await _load.connect(server.ports, CONCURRENCY)
    try:
        await _load.closed_loop(conns, phase.steps, 1.0)
    finally:
        for c in conns:
            c.close()
    phase.steps.verify()


async def measure(
    server: Server, pusher: Pusher, kind: str, args: argparse.Namespace, services: dict[str, list[float]]
) -> Round:
    """One round on ``server``: a closed loop, then the offered rate, each with fresh citizens;
    ``services`` gets the CPUs PostgreSQL and Redis used in the closed loop."""
    closed = Phase(pusher, kind, int(args.closed_seconds * 5000))
    offered = Phase(pusher, kind, int(args.rate * args.seconds))
    await opened(server, closed)
    conns = await _load.connect(server.ports, CONCURRENCY)
    meter = _load.Meter(server)
    before = {name: _load.service_cpu(name) for name in SERVICES}
    rate = await _load.closed_loop(conns, closed.steps, args.closed_seconds)
    (cpu_closed,), generator, machine = meter.read()
    wall = time.perf_counter() - meter.t0
    for name in SERVICES:
        services.setdefault(name, []).append((_load.service_cpu(name) - before[name]) / wall)
    for c in conns:
        c.close()
    await opened(server, offered)
    conns = await _load.connect(server.ports, CONCURRENCY)
    meter = _load.Meter(server)
    latencies, served = await _load.open_loop(conns, offered.steps, args.rate)
    (cpu_open,), _, _ = meter.read()
    for c in conns:
        c.close()
    checked = closed.steps.verify() + offered.steps.verify()
    p50, p99 = _load.pct(latencies, 50), _load.pct(latencies, 99)
    return Round(rate, cpu_closed, p50, p99, served, cpu_open, checked, generator, machine)


def start(kind: str, env: dict[str, str], cpu: int | None, logs: str) -> tuple[int, subprocess.Popen[bytes]]:
    port = _load.free_port()
    log = open(f"{logs}/{kind}-{port}.log", "wb")  # noqa: SIM115 - kept open for the process's life
    argv = _load.pinned([sys.executable, __file__, "--serve", kind, str(port)], cpu)
    return port, subprocess.Popen(argv, env=env, stdout=log, stderr=log)


async def launch(name: str, kind: str, env: dict[str, str], cpus: list[int | None], logs: str) -> Server:
    started = [start(kind, env, cpu, logs) for cpu in cpus]
    server = Server(name, [p for p, _ in started], [proc for _, proc in started])
    try:
        await asyncio.gather(*(_load.wait_port(p, proc) for p, proc in started))
    except Exception:
        server.stop()
        for port in server.ports:
            print(Path(f"{logs}/{kind}-{port}.log").read_text()[-3000:], file=sys.stderr)
        raise
    return server


def minyi_env(database: str, redis_url: str, tmp: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env.update(
        BENCH_REDIS_URL=redis_url,
        MINYI_DATABASE_URL=database,
        MINYI_REDIS_URL=redis_url,
        MINYI_REDIS_VOLATILE_OK="true",  # a throughput bench: drafts need not outlive the bench Redis
        MINYI_WECHAT_TOKEN=TOKEN,
        MINYI_WECHAT_AES_KEY=AES_KEY,
        MINYI_WECHAT_APPID=APPID,
        MINYI_WECHAT_SECRET="bench-secret",  # the API is never reached: every reply fits passively
        MINYI_WECHAT_API_BASE="http://127.0.0.1:9",
        MINYI_MEDIA_DIR=f"{tmp}/media",
        MINYI_LOG_LEVEL="WARNING",
    )
    return env


async def cleanup_redis(url: str, run: str) -> None:
    """This run's keys (minyi's replay-guard pairs are not named by citizen: they expire)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    keys = [k async for k in redis.scan_iter(match=f"minyi:*o{run}*", count=1000)]
    keys += [k async for k in redis.scan_iter(match=f"werobot:bench:*o{run}*", count=1000)]
    keys += [k async for k in redis.scan_iter(match=f"minyi:wx:token:{APPID}*")]
    for i in range(0, len(keys), 1000):
        await redis.delete(*keys[i : i + 1000])
    await redis.aclose()


async def rounds(servers: list[tuple[str, Server]], pusher: Pusher, args: argparse.Namespace) -> list[Round]:
    """``args.rounds`` rounds over every server in turn; the median round of each (and a line on
    the CPUs PostgreSQL and Redis used in each server's closed loops)."""
    for kind, server in servers:
        await warm_up(server, pusher, kind)
    results: list[list[Round]] = [[] for _ in servers]
    services: list[dict[str, list[float]]] = [{} for _ in servers]
    for r in range(args.rounds):
        for (kind, server), mine, used in zip(servers, results, services, strict=True):
            got = await measure(server, pusher, kind, args, used)
            mine.append(got)
            print(_load.row(f"round {r + 1} {server.name}", got, "msgs"), flush=True)
    for (_, server), used in zip(servers, services, strict=True):
        cpus = ", ".join(f"{name} {statistics.median(v):.2f}" for name, v in used.items())
        print(f"  CPUs of the machine's services in {server.name}'s closed loops (all their users): {cpus}")
    return [_load.median_round(m) for m in results]


def header(args: argparse.Namespace, redis_url: str) -> None:
    print(
        f"  {CITIZENS} citizens mid-form per phase (9 answers, then 返回 ×9), {CONCURRENCY} connections;"
        f" closed loop {args.closed_seconds:.0f} s, then {args.rate:.0f} msg/s for {args.seconds:.0f} s;"
        f" {args.rounds} round(s); Redis {redis_url}"
    )
    print(f"  {_load.LEGEND}")
    print(f"  {'':<42} {'closed loop':>16} | {'at the fixed rate':>44}")


async def main(args: argparse.Namespace) -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
    if not _load.reachable(redis_url):
        print(f"wechat bench skipped: Redis not reachable at {redis_url} (set BENCH_REDIS_URL)")
        return
    run = uuid.uuid4().hex[:6]
    tmp = tempfile.mkdtemp(prefix="minyi-bench-wechat-")
    gen_cpu, server_cpu = _load.cpus()
    _load.pin_self(gen_cpu)
    pusher = Pusher(run)
    if args.scale_out:
        try:
            await scale_out(args, redis_url, tmp, pusher, gen_cpu, server_cpu)
        finally:
            await cleanup_redis(redis_url, run)
            shutil.rmtree(tmp, ignore_errors=True)
        return
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite://{tmp}/bench.db"
    env = minyi_env(database, redis_url, tmp)
    if not database.startswith("sqlite"):  # minyi serve migrates only SQLite by itself
        migrate(env)
    import werobot

    names = [
        ("echo", "(a) aiohttp + wechatpy echo bot"),
        ("werobot", f"(b) WeRoBot {werobot.__version__} + RedisStorage"),
        ("minyi", "(c) minyi /wechat (minyi serve)"),
    ]
    servers: list[tuple[str, Server]] = []
    try:
        for kind, name in names:
            servers.append((kind, await launch(name, kind, env, [server_cpu], tmp)))
        print("wechat intake, safe mode (AES), the same pushes to each server")
        where = ", ".join(f"{s.name.split()[0]} {s.where()}" for _, s in servers)
        print(f"  one process each, pinned with taskset: {where}; generator on CPU {gen_cpu}")
        print("  (b) served by robot.run(server='waitress'), Waitress's default 4 threads, one process")
        print(f"  minyi database {database}")
        header(args, redis_url)
        a, b, c = await rounds(servers, pusher, args)
        print(f"medians of {args.rounds} round(s):")
        for (_, server), got in zip(servers, (a, b, c), strict=True):
            print(_load.row(server.name, got, "msgs"))
        checked = a.checked + b.checked + c.checked
        print(f"  replies decrypted and checked to be the right question: {checked}")
        print(_load.ratio("c/a (minyi / echo bot)", c.rate, a.rate, 0.7, "msgs"))
        print(_load.ratio("c/b (minyi / WeRoBot) ", c.rate, b.rate, 1.5, "msgs"))
        print(
            f"  p99 at {args.rate:.0f} msg/s: minyi {c.p99:.2f} ms (target <= 20 ms:"
            f" {'met' if c.p99 <= 20 else 'NOT met'}); echo {a.p99:.2f} ms; WeRoBot {b.p99:.2f} ms"
        )
    finally:
        for _, server in servers:
            server.stop()
        await cleanup_redis(redis_url, run)
        shutil.rmtree(tmp, ignore_errors=True)


async def create_database(url: str) -> None:
    """The database of ``url``, created when missing (its tables are minyi's: ``minyi migrate``)."""
    import asyncpg

    base, name = url.rsplit("/", 1)
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def migrate(env: dict[str, str]) -> None:
    """``minyi migrate`` (``minyi serve`` migrates only SQLite by itself)."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "minyi"), "migrate"], env=env, capture_output=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"minyi migrate failed: {done.stderr.decode()[-2000:]}")


async def scale_out(
    args: argparse.Namespace, redis_url: str, tmp: str, pusher: Pusher, gen_cpu: int | None, server_cpu: int
) -> None:
    database = os.environ.get("BENCH_SCALE_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/bench11"
    if not _load.reachable(database):
        print(f"wechat scale-out skipped: PostgreSQL not reachable at {database} (BENCH_SCALE_DATABASE_URL)")
        return
    await create_database(database)
    env = minyi_env(database, redis_url, tmp)
    migrate(env)
    print(f"wechat intake, scale-out: minyi serve on PostgreSQL ({database}) + Redis ({redis_url})")
    one = await launch("1 x minyi serve", "minyi", env, [server_cpu], tmp)
    try:
        print(f"  one process: {one.where()}, generator on CPU {gen_cpu}")
        header(args, redis_url)
        (single,) = await rounds([("minyi", one)], pusher, args)
    finally:
        one.stop()
    cpus = sorted({gen_cpu if gen_cpu is not None else server_cpu, server_cpu})
    two = await launch("2 x minyi serve", "minyi", env, [cpus[0], cpus[-1]], tmp)
    os.sched_setaffinity(0, set(cpus))  # the generator shares the servers' CPUs now
    try:
        print(
            f"  two processes: {two.where()}, one port each, connections split over both;"
            f" generator unpinned, sharing CPU {','.join(map(str, cpus))} with them"
        )
        (double,) = await rounds([("minyi", two)], pusher, args)
    finally:
        two.stop()
    print(f"medians of {args.rounds} round(s):")
    print(_load.row(one.name, single, "msgs"))
    print(_load.row(two.name, double, "msgs"))
    print(
        f"  2 processes / 1: {double.rate:.0f} / {single.rate:.0f} msgs/s = {double.rate / single.rate:.2f}x;"
        f" p99 at {args.rate:.0f} msg/s {double.p99:.2f} ms vs {single.p99:.2f} ms"
    )


def parse_args() -> argparse.Namespace:
    return _load.bench_args(__doc__.splitlines()[0], ("--scale-out", "one vs two minyi serve on PostgreSQL"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        SERVE[sys.argv[2]](int(sys.argv[3]))
    else:
        _load.run(main(parse_args()))
