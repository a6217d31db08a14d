"""Issue 10, item 6: over 10,000 bad requests per run at every endpoint of ``minyi serve`` (WeChat
in safe mode and in plaintext mode, Telegram, the web chat, the page, ``/healthz``, ``/metrics``,
unknown paths, malformed HTTP), from the seeded generators of ``tests/reliability/fuzz.py``.

What must hold: no 500, and no other 5xx but an overload 503 that says when to come back; no
traceback logged; nothing of /etc/passwd in any answer; no request slower than 2 s; and the
refused requests change no row of any table, except Telegram-authenticated poison kept in the
dead-letter table. ``MINYI_FUZZ_SEED`` replays another seed; ``pytest -s`` prints the figures.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import ClientError, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis
from tortoise import Tortoise

from bot.accesslog import SERVER_LOG, AccessLog, with_request_ids
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.wechat.adapter import CHANNEL
from bot.channels.wechat.settings import WeChatSettings
from bot.keys import PIPELINE
from storage.config import Settings
from tests.apps import make_config, service_app
from tests.bot.channels.telegram.fake_api import TOKEN as TG_TOKEN
from tests.bot.channels.telegram.fake_api import FakeBotApi
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import AES_KEY, APPID, OLD_AES_KEY, TOKEN
from tests.conftest import open_test_db
from tests.reliability.fuzz import TG_SECRET, WEB_LIMIT, App, Bad, generate
from tests.services import PG_URL, REDIS_URL, require

DEFAULT_SEED = 20240610
SEED = int(os.environ.get("MINYI_FUZZ_SEED", DEFAULT_SEED))
CONCURRENCY = 8
MAX_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Known:
    """A defect this fuzz finds on this base that another change owns: its problems (those of
    ``categories``, or of any when empty, that match ``pattern``) are reported, and fail only the
    strict xfail of their own test."""

    reason: str
    categories: tuple[str, ...] = ()
    pattern: str = ""
    backends: tuple[str, ...] = ("sqlite", "postgres")  # where the run shows it


# refused before their signature pair is remembered: they must leave no replay key either
UNSIGNED = {"wechat_forged_signature", "wechat_stale_timestamp", "wechat_plaintext_in_safe_mode"}

KNOWN: dict[str, Known] = {}


@dataclass(slots=True)
class Outcome:
    """What one request got: its status (None when the connection closed without one)."""

    bad: Bad
    status: int | None
    headers: dict[str, str]
    body: bytes
    seconds: float
    note: str = ""


@dataclass(repr=False)
class Phase:
    """One category's requests of one kind (may be answered, or refused), sent together, and what
    the database and the logs showed around them."""

    category: str
    refused: bool
    outcomes: list[Outcome] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # tables whose rows differ, and how
    seconds: float = 0.0

    def problems(self) -> list[str]:
        kind = "refused" if self.refused else "answered"
        found = [f"{kind}: row change: {c}" for c in self.changed]
        found += [f"{kind}: logged: {line}" for line in self.logged]
        return found + [f"{p}: {describe(o)}" for o in self.outcomes for p in outcome_problems(o)]


@dataclass(repr=False)
class Report:
    seed: int
    backend: str
    phases: list[Phase] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of this process (the machine may be busy with others)

    @property
    def outcomes(self) -> list[Outcome]:
        return [o for p in self.phases for o in p.outcomes]

    def problems(self) -> list[tuple[str, str]]:
        """(category, what) for everything that breaks the rules."""
        return [(p.category, problem) for p in self.phases for problem in p.problems()]

    def unknown_problems(self) -> list[str]:
        return [f"{c}: {p}" for c, p in self.problems() if not any(matches(k, c, p) for k in KNOWN.values())]

    def known_problems(self, name: str) -> list[str]:
        return [f"{c}: {p}" for c, p in self.problems() if matches(KNOWN[name], c, p)]

    def summary(self) -> str:
        categories = Counter(o.bad.category for o in self.outcomes)
        statuses = Counter(status_label(o) for o in self.outcomes)
        slowest = max(self.outcomes, key=lambda o: o.seconds)
        lines = [
            f"fuzz seed {self.seed} on {self.backend}: {len(self.outcomes)} requests in {self.seconds:.1f} s "
            f"({self.cpu_seconds:.1f} s CPU), "
            f"slowest {slowest.seconds * 1000:.0f} ms ({slowest.bad.category})",
            "status histogram: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
            "requests per category, and their statuses:",
        ]
        for category in sorted(categories):
            mine = Counter(status_label(o) for o in self.outcomes if o.bad.category == category)
            spread = ", ".join(f"{k}×{v}" for k, v in sorted(mine.items()))
            lines.append(f"  {category} {categories[category]}: {spread}")
        return "\n".join(lines)

    def explain(self, problems: list[str]) -> str:
        shown = "\n".join(p[:400] for p in problems[:30])
        more = f"\n… and {len(problems) - 30} more" if len(problems) > 30 else ""
        return f"{len(problems)} problem(s) (MINYI_FUZZ_SEED={self.seed}):\n{shown}{more}\n\n{self.summary()}"


def matches(known: Known, category: str, problem: str) -> bool:
    mine = not known.categories or category in known.categories
    return mine and re.search(known.pattern, problem) is not None


def status_label(o: Outcome) -> str:
    return str(o.status) if o.status is not None else f"closed({o.note})"


def describe(o: Outcome) -> str:
    target = repr(o.bad.raw[:60]) if o.bad.raw is not None else f"{o.bad.method} {o.bad.path[:60]}"
    return f"{target} ({o.bad.app}) → {status_label(o)} in {o.seconds * 1000:.0f} ms: {o.body[:120]!r}"


PASSWD_LINES = [
    line.encode() for line in Path("/etc/passwd").read_text().splitlines() if len(line) >= 10 and ":" in line
]


def outcome_problems(o: Outcome) -> list[str]:
    found = []
    if o.status is None and not may_close(o.bad):
        found.append("no answer")
    if o.status is not None and o.status >= 500 and not overload_answer(o):
        found.append(f"HTTP {o.status}")
    if o.seconds > MAX_SECONDS:
        found.append(f"took {o.seconds:.2f} s")
    if any(line in o.body for line in PASSWD_LINES):
        found.append("/etc/passwd echoed")
    return found


def may_close(bad: Bad) -> bool:
    """Malformed HTTP and bodies over a limit may be cut off before an answer."""
    return bad.raw is not None or (bad.body is not None and len(bad.body) > WEB_LIMIT)


def overload_answer(o: Outcome) -> bool:
    """The one 5xx allowed: 503 with Retry-After, or with replies a page can show."""
    if o.status != 503:
        return False
    if "Retry-After" in o.headers:
        return True
    try:
        doc = orjson.loads(o.body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(doc, dict) and "replies" in doc


# ---- sending ----


async def chunks(body: bytes, size: int = 16 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def payload(bad: Bad) -> Any:
    if bad.body is not None and bad.chunked:
        return chunks(bad.body)
    if bad.body is not None and len(bad.body) > 512 * 1024:
        return io.BytesIO(bad.body)  # aiohttp warns about large bytes bodies
    return bad.body


async def send(client: TestClient[Any, Any], bad: Bad) -> Outcome:
    loop = asyncio.get_running_loop()
    started = loop.time()
    if bad.raw is not None:
        status, headers, body, note = await send_raw(client, bad)
        return Outcome(bad, status, headers, body, loop.time() - started, note)
    try:
        resp = await client.request(
            bad.method, bad.path, params=bad.params, headers=bad.headers, data=payload(bad)
        )
        body = await resp.read()
        resp.release()
    except (ClientError, OSError) as exc:
        return Outcome(bad, None, {}, b"", loop.time() - started, type(exc).__name__)
    except Exception as exc:  # the client would not send it: the generator's fault, reported
        return Outcome(bad, None, {}, b"", loop.time() - started, f"client: {exc!r}"[:200])
    return Outcome(bad, resp.status, dict(resp.headers), body, loop.time() - started)


async def send_raw(client: TestClient[Any, Any], bad: Bad) -> tuple[int | None, dict[str, str], bytes, str]:
    """The bytes over a fresh connection; the answer read until it is whole or the server closes
    the connection, or until a client sending a cut-short body gives up."""
    assert bad.raw is not None
    reader, writer = await asyncio.open_connection(client.host, client.port)
    wait = bad.gives_up_s or MAX_SECONDS + 0.5
    try:
        writer.write(bad.raw)
        await writer.drain()
        answer = await asyncio.wait_for(read_answer(reader), wait)
    except TimeoutError:
        return None, {}, b"", "gave up" if bad.gives_up_s else "timeout"
    except OSError as exc:
        return None, {}, b"", type(exc).__name__
    finally:
        writer.close()
        with suppress(OSError):
            await writer.wait_closed()
    return parse_answer(answer)


async def read_answer(reader: asyncio.StreamReader) -> bytes:
    """One answer: up to the end of its Content-Length body (aiohttp may linger on the
    connection to drain a body it did not read), or all until the server closes."""
    answer = b""
    while chunk := await reader.read(64 * 1024):
        answer += chunk
        head, found, body = interim_dropped(answer).partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
        if found and length and len(body) >= int(length.group(1)):
            break
    return answer


def interim_dropped(answer: bytes) -> bytes:
    """The answer without a leading ``100 Continue``."""
    while re.match(rb"HTTP/1\.[01] 1\d\d ", answer) and b"\r\n\r\n" in answer:
        answer = answer.partition(b"\r\n\r\n")[2]
    return answer


def parse_answer(answer: bytes) -> tuple[int | None, dict[str, str], bytes, str]:
    head, _, body = interim_dropped(answer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return None, {}, answer, "no status line" if answer else "closed"
    headers = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip()] = value.strip()
    return int(parts[1]), headers, body, ""


async def send_all(clients: dict[App, TestClient[Any, Any]], bads: list[Bad]) -> list[Outcome]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(bad: Bad) -> Outcome:
        async with gate:
            return await send(clients[bad.app], bad)

    return list(await asyncio.gather(*(one(b) for b in bads)))


# ---- watching the database and the logs ----

Rows = dict[str, list[dict[str, Any]]]


async def tables() -> list[str]:
    """Every table, from the database's catalogue (tables added later are watched too)."""
    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "sqlite":
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(str(r["name"]) for r in rows if not str(r["name"]).startswith("sqlite_"))
    rows = await conn.execute_query_dict("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(str(r["tablename"]) for r in rows)


REDIS = "redis"  # the pseudo-table of Redis keys and their DUMPed values


async def snapshot(redis: Redis | None) -> Rows:
    """Every row of every table (a few thousand at most), and every Redis key of the test db."""
    conn = Tortoise.get_connection("default")
    rows = {t: await conn.execute_query_dict(f'SELECT * FROM "{t}"') for t in await tables()}
    if redis is not None:
        keys = sorted(await redis.keys("*"))
        async with redis.pipeline(transaction=False) as pipe:
            for k in keys:
                pipe.dump(k)
            values = await pipe.execute()
        rows[REDIS] = [{"key": k, "value": v} for k, v in zip(keys, values, strict=True) if v is not None]
    return rows


def row_key(row: dict[str, Any]) -> Any:
    return tuple(sorted(row.items()))


def row_changes(before: Rows, after: Rows, poison: set[str], signed: tuple[bytes, ...] = ()) -> list[str]:
    """How each table changed; new dead letters are fine when they hold the poison that was sent,
    and the keys with a prefix in ``signed`` when the requests were well signed."""
    changes = []
    for table in sorted(set(before) | set(after)):
        old = {row_key(r): r for r in before.get(table, [])}
        new = {row_key(r): r for r in after.get(table, [])}
        added = [new[k] for k in new.keys() - old.keys()]
        removed = len(old.keys() - new.keys()) if table != REDIS else 0  # Redis keys expire
        if table == REDIS:  # rate limits count every request, refused ones too: that is their job;
            # a signed WeChat pair is remembered (replays refused) whatever its body turns out to be
            added = [r for r in added if not r["key"].startswith((b"minyi:rl:", *signed))]
        if table == "dead_letter":
            added = [r for r in added if not (r["channel"] == "telegram" and r["payload"] in poison)]
        if added or removed:
            sample = repr(added[0])[:300] if added else ""
            changes.append(f"{table}: {len(added)} new or changed, {removed} changed or gone {sample}")
    return changes


def kept_aside(bads: list[Bad]) -> set[str]:
    """What Telegram-authenticated poison may leave in the dead-letter table (``deadletters.keep``)."""
    return {
        b.body[: 64 * 1024].decode("utf-8", "replace").replace("\x00", "\ufffd")  # PostgreSQL has no NUL
        for b in bads
        if b.writes == "dead_letter" and b.body is not None
    }


class Tracebacks(logging.Handler):
    """Records at ERROR or with an exception attached, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.ERROR and not record.exc_info:
            return
        error = record.exc_info[1] if record.exc_info else None
        kind = "HTTP parser: " if isinstance(error, HttpProcessingError) else ""
        shown = f"{type(error).__name__}: {str(error)[:150]}" if error is not None else ""
        self.lines.append(f"{record.name} {record.levelname}: {record.getMessage()[:150]} [{kind}{shown}]")


# ---- the two processes ----


class StrictBotApi(FakeBotApi):
    """The fake Bot API, answering 400 as Telegram does to a chat id that is not an integer."""

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            return await super()._handle(request)
        except ValueError:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return web.json_response(body, status=400)


def configs(kind: str, tmp: Path, wechat_api: str, telegram_api: str) -> dict[App, Any]:
    """WeChat in safe mode with Telegram and the web chat; WeChat in plaintext mode alone."""
    core = Settings(
        _env_file=None,
        database_url="sqlite://:memory:" if kind == "sqlite" else PG_URL,
        redis_url=None if kind == "sqlite" else REDIS_URL,
        media_dir=tmp / "media",
        quiet_hours="",
        # one client sends everything: limits that let the bad bodies reach the parser
        # (the rate limits themselves are tested in tests/bot/channels/test_web_limits.py)
        web_rate_session="100000/minute",
        web_rate_address="100000/minute",
        web_rate_polls="100000/minute",
        web_rate_address_polls="100000/minute",
    )
    wechat: dict[str, Any] = {
        "token": TOKEN,
        "appid": APPID,
        "secret": "s3cret",
        "api_base": wechat_api,
        "api_timeout_s": 1.0,
    }
    safe = WeChatSettings(_env_file=None, aes_key=AES_KEY, aes_key_previous=OLD_AES_KEY, **wechat)  # type: ignore[call-arg]
    telegram = TelegramSettings(
        _env_file=None,  # type: ignore[call-arg]
        token=TG_TOKEN,
        secret=TG_SECRET,
        api_base=telegram_api,
        rate_overall="100000/second",
        rate_per_chat="100000/second",
    )
    return {
        "safe": make_config(core, safe, telegram),
        "plain": make_config(core, WeChatSettings(_env_file=None, **wechat)),  # type: ignore[call-arg]
    }


@asynccontextmanager
async def serving(kind: str, tmp: Path) -> AsyncIterator[dict[App, TestClient[Any, Any]]]:
    """Both processes on one database, with fake WeChat and Telegram APIs behind them."""
    async with AsyncExitStack() as stack:
        bases = []
        for fake in (FakeWeChatAPI().app(), StrictBotApi().app()):
            server = TestServer(fake, host="127.0.0.1")
            await server.start_server()
            stack.push_async_callback(server.close)
            bases.append(str(server.make_url("")).rstrip("/"))
        clients: dict[App, TestClient[Any, Any]] = {}
        for name, config in configs(kind, tmp, bases[0], bases[1] + "/bot").items():
            app, _ = await stack.enter_async_context(service_app(config))
            # served as ``minyi serve`` serves it: its access log, request ids, server logger
            server_app = TestServer(with_request_ids(app), host="127.0.0.1")
            await server_app.start_server(access_log_class=AccessLog, logger=SERVER_LOG)
            client: TestClient[Any, Any] = TestClient(server_app)
            await client.start_server()
            stack.push_async_callback(client.close)
            clients[name] = client
        yield clients


async def drained(clients: dict[App, TestClient[Any, Any]]) -> None:
    """WeChat's work after the reply (late steps, customer-service sends) finished, and what the
    processes write in batches (last seen, the window; at most a second late) written."""
    for client in clients.values():
        app: web.Application | None = client.server.app
        if app is not None and CHANNEL in app:
            await app[CHANNEL].drain()
            await app[CHANNEL].window.flush()
        if app is not None and PIPELINE in app:
            await app[PIPELINE].flush()


@dataclass(repr=False)
class Session:
    """The running processes, the log watch, and the database as the last refused phase left it."""

    clients: dict[App, TestClient[Any, Any]]
    logs: Tracebacks
    redis: Redis | None = None
    rows: Rows | None = None

    async def phase(self, category: str, refused: bool, bads: list[Bad]) -> Phase:
        phase = Phase(category, refused)
        if refused and self.rows is None:
            self.rows = await snapshot(self.redis)
        self.logs.lines = []
        started = asyncio.get_running_loop().time()
        phase.outcomes = await send_all(self.clients, bads)
        await drained(self.clients)
        phase.seconds = asyncio.get_running_loop().time() - started
        phase.logged = self.logs.lines
        if refused:
            assert self.rows is not None
            after = await snapshot(self.redis)
            signed = () if category in UNSIGNED else (b"minyi:wx:replay:",)
            phase.changed = row_changes(self.rows, after, kept_aside(bads), signed)
            self.rows = after
        return phase


async def fuzz(kind: str, seed: int, scale: float, tmp: Path) -> Report:
    """A whole run: each category's requests that may be answered first (originals before their
    replays), then each category's refused ones, the database compared around them."""
    bads = generate(seed, scale)
    report = Report(seed, kind)
    logs = Tracebacks()
    logging.getLogger().addHandler(logs)
    await open_test_db(kind)
    redis = Redis.from_url(REDIS_URL) if kind != "sqlite" else None
    if redis is not None:
        await redis.flushdb()
    started, cpu = asyncio.get_running_loop().time(), time.process_time()
    try:
        async with serving(kind, tmp) as clients:
            session = Session(clients, logs, redis)
            for refused in (False, True):
                for category in sorted({b.category for b in bads}):
                    mine = [b for b in bads if b.category == category and (b.writes != "maybe") == refused]
                    if mine:
                        report.phases.append(await session.phase(category, refused, mine))
    finally:
        report.seconds = asyncio.get_running_loop().time() - started
        report.cpu_seconds = time.process_time() - cpu
        logging.getLogger().removeHandler(logs)
        await Tortoise.close_connections()
        if redis is not None:
            await redis.flushdb()
            await redis.aclose()
    return report


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """One whole run on SQLite, shared by the tests below (the figures are printed once)."""
    report = asyncio.run(fuzz("sqlite", SEED, 1.0, tmp_path_factory.mktemp("fuzz")))
    print("\n" + report.summary())
    return report


