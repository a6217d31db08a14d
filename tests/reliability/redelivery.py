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
import secrets
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import aiohttp
import orjson
import pytest
import xmltodict
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisDown
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from tests.acceptance.citizens import SECRET_HEADER, TELEGRAM_SECRET
from tests.acceptance.platforms import CUSTOM_SEND, TEMPLATE_SEND, Platforms, Pushed, Recorder
from tests.acceptance.processes import Process, clean_env, run, script, tail
from tests.acceptance.shapes import PG_ADMIN_URL, PG_DATABASE, RELAY_STARTED, common_env, free_port
from tests.bot.channels.telegram import updates
from tests.bot.channels.telegram.fake_api import FakeBotApi, _params
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI
from tests.bot.channels.wechat.wechat_server import ACCOUNT, AES_KEY, APPID, push_xml, sign
from tests.bot.channels.wechat.wechat_server import TOKEN as WX_TOKEN
from tests.services import fresh_postgres

PG_DB = f"{PG_DATABASE}_redelivery"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
IN_FLIGHT = 40  # Telegram's default webhook max_connections
TIMEOUT_S = 20.0  # a Telegram delivery not answered within this has failed
WECHAT_TIMEOUT_S = 5.0  # WeChat waits this long for an answer, then pushes again
PAUSE_S = (0.2, 0.5)  # before a failed delivery goes to the other server
SPREAD_S = 1.5  # the duplicates of an update go out within this after its first delivery
REPLY_WAIT_S = 30.0  # a citizen waits this long for the reply before writing the next message
TICKET = re.compile(r"\b(?:JY|TS)-\d{8}-\d{4}\b")


@dataclass
class Hold:
    """A platform slow to accept the messages that contain ``marker``: it accepts them only
    after ``hold_s`` (and then records them, even if the sender has gone meanwhile: the platform
    delivered it, the sender never heard). ``ports``: the client ports of the sends held now."""

    marker: str
    hold_s: float = 2.0
    ports: list[int] = field(default_factory=list)

    async def __call__(self, request: web.Request, text: str) -> None:
        if self.marker not in text:
            return
        peer = request.transport.get_extra_info("peername") if request.transport else None
        port = int(peer[1]) if peer else 0
        self.ports.append(port)
        try:
            await asyncio.sleep(self.hold_s)
        finally:
            self.ports.remove(port)


@dataclass
class HoldingBotApi(FakeBotApi):
    """The fake Bot API with a ``Hold`` on ``sendMessage``."""

    hold: Hold = field(default_factory=lambda: Hold("\x00"))

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "sendMessage":
            await self.hold(request, str((await _params(request)).get("text", "")))
        return await super()._handle(request)


@dataclass
class HoldingWeChatAPI(FakeWeChatAPI):
    """The fake WeChat API with a ``Hold`` on customer-service and template sends."""

    hold: Hold = field(default_factory=lambda: Hold("\x00"))

    async def api(self, request: web.Request) -> web.StreamResponse:
        if request.path in (CUSTOM_SEND, TEMPLATE_SEND):
            await self.hold(request, orjson.dumps(await request.json()).decode())
        return await super().api(request)


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
        await fresh_postgres(PG_ADMIN_URL, PG_DB)
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


def normal(text: str) -> str:
    """A reply with what differs between citizens (ticket numbers) taken out."""
    return TICKET.sub("<ticket>", text)


@dataclass
class Message:
    """One message a citizen sent (its payload, delivered as is each time), and when it was
    first delivered and first accepted."""

    chat: str
    step: int
    text: str
    payload: bytes
    sent_at: float = 0.0
    accepted_at: float | None = None
    answered_at: float | None = None  # when its reply was first seen (the citizen then goes on)


