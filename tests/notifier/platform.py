"""A small fake chat platform on 127.0.0.1 that records every message it accepts, and an HTTP
``Sender`` that talks to it (used by the crash test's subprocess and by ``bench/notifier.py``)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import aiohttp
from aiohttp import web

from notifier.sender import Delivery, Notice
from storage.errors import RateLimited, RecipientUnreachable, TransientError


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


async def serve_forever() -> None:
    """``python -m tests.notifier.platform``: a platform in its own process; prints its URL."""
    platform = FakePlatform()
    print(await platform.start(), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve_forever())
