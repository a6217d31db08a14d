"""Offered-load curve of the Telegram webhook (``make bench``; not a test).

Open loop: Telegram updates arrive at 200, 500, 1,000 and 2,000 msg/s for ``--seconds`` each
(default 5), whatever the answers, from citizens in the middle of a suggestion form, against:
  (a) embedded: one ``minyi serve`` on SQLite, no Redis;
  (b) scaled: two ``minyi serve`` on PostgreSQL + a private Redis (AOF), updates taken in turn
      (only when PostgreSQL answers and ``redis-server`` is installed).
Per rate: the rate answered 200, how many were refused with 503 (the in-flight gate,
MINYI_MAX_IN_FLIGHT, default 64), how many had no answer ``GRACE_S`` after the last arrival,
p50/p99 latency of the 200s and of the 503s (from the scheduled arrival, so queueing in the
client counts), and each server's RSS before and after the step and its peak (``/proc``).
The generator keeps up to ``--connections`` requests in flight (default 256, raw HTTP/1.1
keep-alive; it shares the machine's cores with the servers) and, like Telegram, sends a chat's
next update only once the previous one was answered (each arrival comes from a citizen not
waiting). The replies go to a minimal Bot API in its own process that answers at once.
The send limits are raised (the 30/second default would measure the limiter, not the server).

Run: ``make bench`` or ``python bench/faults.py [--quick] [--seconds S] [--connections N]``.
Environment: BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres; the
database ``minyi_bench_faults`` there is dropped and created), BENCH_REDIS_SERVER (the
``redis-server`` binary, default from PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import _load
from bench._load import wait_port
from tests.answers import SUGGESTION

BIN = Path(sys.executable).parent
TOKEN = "123456:BENCH-faults"
SECRET = "bench-faults-secret"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "minyi_bench_faults"
RATES = (200, 500, 1000, 2000)
CITIZENS = 500
ANSWERS = SUGGESTION[:8]  # a test citizen's answers, up to before the consent step
GRACE_S = 3.0  # after the last arrival, what is still unanswered is given up (the client goes)
PAUSE_S = 1.0  # between steps, for the servers to settle


# ---------------------------------------------------------------- the Bot API, in its own process
def serve_bot_api(port: int) -> None:
    """Answers every Bot API call at once (``sendMessage`` with a message, the rest ``true``)."""
    import orjson
    from aiohttp import web

    ids = itertools.count(1)

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            result: object = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif method == "sendMessage":
            form = await request.post()
            chat = int(str(form.get("chat_id", "0")))
            result = {
                "message_id": next(ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "U"},
                "text": str(form.get("text", "")),
            }
        else:
            result = True
        return web.Response(
            body=orjson.dumps({"ok": True, "result": result}), content_type="application/json"
        )

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/{{method}}", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size in MB, from ``/proc/<pid>/status``."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


@dataclass
class Shape:
    """Running servers (their ports and processes) and what else was started for them."""

    name: str
    ports: list[int] = field(default_factory=list)
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        for proc in [*self.servers, *self.others]:
            proc.terminate()
        for proc in [*self.servers, *self.others]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def base_env(bot_api_port: int, tmp: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env.update(
        MINYI_TELEGRAM_TOKEN=TOKEN,
        MINYI_TELEGRAM_SECRET=SECRET,
        MINYI_TELEGRAM_API_BASE=f"http://127.0.0.1:{bot_api_port}/bot",
        MINYI_TELEGRAM_RATE_OVERALL="1000000/second",
        MINYI_TELEGRAM_RATE_PER_CHAT="1000/second",
        MINYI_QUIET_HOURS="",
        MINYI_LOG_LEVEL="ERROR",
        MINYI_MEDIA_DIR=f"{tmp}/media",
    )
    return env


async def start_servers(shape: Shape, env: dict[str, str], n: int, tmp: str) -> None:
    for _ in range(n):
        port = free_port()
        log = open(f"{tmp}/serve-{port}.log", "wb")  # noqa: SIM115 - kept open for the process's life
        proc = subprocess.Popen(
            [str(BIN / "minyi"), "serve"], env={**env, "MINYI_PORT": str(port)}, stdout=log, stderr=log
        )
        shape.ports.append(port)
        shape.servers.append(proc)
    await asyncio.gather(*(wait_port(p, s) for p, s in zip(shape.ports, shape.servers, strict=True)))


async def embedded(bot_api_port: int, tmp: str) -> Shape:
    shape = Shape("embedded: 1 × minyi serve, SQLite")
    env = {**base_env(bot_api_port, tmp), "MINYI_DATABASE_URL": f"sqlite://{tmp}/minyi.db"}
    env["MINYI_NOTIFIER_EMBEDDED"] = "true"
    await start_servers(shape, env, 1, tmp)
    return shape


async def scaled(bot_api_port: int, tmp: str) -> Shape | None:
    """Two servers on PostgreSQL and a private Redis with AOF; None when either is missing."""
    import asyncpg

    redis_server = os.environ.get("BENCH_REDIS_SERVER") or shutil.which("redis-server")
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"(b) skipped: PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
        return None
    if redis_server is None:
        await conn.close()
        print("(b) skipped: no redis-server binary (set BENCH_REDIS_SERVER)")
        return None
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {PG_DB}")
    finally:
        await conn.close()
    shape = Shape("scaled: 2 × minyi serve, PostgreSQL + Redis")
    redis_port = free_port()
    argv = [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp]
    redis = subprocess.Popen(
        [*argv, "--appendonly", "yes", "--appendfsync", "everysec"], stdout=subprocess.DEVNULL
    )
    shape.others.append(redis)
    await wait_port(redis_port, redis)
    pg_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
    env = {**base_env(bot_api_port, tmp), "MINYI_DATABASE_URL": pg_url}
    env["MINYI_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    migrated = subprocess.run([str(BIN / "minyi"), "migrate"], env=env, capture_output=True)
    if migrated.returncode != 0:
        shape.stop()
        raise RuntimeError(f"minyi migrate failed: {migrated.stderr.decode()}")
    await start_servers(shape, env, 2, tmp)
    return shape


# ---------------------------------------------------------------- the load
class Updates:
    """Webhook requests as raw HTTP/1.1, each citizen's answers in the form's order."""

    def __init__(self, run: int) -> None:
        self.update_ids = itertools.count(run * 10_000_000)
        self.next_answer = [0] * CITIZENS

    def request(self, port: int, citizen: int, text: str | None = None) -> bytes:

        if text is None:
            text = ANSWERS[self.next_answer[citizen] % len(ANSWERS)]
            self.next_answer[citizen] += 1
        uid, n = 900_000_000 + citizen, next(self.update_ids)
        secret = "X-Telegram-Bot-Api-Secret-Token"
        return _load.telegram_update(uid, n, text, f"127.0.0.1:{port}", secret, SECRET)


class Conn:
    """One keep-alive connection to one server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def roundtrip(self, raw: bytes) -> int:
        """The answer's status code (the connection is reopened when the server closed it)."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        try:
            self.writer.write(raw)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError):
            self.close()
            raise
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return int(head[9:12])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = None


@dataclass
class Step:
    """What one offered rate gave."""

    offered: int
    sent: int = 0
    elapsed_s: float = 0.0
    ok: list[float] = field(default_factory=list)  # latencies (ms) of the 200s
    shed: list[float] = field(default_factory=list)  # latencies (ms) of the 503s
    other: int = 0  # another status, a broken connection
    unanswered: int = 0  # still waiting GRACE_S after the last arrival
    rss: list[tuple[float, float, float]] = field(default_factory=list)  # per server: before, after, peak


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


@dataclass
class Load:
    """Where requests go: keep-alive connections per server, and the citizens not waiting for
    an answer (Telegram sends a chat's next update only once the previous one was answered)."""

    updates: Updates
    conns: dict[int, asyncio.Queue[Conn]]
    free: asyncio.Queue[int]
    ports: Iterator[int]

    async def one(self, due: float, step: Step) -> None:
        """One update from the next free citizen to the next server; its outcome into ``step``."""
        citizen, port = await self.free.get(), next(self.ports)
        conn = await self.conns[port].get()
        try:
            status = await conn.roundtrip(self.updates.request(port, citizen))
        except (OSError, asyncio.IncompleteReadError):
            step.other += 1
            return
        except asyncio.CancelledError:  # given up: this connection's answer is not read
            conn.close()
            raise
        finally:
            self.conns[port].put_nowait(conn)
            self.free.put_nowait(citizen)
        latency = (time.perf_counter() - due) * 1000
        if status == 200:
            step.ok.append(latency)
        elif status == 503:
            step.shed.append(latency)
        else:
            step.other += 1

    async def offer(self, step: Step, seconds: float) -> None:
        """Updates at ``step.offered`` per second for ``seconds``, whatever the answers (open
        loop); latency counts from the scheduled arrival, so waiting in the client counts."""
        started = time.perf_counter()
        tasks = []
        for i in range(int(step.offered * seconds)):
            due = started + i / step.offered
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(self.one(due, step)))
        step.sent = len(tasks)
        step.elapsed_s = time.perf_counter() - started
        _, pending = await asyncio.wait(tasks, timeout=GRACE_S)
        step.unanswered = len(pending)
        for task in pending:  # the client goes: its connection is dropped
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def warm_up(load: Load) -> None:
    """Every citizen opens a suggestion (``1``): they are mid-form from then on."""
    todo = iter(range(CITIZENS))

    async def worker() -> None:
        for citizen in todo:
            port = next(load.ports)
            conn = await load.conns[port].get()
            try:
                while await conn.roundtrip(load.updates.request(port, citizen, "1")) == 503:
                    await asyncio.sleep(0.05)
            finally:
                load.conns[port].put_nowait(conn)

    await asyncio.gather(*(worker() for _ in range(32)))


