"""A small fake chat platform on 127.0.0.1 that records every message it accepts, and an HTTP
``Sender`` that talks to it (used by the crash test's subprocess and by ``bench/notifier.py``)."""

from __future__ import annotations

import asyncio
import collections
import sys
import time
from collections import Counter
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from notifier.errors import RateLimited, RecipientUnreachable, TransientError
from notifier.sender import Delivery, Notice


class FakePlatform:
    """``POST /send`` with ``{"id", "recipient", "text"}``; answers 200 after ``delay`` seconds.

    ``answers`` scripts the next HTTP statuses (e.g. 429, 502) before the normal 200."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[tuple[int, float]] = []  # (notice id, monotonic time accepted)
        self.answers: list[int] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    @property
    def counts(self) -> Counter[int]:
        return Counter(i for i, _ in self.received)

    async def _send(self, request: web.Request) -> web.Response:
        doc = await request.json()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answers:
            status = self.answers.pop(0)
            return web.json_response({"ok": False, "retry_after": 1}, status=status)
        self.received.append((int(doc["id"]), time.monotonic()))
        return web.json_response({"ok": True, "message_id": len(self.received)})

    async def _received(self, request: web.Request) -> web.Response:
        return web.json_response(self.received)

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/send", self._send)
        app.router.add_get("/received", self._received)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/send"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class HttpSender:
    """A ``Sender`` posting to a FakePlatform, mapping HTTP answers onto the error tree."""

    def __init__(self, url: str, channel: str = "telegram", *, limit: int = 256) -> None:
        self.url = url
        self.channel = channel
        self.merges = False
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit))

    async def send(self, notice: Notice) -> Delivery:
        body: dict[str, Any] = {"id": notice.id, "recipient": notice.recipient, "text": notice.text}
        try:
            async with self.session.post(self.url, json=body) as resp:
                doc = await resp.json()
        except aiohttp.ClientError as exc:
            raise TransientError(str(exc)) from exc
        if resp.status == 429:
            raise RateLimited("429 Too Many Requests", retry_after=float(doc.get("retry_after", 1)))
        if resp.status == 403:
            raise RecipientUnreachable("403 Forbidden: blocked")
        if resp.status >= 500:
            raise TransientError(f"{resp.status} from the platform")
        return Delivery("message", str(doc["message_id"]))

    async def aclose(self) -> None:
        await self.session.close()


class LinePlatform:
    """The same fake platform over a leaner wire, for throughput runs: one JSON line per message
    on a TCP connection, one answer line back (``{"ok": true, "message_id": N}``), pipelined.
    ``stats`` (a line of its own) answers with every accepted ``[id, time]``."""

    def __init__(self) -> None:
        self.received: list[tuple[int, float]] = []
        self.address = ""

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            if line.strip() == b"stats":
                writer.write(orjson.dumps(self.received) + b"\n")
            else:
                self.received.append((orjson.loads(line)["id"], time.monotonic()))
                writer.write(b'{"ok":true,"message_id":%d}\n' % len(self.received))
            await writer.drain()
        writer.close()

    async def start(self) -> str:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        return self.address


class LineSender:
    """A ``Sender`` for LinePlatform: ``connections`` sockets, requests pipelined on each."""

    def __init__(self, address: str, channel: str = "telegram", connections: int = 4) -> None:
        self.host, port = address.removeprefix("tcp://").split(":")
        self.port, self.channel, self.size = int(port), channel, connections
        self.merges = False
        self.conns: list[tuple[asyncio.StreamWriter, collections.deque[asyncio.Future[bytes]]]] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.turn = 0

    async def _open(self) -> None:
        for _ in range(self.size):
            reader, writer = await asyncio.open_connection(self.host, self.port)
            waiting: collections.deque[asyncio.Future[bytes]] = collections.deque()
            self.conns.append((writer, waiting))
            self.tasks.append(asyncio.create_task(self._answers(reader, waiting)))

    @staticmethod
    async def _answers(
        reader: asyncio.StreamReader, waiting: collections.deque[asyncio.Future[bytes]]
    ) -> None:
        while line := await reader.readline():
            waiting.popleft().set_result(line)
        while waiting:
            waiting.popleft().set_exception(TransientError("connection closed"))

    async def send(self, notice: Notice) -> Delivery:
        if not self.conns:
            await self._open()
        writer, waiting = self.conns[self.turn % self.size]
        self.turn += 1
        answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        waiting.append(answer)
        writer.write(
            orjson.dumps({"id": notice.id, "recipient": notice.recipient, "text": notice.text}) + b"\n"
        )
        return Delivery("message", str(orjson.loads(await answer)["message_id"]))

    async def aclose(self) -> None:
        for writer, _ in self.conns:
            writer.close()
        for task in self.tasks:
            task.cancel()


async def line_stats(address: str) -> list[tuple[int, float]]:
    host, port = address.removeprefix("tcp://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port), limit=64 * 1024 * 1024)
    writer.write(b"stats\n")
    rows = orjson.loads(await reader.readline())
    writer.close()
    return [(int(i), float(t)) for i, t in rows]


async def serve_forever(kind: str) -> None:
    """``python -m tests.notifier.platform [http|line]``: a platform in its own process; prints its URL."""
    platform = LinePlatform() if kind == "line" else FakePlatform()
    print(await platform.start(), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve_forever(sys.argv[1] if len(sys.argv) > 1 else "http"))
