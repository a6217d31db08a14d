"""WeChat intake benchmark (``make bench``; not a test).

One run, on loopback, same load generator, same safe-mode (AES) text message:
  (a) a bare aiohttp + wechatpy echo bot: decrypt, parse, reply, encrypt — nothing else;
  (b) minyi's ``/wechat`` with Redis state, dedupe, per-user lock and window, citizens mid-form.
Each server runs in its own process; the generator pre-builds every request (unique MsgId,
so dedupe never short-circuits) and speaks raw HTTP/1.1 keep-alive, to stay cheap.
Prints msgs/s (closed loop), p50/p99 at a fixed rate (open loop, default 1,000 msg/s) and b/a.

Environment: BENCH_DATABASE_URL (default a fresh SQLite file),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/14; only this
run's keys are touched and deleted), BENCH_SECONDS (open-loop seconds per server, default 6),
BENCH_REQUESTS (closed-loop requests built per server, default 12000), BENCH_CLOSED_SECONDS
(closed-loop time budget, default 4), BENCH_RATE (default 1000), BENCH_PROFILE (a file: write a
pyinstrument profile of (b) there; needs ``pip install pyinstrument``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass

AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
TOKEN, APPID, ACCOUNT = "benchToken", "wx49f0ab532d5d035a", "gh_10f6c3c3ac5a"
TEXT = "公交站没有遮雨棚，下雨天等车很不方便"
CITIZENS = 400
CONCURRENCY = 32


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
        xml = TextReply(content=f"收到：{msg.content}", message=msg).render()
        return web.Response(text=crypto.encrypt_message(xml, q["nonce"], q["timestamp"]))

    app = web.Application(client_max_size=64 * 1024)
    app.router.add_post("/wechat", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- (b) minyi
def serve_minyi(port: int) -> None:
    import logging

    from bot.cli import _serve
    from bot.root import load_config

    logging.basicConfig(level=logging.WARNING)
    profile = os.environ.get("BENCH_PROFILE")  # a path: write a pyinstrument report of (b) there
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled")
        profiler.start()
    asyncio.run(_serve(load_config(), "127.0.0.1", port))  # exactly `minyi serve`, until SIGTERM
    if profiler is not None and profile:
        profiler.stop()
        with open(profile, "w") as fh:
            fh.write(profiler.output_text(unicode=True, show_all=False))


# ---------------------------------------------------------------- the load generator
class Pusher:
    """Builds signed, encrypted pushes exactly as WeChat does (wechatpy), as raw HTTP requests."""

    def __init__(self, port: int, run: str) -> None:
        from wechatpy.crypto import WeChatCrypto

        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
        self.port = port
        self.run = run
        self.msg_id = 7_000_000_000_000_000_000

    def openid(self, n: int) -> str:
        return f"o{self.run}{n:05d}".ljust(28, "x")[:28]

    def request(self, citizen: int, text: str = TEXT) -> bytes:
        import xmltodict

        self.msg_id += 1
        ts, nonce, openid = str(int(time.time())), str(self.msg_id % 10**9), self.openid(citizen)
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{self.msg_id}</MsgId></xml>"
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
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def roundtrip(self, raw: bytes) -> bytes:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length)
        if status != b"200" or body == b"success" or not body.startswith(b"<xml>"):
            raise RuntimeError(f"unexpected answer {status!r} {body[:120]!r}")
        return body


async def connect(port: int, n: int) -> list[Conn]:
    return [Conn(*await asyncio.open_connection("127.0.0.1", port)) for _ in range(n)]


@dataclass
class Result:
    rate: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    achieved: float = 0.0


async def closed_loop(conns: list[Conn], requests: list[bytes], budget_s: float = 1e9) -> float:
    """msgs/s with every connection busy all the time (stops after ``budget_s``)."""
    it = iter(requests)
    started = time.perf_counter()
    done = 0

    async def worker(conn: Conn) -> None:
        nonlocal done
        for raw in it:
            await conn.roundtrip(raw)
            done += 1
            if time.perf_counter() - started > budget_s:
                return

    await asyncio.gather(*(worker(c) for c in conns))
    return done / (time.perf_counter() - started)


async def open_loop(
    conns: list[Conn], requests: list[bytes], rate: float, grace_s: float = 3.0
) -> tuple[list[float], float]:
    """Latencies (ms, from the scheduled send time: queueing counts) at a fixed arrival rate.

    A server that cannot keep up is not waited for forever: ``grace_s`` after the last arrival,
    what is still queued or in flight is stopped and counted at its age so far (a lower bound)."""
    free: asyncio.Queue[Conn] = asyncio.Queue()
    for c in conns:
        free.put_nowait(c)
    latencies: list[float] = []
    started = time.perf_counter()
    done = 0

    async def one(raw: bytes, due: float) -> None:
        nonlocal done
        conn = await free.get()
        try:
            await conn.roundtrip(raw)
        finally:
            free.put_nowait(conn)
        latencies.append((time.perf_counter() - due) * 1000)
        done += 1

    tasks, dues = [], []
    for i, raw in enumerate(requests):
        due = started + i / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(raw, due)))
        dues.append(due)
    _, pending = await asyncio.wait(tasks, timeout=grace_s)
    now = time.perf_counter()
    for task, due in zip(tasks, dues, strict=True):
        if task in pending:
            task.cancel()
            latencies.append((now - due) * 1000)
    await asyncio.gather(*pending, return_exceptions=True)
    return latencies, done / (now - started)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(kind: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--serve", kind, str(port)], env=env)


async def wait_ready(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


async def measure(
    name: str, port: int, pusher: Pusher, n_closed: int, closed_s: float, rate: float, seconds: float
) -> Result:
    citizens = [i % CITIZENS for i in range(n_closed + int(rate * seconds))]
    built = [pusher.request(c) for c in citizens]
    conns = await connect(port, CONCURRENCY)
    await closed_loop(conns, built[:300])  # warm up connections and caches
    msgs_s = await closed_loop(conns, built[300:n_closed], closed_s)
    for c in conns:
        c.writer.close()
    conns = await connect(port, CONCURRENCY)
    latencies, served = await open_loop(conns, built[n_closed:], rate)
    q = statistics.quantiles(latencies, n=100)
    for c in conns:
        c.writer.close()
    print(
        f"  {name}: {msgs_s:6.0f} msgs/s (closed loop, {CONCURRENCY} conns) | offered {rate:.0f} msg/s,"
        f" served {served:5.0f}: p50 {q[49]:7.2f} ms  p99 {q[98]:7.2f} ms"
    )
    return Result(msgs_s, q[49], q[98], served)


async def warm_up_minyi(port: int, pusher: Pusher) -> None:
    """Every citizen starts a suggestion and picks a category: they are mid-form from then on."""
    conns = await connect(port, CONCURRENCY)
    for text in ("1", "2"):
        await closed_loop(conns, [pusher.request(c, text) for c in range(CITIZENS)])
    for c in conns:
        c.writer.close()


async def cleanup_redis(url: str, run: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    keys = [k async for k in redis.scan_iter(match=f"minyi:*o{run}*")]
    keys += [k async for k in redis.scan_iter(match="minyi:wx:token:*bench*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def main() -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
    seconds = float(os.environ.get("BENCH_SECONDS", "6"))
    n_closed = int(os.environ.get("BENCH_REQUESTS", "12000"))
    closed_s = float(os.environ.get("BENCH_CLOSED_SECONDS", "4"))
    rate = float(os.environ.get("BENCH_RATE", "1000"))
    run = uuid.uuid4().hex[:6]
    tmp = tempfile.mkdtemp(prefix="minyi-bench-")
    env = dict(os.environ)
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite://{tmp}/bench.db"
    if not database.startswith("sqlite"):  # PostgreSQL: minyi serve does not migrate it by itself
        from storage.db import migrate

        await migrate(database)
    env.update(
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
    port_a, port_b = free_port(), free_port()
    servers = [start("echo", port_a, env), start("minyi", port_b, env)]
    try:
        await asyncio.gather(wait_ready(port_a), wait_ready(port_b))
        pa, pb = Pusher(port_a, run), Pusher(port_b, run)
        await warm_up_minyi(port_b, pb)
        print(f"wechat intake, safe mode, {CITIZENS} citizens, {CONCURRENCY} connections, Redis {redis_url}")
        a = await measure("(a) aiohttp+wechatpy echo", port_a, pa, n_closed, closed_s, rate, seconds)
        b = await measure("(b) minyi /wechat        ", port_b, pb, n_closed, closed_s, rate, seconds)
        ok_ratio, ok_p99 = b.rate / a.rate >= 0.7, b.p99 <= 20
        print(f"  ratio b/a: {b.rate / a.rate:.2f} (target >= 0.70: {'met' if ok_ratio else 'NOT met'})")
        verdict = "met" if ok_p99 else "NOT met"
        print(f"  minyi p99 at {rate:.0f} msg/s: {b.p99:.2f} ms (target <= 20 ms: {verdict})")
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            proc.wait(timeout=10)
        await cleanup_redis(redis_url, run)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        here = os.path.dirname(os.path.abspath(__file__))
        # bench/telegram.py and bench/dialogs.py must not shadow the packages of those names
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        sys.path.insert(0, os.path.dirname(here))
        {"echo": serve_echo, "minyi": serve_minyi}[sys.argv[2]](int(sys.argv[3]))
    else:
        asyncio.run(main())