@pytest.fixture(scope="module")
def postgres_run(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A fifth of a run (another seed) on PostgreSQL and Redis, as the scaled shape runs."""
    require(PG_URL, "PostgreSQL")
    require(REDIS_URL, "Redis")
    report = asyncio.run(fuzz("postgres", SEED + 1, 0.2, tmp_path_factory.mktemp("fuzz-pg")))
    print("\n" + report.summary())
    return report


def test_ten_thousand_bad_requests_no_500_no_traceback_no_row(sqlite_run: Report) -> None:
    assert len(sqlite_run.outcomes) >= 10_000, sqlite_run.summary()
    problems = sqlite_run.unknown_problems()
    assert not problems, sqlite_run.explain(problems)


def test_the_run_reaches_every_endpoint_and_every_refusal(sqlite_run: Report) -> None:
    """Each endpoint in both WeChat modes, and each way of saying no, happens in a run."""
    sent = {(o.bad.app, o.bad.method, o.bad.path) for o in sqlite_run.outcomes if o.bad.raw is None}
    for path in ("/", "/healthz", "/metrics", "/telegram", "/api/web/messages", "/api/web/notices"):
        assert any(p == path for _, _, p in sent), path
    for app in ("safe", "plain"):
        for method in ("GET", "POST"):
            assert (app, method, "/wechat") in sent
    statuses = Counter(o.status for o in sqlite_run.outcomes)
    for refused in (400, 403, 404, 405, 413):
        assert statuses[refused] > 0, (refused, sqlite_run.summary())


@pytest.mark.postgres
@pytest.mark.redis
def test_bad_requests_on_postgres_and_redis(postgres_run: Report) -> None:
    """The same rules where Redis holds the drafts, dedupe marks and windows (its keys compared too)."""
    assert len(postgres_run.outcomes) >= 2_000, postgres_run.summary()
    problems = postgres_run.unknown_problems()
    assert not problems, postgres_run.explain(problems)


def known_cases() -> list[Any]:
    cases = []
    for name, known in sorted(KNOWN.items()):
        for backend in known.backends:
            marks = [pytest.mark.postgres, pytest.mark.redis] if backend == "postgres" else []
            cases.append(pytest.param(name, backend, id=f"{name}-{backend}", marks=marks))
    return cases


@pytest.mark.parametrize(("name", "backend"), known_cases())
def test_known_defect(name: str, backend: str, request: pytest.FixtureRequest) -> None:
    """Fails until the change that owns it is merged; then its ``KNOWN`` entry must go (strict for
    the default seed: another seed may not happen to hit a rare defect)."""
    report: Report = request.getfixturevalue(f"{backend}_run")
    request.applymarker(pytest.mark.xfail(reason=KNOWN[name].reason, strict=SEED == DEFAULT_SEED))
    problems = report.known_problems(name)
    assert not problems, report.explain(problems)
