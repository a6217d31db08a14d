"""One Redis connection for the hot path: requests are pipelined on it in order and answered in
order (RESP), packed and parsed by hiredis (redis-py's own C parser).

Why not redis-py here: measured on this machine (``bench/redis_client.py``), one ``EVALSHA``
costs ~66 µs of client CPU with redis-py 8 (its connection pool, retry wrapper and Python
packer) and ~71 µs with coredis, against ~10 µs on one multiplexed connection with hiredis
packing and parsing — and a message step makes two such calls. Everything else (leases, the
window, rate limits, admin) stays on redis-py.

Failures are plain: an error reply raises ``ReplyError``; a lost connection, or a request
unanswered for ``timeout_s``, fails every request in flight with ``ConnectionError`` and the
next call connects again. A caller treats both like any Redis failure (the step is not done).
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections import deque
from typing import Any, cast
from urllib.parse import unquote, urlparse

import hiredis


class ReplyError(Exception):
    """Redis answered with an error (``NOSCRIPT``, ``WRONGTYPE``, a Lua error…)."""


class _Protocol(asyncio.Protocol):
    def __init__(self, lost: asyncio.Future[None]) -> None:
        self.reader = hiredis.Reader(replyError=ReplyError)
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost = lost
        self.outgoing: list[bytes] = []  # written together once per turn of the event loop

    def queue(self, packed: bytes) -> None:
        """Write ``packed`` with whatever else is asked this turn of the loop (one send)."""
        if not self.outgoing:
            asyncio.get_running_loop().call_soon(self.flush)
        self.outgoing.append(packed)

    def flush(self) -> None:
        out, self.outgoing = self.outgoing, []
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(out))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is one without subclassing

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        try:
            while (reply := self.reader.gets()) is not False:
                future, _ = self.waiting.popleft()
                if future.done():
                    continue
                if isinstance(reply, ReplyError):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except (hiredis.ProtocolError, IndexError) as exc:  # out of step: start again
            self.fail(ConnectionError(f"Redis protocol: {exc}"))
            if self.transport is not None:
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(ConnectionError(f"Redis connection lost: {exc}" if exc else "Redis connection closed"))
        if not self.lost.done():
            self.lost.set_result(None)

    def fail(self, exc: Exception) -> None:
        while self.waiting:
            future, _ = self.waiting.popleft()
            if not future.done():
                future.set_exception(exc)


class Multiplexed:
    """``await conn.call("GET", key)``; ``await conn.evalsha(script, keys, args)``."""

    def __init__(self, url: str, *, timeout_s: float = 5.0, connect_timeout_s: float = 3.0) -> None:
        parsed = urlparse(url)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 6379
        self.db = int(parsed.path.lstrip("/") or 0)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.tls = parsed.scheme == "rediss"
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self._proto: _Protocol | None = None
        self._connecting: asyncio.Lock | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    async def call(self, *args: Any) -> Any:
        proto = self._proto
        if proto is None or proto.transport is None or proto.transport.is_closing():
            proto = await self._connect()
        return await self._send(proto, args)

    async def evalsha(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """Run ``script`` by its digest; loaded by ``EVAL`` when Redis does not know it yet."""
        try:
            return await self.call("EVALSHA", script.sha, len(keys), *keys, *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
            return await self.call("EVAL", script.text, len(keys), *keys, *args)

    def _send(self, proto: _Protocol, args: tuple[Any, ...]) -> asyncio.Future[Any]:
        assert proto.transport is not None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        proto.waiting.append((future, loop.time()))
        proto.queue(hiredis.pack_command(args))
        if self._watchdog is None:
            self._watchdog = loop.call_later(self.timeout_s, self._watch)
        return future

    def _watch(self) -> None:
        """Every ``timeout_s`` while requests wait: the oldest waiting that long drops the connection."""
        self._watchdog = None
        proto = self._proto
        if proto is None or not proto.waiting:
            return
        loop = asyncio.get_running_loop()
        if loop.time() - proto.waiting[0][1] >= self.timeout_s:
            proto.fail(ConnectionError(f"Redis did not answer within {self.timeout_s} s"))
            if proto.transport is not None:
                proto.transport.close()
            return
        self._watchdog = loop.call_later(self.timeout_s, self._watch)

    async def _connect(self) -> _Protocol:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            proto = self._proto
            if proto is not None and proto.transport is not None and not proto.transport.is_closing():
                return proto
            loop = asyncio.get_running_loop()
            lost: asyncio.Future[None] = loop.create_future()
            context = ssl.create_default_context() if self.tls else None
            _, made = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(lost), self.host, self.port, ssl=context),
                self.connect_timeout_s,
            )
            try:
                await asyncio.wait_for(self._hello(made), self.connect_timeout_s)
            except BaseException:
                if made.transport is not None:
                    made.transport.close()
                raise
            self._proto = made
            return made

    async def _hello(self, proto: _Protocol) -> None:
        if self.password is not None:
            auth = (self.username, self.password) if self.username else (self.password,)
            await self._send(proto, ("AUTH", *auth))
        if self.db:
            await self._send(proto, ("SELECT", self.db))

    async def aclose(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        proto, self._proto = self._proto, None
        if proto is not None and proto.transport is not None:
            proto.transport.close()
            await asyncio.shield(proto.lost)


class Script:
    """A Lua script and its SHA-1 digest (what ``EVALSHA`` names it by)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()