async def curve(shape: Shape, seconds: float, connections: int, run: int) -> list[Step]:
    per_server = max(1, connections // len(shape.ports))
    conns = {p: asyncio.Queue[Conn]() for p in shape.ports}
    for port in shape.ports:
        for _ in range(per_server):
            conns[port].put_nowait(Conn(port))
    free = asyncio.Queue[int]()
    for citizen in random.Random(run).sample(range(CITIZENS), CITIZENS):
        free.put_nowait(citizen)
    load = Load(Updates(run), conns, free, itertools.cycle(shape.ports))
    await warm_up(load)
    steps = []
    for rate in RATES:
        step = Step(rate)
        before = [rss_mb(s.pid) for s in shape.servers]
        await load.offer(step, seconds)
        await asyncio.sleep(PAUSE_S)
        after = [rss_mb(s.pid) for s in shape.servers]
        step.rss = [(b[0], a[0], a[1]) for b, a in zip(before, after, strict=True)]
        steps.append(step)
        print(row(step), flush=True)
    grown = [max(s.rss[i][1] for s in steps) - steps[0].rss[i][0] for i in range(len(shape.servers))]
    print(f"    RSS over the curve: {', '.join(f'{g:+.0f} MB' for g in grown)}")
    for queue in conns.values():
        while not queue.empty():
            queue.get_nowait().close()
    return steps


HEADER = (
    f"{'offered/s':>9} {'sent/s':>6} {'200/s':>7} {'503':>6} {'no ans':>6} {'other':>5}"
    f" {'p50 ms':>8} {'p99 ms':>8} {'503 p50':>8} {'503 p99':>8}  RSS MB before → after (peak)"
)


def row(step: Step) -> str:
    rss = ", ".join(f"{b:.0f} → {a:.0f} ({p:.0f})" for b, a, p in step.rss)
    return (
        f"{step.offered:>9} {step.sent / step.elapsed_s:>6.0f} {len(step.ok) / step.elapsed_s:>7.0f}"
        f" {len(step.shed):>6}"
        f" {step.unanswered:>6} {step.other:>5} {pct(step.ok, 50):>8.1f} {pct(step.ok, 99):>8.1f}"
        f" {pct(step.shed, 50):>8.1f} {pct(step.shed, 99):>8.1f}  {rss}"
    )


async def main(seconds: float, connections: int) -> None:
    tmp = tempfile.mkdtemp(prefix="minyi-bench-faults-")
    api_port = free_port()
    bot_api = subprocess.Popen([sys.executable, __file__, "--bot-api", str(api_port)])
    try:
        await wait_port(api_port, bot_api)
        for n, build in enumerate((embedded, scaled), start=1):
            shape = await build(api_port, tmp)
            if shape is None:
                continue
            try:
                gate = os.environ.get("MINYI_MAX_IN_FLIGHT", "64")
                print(f"({'ab'[n - 1]}) {shape.name}; {seconds:.0f} s per rate, {connections} connections,")
                print(f"    {CITIZENS} citizens mid-form, in-flight gate {gate} per server")
                print(HEADER)
                await curve(shape, seconds, connections, n)
            finally:
                shape.stop()
    finally:
        bot_api.terminate()
        bot_api.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # bench/telegram.py and bench/dialogs.py must not shadow the packages of those names
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) == 3 and sys.argv[1] == "--bot-api":
        serve_bot_api(int(sys.argv[2]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per offered rate")
    parser.add_argument("--connections", type=int, default=256, help="requests in flight at most")
    parser.add_argument("--quick", action="store_true", help="2 s per rate")
    args = parser.parse_args()
    asyncio.run(main(2.0 if args.quick else args.seconds, args.connections))
