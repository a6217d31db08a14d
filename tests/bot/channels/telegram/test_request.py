"""PTB's Bot over the aiohttp transport: the same calls, objects and errors as over httpx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.request import AiohttpRequest


class FakeApi:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []
        self.slow = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        fields = {k: (v.file.read() if hasattr(v, "file") else v) for k, v in form.items()}
        self.seen.append((method, fields))
        await asyncio.sleep(self.slow)
        if fields.get("text") == "too fast":
            body = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests",
                "parameters": {"retry_after": 7},
            }
            return web.json_response(body, status=429)
        chat = {"id": int(str(fields.get("chat_id", 1))), "type": "private"}
        return web.json_response(
            {"ok": True, "result": {"message_id": 5, "date": 0, "chat": chat, "text": "x"}}
        )


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeApi, str]]:
    fake = FakeApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, f"http://127.0.0.1:{port}/bot"
    await runner.cleanup()


async def bot_at(base: str, **timeouts: float) -> tuple[Bot, AiohttpRequest]:
    request = AiohttpRequest(**timeouts)
    await request.initialize()
    return Bot("123:ABC", base_url=base, request=request), request


async def test_a_message_is_sent_and_read_back_as_ptb_objects(api: tuple[FakeApi, str]) -> None:
    fake, base = api
    bot, request = await bot_at(base)
    sent = await bot.send_message(chat_id=42, text="（3/9）请简要描述问题。", reply_markup=None)
    assert sent.message_id == 5 and sent.chat.id == 42
    assert fake.seen[-1] == ("sendMessage", {"chat_id": "42", "text": "（3/9）请简要描述问题。"})
    await request.shutdown()


async def test_platform_errors_are_ptbs_own(api: tuple[FakeApi, str]) -> None:
    _, base = api
    bot, request = await bot_at(base)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id=42, text="too fast")
    assert caught.value.retry_after in (7, 7.0) or caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    await request.shutdown()


async def test_a_slow_api_is_timed_out_and_a_closed_port_a_network_error(api: tuple[FakeApi, str]) -> None:
    fake, base = api
    fake.slow = 1.0
    bot, request = await bot_at(base, read_timeout=0.2)
    with pytest.raises(TimedOut):
        await bot.send_message(chat_id=42, text="hi")
    await request.shutdown()
    nowhere, request = await bot_at("http://127.0.0.1:9/bot", connect_timeout=0.5)
    with pytest.raises(NetworkError):
        await nowhere.send_message(chat_id=42, text="hi")
    await request.shutdown()


async def test_files_go_as_multipart(api: tuple[FakeApi, str]) -> None:
    fake, base = api
    bot, request = await bot_at(base)
    await bot.send_document(chat_id=42, document=InputFile(b"%PDF-1.4 ...", filename="a.pdf"))
    method, fields = fake.seen[-1]
    assert method == "sendDocument" and fields["chat_id"] == "42"
    assert b"%PDF-1.4 ..." in [v for v in fields.values() if isinstance(v, bytes)]
    await request.shutdown()


async def test_an_uninitialised_transport_says_so() -> None:
    bot = Bot("123:ABC", base_url="http://127.0.0.1:9/bot", request=AiohttpRequest())
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps what is not its own
        await bot.send_message(chat_id=1, text="hi")
