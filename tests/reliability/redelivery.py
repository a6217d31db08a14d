"""Harness of the redelivery test: the scaled shape as README tells an operator (two ``minyi
serve`` and two ``minyi notifier`` on PostgreSQL and a private Redis with AOF, ``appendfsync
everysec``), a Telegram that delivers every update several times and redelivers each failed
delivery to the other server, ``kill -9`` of a server and of a relay, and what the citizens saw.

The platform (``Telegram``) keeps Telegram's rules: one chat's updates in order (the next one only
after the previous one was accepted), at most ``IN_FLIGHT`` requests at once (``max_connections``),
a delivery that failed (connection error, timeout, any answer but 200) delivered again to the
other server after a short pause, until one is accepted. The duplicates of an update go out at
random moments within ``SPREAD_S`` of its first delivery, to servers taken in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import re
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import orjson
import pytest
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisDown

from tests.acceptance.citizens import SECRET_HEADER, TELEGRAM_SECRET
from tests.acceptance.platforms import Platforms, Pushed
from tests.acceptance.processes import Process, clean_env, run, script, tail
from tests.acceptance.shapes import PG_ADMIN_URL, PG_DATABASE, RELAY_STARTED, common_env, free_port
from tests.bot.channels.telegram import updates
from tests.bot.channels.telegram.fake_api import FakeBotApi, _params

PG_DB = f"{PG_DATABASE}_redelivery"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
IN_FLIGHT = 40  # Telegram's default webhook max_connections
TIMEOUT_S = 20.0  # a delivery not answered within this has failed
PAUSE_S = (0.2, 0.5)  # before a failed delivery goes to the other server
SPREAD_S = 1.5  # the duplicates of an update go out within this after its first delivery
TICKET = re.compile(r"\b(?:JY|TS)-\d{8}-\d{4}\b")


@dataclass
class HoldingBotApi(FakeBotApi):
    """The fake Bot API, slow for the messages that contain ``hold``: it accepts them only after
    ``hold_s`` (and then records them, even if the sender has gone meanwhile: Telegram delivered
    it, the sender never heard). ``holding``: the client ports of the sends held right now."""

    hold: str | None = None
    hold_s: float = 2.0
    holding: list[int] = field(default_factory=list)

    async def _handle(self, request: web.Request) -> web.Response:
        if self.hold and request.match_info["method"] == "sendMessage":
            if self.hold in str((await _params(request)).get("text", "")):
                peer = request.transport.get_extra_info("peername") if request.transport else None
                port = int(peer[1]) if peer else 0
                self.holding.append(port)
                try:
                    await asyncio.sleep(self.hold_s)
                finally:
                    self.holding.remove(port)
        return await super()._handle(request)


def owner(port: int, pids: list[int]) -> int | None:
    """Which of ``pids`` has the local TCP port ``port`` open (``/proc/net/tcp`` and the fds)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if int(cols[1].rsplit(":", 1)[1], 16) == port:
            inodes.add(f"socket:[{cols[9]}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in inodes:
                    return pid
    return None


@dataclass
class Cluster:
    """The scaled shape's processes, started from the console scripts, and the kills done."""

    workdir: Path
    platforms: Platforms
    env: dict[str, str] = field(default_factory=dict)
    redis: Process | None = None
    servers: list[Process] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    relays: list[Process] = field(default_factory=list)
    kills: list[str] = field(default_factory=list)
    killed_cpu_s: float = 0.0

    async def start(self) -> None:
        redis_url = await self._redis()
        self.env = clean_env(
            {
                **common_env(self.platforms, PG_URL),
                "MINYI_REDIS_URL": redis_url,
                # the bot-wide 30/second has its own tests; here it would make the run wait ~40 s
                "MINYI_TELEGRAM_RATE_OVERALL": "100000/second",
                # a killed relay's rows are taken over after this (default 60 s)
                "MINYI_NOTIFIER_LEASE_SECONDS": "5",
                "MINYI_MEDIA_DIR": str(self.workdir / "media"),
            }
        )
        await _fresh_postgres()
        migrated = await run([script("minyi"), "migrate"], self.env, self.workdir)
        assert migrated.code == 0, migrated.describe()
        ports = [free_port(), free_port()]
        self.urls = [f"http://127.0.0.1:{p}" for p in ports]
        self.servers = [self._process(f"serve-{p}", ["serve"], MINYI_PORT=str(p)) for p in ports]
        self.relays = [self._process(f"notifier-{n}", ["notifier"]) for n in (1, 2)]
        await asyncio.gather(*(self._up(p) for p in [*self.servers, *self.relays]))

    async def _redis(self) -> str:
        """A private ``redis-server`` with AOF in the work directory; its URL."""
        port = free_port()
        argv = [str(shutil.which("redis-server")), "--port", str(port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]
        self.redis = Process("redis", [*argv, "--dir", str(self.workdir)], clean_env({}), self.workdir)
        await self.redis.start()
        url = f"redis://127.0.0.1:{port}/0"
        client = Redis.from_url(url)
        try:
            for _ in range(100):
                self.redis.check()
                try:
                    if await client.ping():
                        return url
                except (OSError, RedisDown):
                    await asyncio.sleep(0.05)
            pytest.fail(f"redis-server did not answer\n{self.redis.output()}")
        finally:
            await client.aclose()

    def _process(self, name: str, args: list[str], **extra: str) -> Process:
        return Process(name, [script("minyi"), *args], {**self.env, **extra}, self.workdir)

    async def _up(self, process: Process) -> None:
        """Start ``process`` and wait until it serves (a server) or says it started (a relay)."""
        if process in self.servers:
            await process.start()
            await process.wait_healthz(self.urls[self.servers.index(process)])
            return
        before = tail(process.out_path, 10**7).count(RELAY_STARTED)
        await process.start()
        deadline = time.monotonic() + 30
        while tail(process.out_path, 10**7).count(RELAY_STARTED) <= before:
            process.check()
            if time.monotonic() > deadline:
                pytest.fail(f"{process.name} did not start\n{process.output()}")
            await asyncio.sleep(0.1)

    async def kill_and_restart(self, process: Process, pause_s: float = 0.5) -> float:
        """``kill -9``, then start it again as a supervisor would; seconds until it is back."""
        assert process.proc is not None and process.proc.returncode is None, f"{process.name} is not running"
        began = time.monotonic()
        self.killed_cpu_s += cpu_seconds(process.proc.pid)
        process.proc.kill()
        await process.proc.wait()
        self.kills.append(process.name)
        await asyncio.sleep(pause_s)
        await self._up(process)
        return time.monotonic() - began

    def check_alive(self) -> None:
        for process in self.processes:
            process.check()

    @property
    def processes(self) -> list[Process]:
        return [p for p in (self.redis, *self.servers, *self.relays) if p is not None]

    def output(self) -> str:
        return "\n".join(p.output() for p in self.processes)

    def cpu_s(self) -> float:
        """CPU seconds used so far by the servers and relays (the killed ones up to their kill)."""
        live = [p.proc.pid for p in [*self.servers, *self.relays] if p.proc is not None]
        return self.killed_cpu_s + sum(cpu_seconds(pid) for pid in live)

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in [*self.servers, *self.relays]))
        if self.redis is not None:
            await self.redis.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _fresh_postgres() -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {PG_DB}")
    finally:
        await conn.close()