@dataclass
class Platform(ABC):
    """Delivers citizens' messages to the servers as its platform does, counting every request."""

    name: ClassVar[str]
    session: aiohttp.ClientSession
    urls: list[str]
    rng: random.Random
    slots: asyncio.Semaphore
    timeout_s: float = TIMEOUT_S
    turn: itertools.count[int] = field(default_factory=itertools.count)
    deliveries: int = 0
    redeliveries: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    busy: Counter[str] = field(default_factory=Counter)  # requests in flight, per server
    chains: int = 0  # copies (first or duplicate) not accepted yet

    @abstractmethod
    def message(self, chat: str, step: int, text: str) -> Message:
        """The platform's payload for ``text`` from ``chat`` (its id fixed for every delivery)."""

    @abstractmethod
    async def _send(self, url: str, message: Message) -> str | None:
        """One request; why it failed, or None when the platform counts it as accepted."""

    @abstractmethod
    def seen_all(self) -> list[Pushed]:
        """What reached any citizen of this platform."""

    def seen(self, chat: str) -> list[Pushed]:
        """What reached the citizen ``chat``, oldest first."""
        return sorted((p for p in self.seen_all() if p.recipient == chat), key=lambda p: p.at)

    async def deliver(self, message: Message) -> None:
        """One copy of a message, to the next server; again to the other one until accepted."""
        server = next(self.turn) % len(self.urls)
        self.chains += 1
        try:
            while (why := await self._post(self.urls[server], message)) is not None:
                self.failures[why] += 1
                self.redeliveries += 1
                await asyncio.sleep(self.rng.uniform(*PAUSE_S))
                server = (server + 1) % len(self.urls)
        finally:
            self.chains -= 1

    async def _post(self, url: str, message: Message) -> str | None:
        async with self.slots:
            self.deliveries += 1
            self.busy[url] += 1
            try:
                return await asyncio.wait_for(self._send(url, message), self.timeout_s)
            except TimeoutError:
                return "timeout"
            except (aiohttp.ClientError, OSError) as exc:
                return f"connection: {type(exc).__name__}"
            finally:
                self.busy[url] -= 1

    async def walk(
        self, chat: str, texts: list[str], copies: int, sent: list[Message], replies: list[str] | None = None
    ) -> None:
        """A citizen's messages in order, each delivered ``copies`` times (duplicates spread);
        the next one is written once the reply to this one is on screen (``replies``: the reply
        to each step; None: any reply), or after ``REPLY_WAIT_S`` without it."""
        duplicates: list[asyncio.Task[None]] = []
        for step, text in enumerate(texts):
            message = self.message(chat, step, text)
            message.sent_at = time.monotonic()
            sent.append(message)
            duplicates += [
                asyncio.create_task(self._later(message, self.rng.uniform(0, SPREAD_S)))
                for _ in range(copies - 1)
            ]
            await self.deliver(message)
            message.accepted_at = time.monotonic()
            await self._answered(message, replies[step] if replies else "")
        await asyncio.gather(*duplicates)

    async def _answered(self, message: Message, reply: str) -> None:
        deadline = time.monotonic() + REPLY_WAIT_S
        while time.monotonic() < deadline:
            if any(p.at >= message.sent_at and reply in normal(p.text) for p in self.seen(message.chat)):
                message.answered_at = time.monotonic()
                return
            await asyncio.sleep(0.05)

    async def _later(self, message: Message, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        await self.deliver(message)


@dataclass
class Telegram(Platform):
    """Webhook updates: accepted when answered 200; replies are ``sendMessage`` calls."""

    name = "telegram"
    sent: Recorder = field(default_factory=Recorder)

    def message(self, chat: str, step: int, text: str) -> Message:
        return Message(chat, step, text, orjson.dumps(updates.text(int(chat), text)))

    async def _send(self, url: str, message: Message) -> str | None:
        headers = {SECRET_HEADER: TELEGRAM_SECRET, "Content-Type": "application/json"}
        async with self.session.post(f"{url}/telegram", data=message.payload, headers=headers) as resp:
            body = await resp.read()
            return None if resp.status == 200 else f"HTTP {resp.status} {body[:20].decode(errors='replace')}"

    def seen_all(self) -> list[Pushed]:
        return list(self.sent.pushed)


@dataclass
class WeChat(Platform):
    """Safe-mode pushes, signed and encrypted afresh for every delivery (a nonce is used once);
    accepted when answered 200 within WeChat's 5 seconds (a passive reply or ``success``);
    replies are the passive ones and the customer-service sends."""

    name = "wechat"
    timeout_s: float = WECHAT_TIMEOUT_S
    sent: Recorder = field(default_factory=Recorder)
    passive: Recorder = field(default_factory=Recorder)
    later: int = 0  # answered ``success``: the reply comes by customer service, if at all
    crypto: WeChatCrypto = field(default_factory=lambda: WeChatCrypto(WX_TOKEN, AES_KEY, APPID))

    def message(self, chat: str, step: int, text: str) -> Message:
        return Message(chat, step, text, push_xml(chat, "text", Content=text).encode())

    async def _send(self, url: str, message: Message) -> str | None:
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        envelope = xmltodict.parse(self.crypto.encrypt_message(message.payload.decode(), nonce, ts))["xml"]
        query = {
            "signature": sign(WX_TOKEN, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": message.chat,
            "encrypt_type": "aes",
            "msg_signature": envelope["MsgSignature"],
        }
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
        )
        headers = {"Content-Type": "text/xml"}
        async with self.session.post(
            f"{url}/wechat", params=query, data=body.encode(), headers=headers
        ) as resp:
            raw = await resp.text()
            if resp.status != 200:
                return f"HTTP {resp.status} {raw[:20]}"
        if raw in ("", "success"):
            self.later += 1
        else:
            self.passive.pushed.append(Pushed(time.monotonic(), message.chat, self._open(raw), "passive"))
        return None

    def _open(self, raw: str) -> str:
        doc = xmltodict.parse(raw)["xml"]
        plain = self.crypto.decrypt_message(raw, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"])
        return str(parse_message(plain).content)

    def seen_all(self) -> list[Pushed]:
        return self.passive.pushed + self.sent.pushed


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="minyi-redelivery-"))