@dataclass
class Message:
    """One update a citizen sent, and when it was first delivered and first accepted."""

    chat_id: int
    step: int
    text: str
    update_id: int
    sent_at: float = 0.0
    accepted_at: float | None = None


@dataclass
class Telegram:
    """Delivers updates to the servers the way Telegram does, counting every request."""

    session: aiohttp.ClientSession
    urls: list[str]
    rng: random.Random
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(IN_FLIGHT))
    turn: itertools.count[int] = field(default_factory=itertools.count)
    deliveries: int = 0
    redeliveries: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    busy: Counter[str] = field(default_factory=Counter)  # requests in flight, per server
    chains: int = 0  # deliveries (first or duplicate) not accepted yet

    async def deliver(self, body: bytes) -> None:
        """One copy of an update, to the next server; again to the other one until accepted."""
        server = next(self.turn) % len(self.urls)
        self.chains += 1
        try:
            while (why := await self._post(self.urls[server], body)) is not None:
                self.failures[why] += 1
                self.redeliveries += 1
                await asyncio.sleep(self.rng.uniform(*PAUSE_S))
                server = (server + 1) % len(self.urls)
        finally:
            self.chains -= 1

    async def _post(self, url: str, body: bytes) -> str | None:
        """Why the delivery failed, or None when it was accepted."""
        headers = {SECRET_HEADER: TELEGRAM_SECRET, "Content-Type": "application/json"}
        async with self.slots:
            self.deliveries += 1
            self.busy[url] += 1
            try:
                async with self.session.post(
                    f"{url}/telegram", data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)
                ) as resp:
                    await resp.read()
                    return None if resp.status == 200 else f"HTTP {resp.status}"
            except TimeoutError:
                return "timeout"
            except (aiohttp.ClientError, OSError) as exc:
                return f"connection: {type(exc).__name__}"
            finally:
                self.busy[url] -= 1

    async def walk(self, chat_id: int, texts: list[str], copies: int, sent: list[Message]) -> None:
        """A citizen's messages in order, each delivered ``copies`` times (duplicates spread)."""
        duplicates: list[asyncio.Task[None]] = []
        for step, text in enumerate(texts):
            update = updates.text(chat_id, text)
            message = Message(chat_id, step, text, int(update["update_id"]), time.monotonic())
            sent.append(message)
            body = orjson.dumps(update)
            duplicates += [
                asyncio.create_task(self._later(body, self.rng.uniform(0, SPREAD_S))) for _ in range(copies - 1)
            ]
            await self.deliver(body)
            message.accepted_at = time.monotonic()
        await asyncio.gather(*duplicates)

    async def _later(self, body: bytes, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        await self.deliver(body)


def normal(text: str) -> str:
    """A reply with what differs between citizens (ticket numbers) taken out."""
    return TICKET.sub("<ticket>", text)


def unanswered(expected: list[tuple[int, str]], seen: list[Pushed]) -> list[tuple[int, str]]:
    """The replies (step, text) of ``expected`` not found, in order, among the messages a chat
    received (a notice that rode along may share a message with a reply)."""
    missing, at = [], 0
    texts = [normal(p.text) for p in seen]
    for step, want in expected:
        found = next((i for i in range(at, len(texts)) if normal(want) in texts[i]), None)
        if found is None:
            missing.append((step, want))
        else:
            at = found + 1
    return missing


def notice_duplicates(seen: list[Pushed], notices: list[str]) -> int:
    """How many extra times a notice reached the chat (a message containing it counts once)."""
    return sum(max(0, sum(1 for p in seen if n in p.text) - 1) for n in set(notices))


async def database_figures(url: str) -> tuple[dict[str, int], dict[str, list[str]], Counter[str], int]:
    """Items per Telegram chat; per chat, the texts of the notices meant to be pushed (not the
    receipt, which is the reply to 确认 itself); outbox rows by status; unknown outcomes."""
    conn = await asyncpg.connect(url)
    try:
        items = await conn.fetch(
            "SELECT c.external_id, count(i.id) AS n FROM item i JOIN citizen c ON c.id = i.citizen_id"
            " WHERE c.channel = 'telegram' GROUP BY c.external_id"
        )
        rows = await conn.fetch(
            "SELECT c.external_id, o.text, o.status, o.kind, o.sent_via"
            " FROM outbox o JOIN citizen c ON c.id = o.citizen_id"
        )
        unknown = await conn.fetchval("SELECT coalesce(sum(unknown_outcomes), 0) FROM outbox")
    finally:
        await conn.close()
    notices: dict[str, list[str]] = {}
    for row in rows:
        if (row["kind"], row["sent_via"]) != ("received", "reply"):
            notices.setdefault(row["external_id"], []).append(row["text"])
    statuses = Counter(str(r["status"]) for r in rows)
    return {r["external_id"]: int(r["n"]) for r in items}, notices, statuses, int(unknown)


async def settle(url: str, within_s: float) -> Counter[str]:
    """Wait until no notice is pending or being sent (or ``within_s``); the statuses then."""
    deadline = time.monotonic() + within_s
    while True:
        *_, statuses, _ = await database_figures(url)
        if not (statuses["pending"] or statuses["sending"]) or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.25)


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="minyi-redelivery-"))
