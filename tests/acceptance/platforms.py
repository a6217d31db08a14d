"""The two platform fakes as real HTTP servers on 127.0.0.1, recording what reached each citizen
and when (the subprocesses reach them over HTTP, like the real platforms)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from tests.bot.channels.telegram.fake_api import FakeBotApi, _params
from tests.bot.channels.wechat.fake_api import FakeWeChatAPI

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CUSTOM_SEND = "/cgi-bin/message/custom/send"
TEMPLATE_SEND = "/cgi-bin/message/template/send"


@dataclass(frozen=True)
class Pushed:
    """One message a platform accepted for a citizen."""

    at: float  # time.monotonic() when the platform accepted it
    recipient: str
    text: str
    how: str  # sendMessage, customer_service, template


@dataclass
class Recorder:
    """Every accepted message, in the order the platform accepted them."""

    pushed: list[Pushed] = field(default_factory=list)

    def to(self, recipient: str) -> list[Pushed]:
        return [p for p in self.pushed if p.recipient == recipient]


def _template_text(body: dict[str, Any]) -> str:
    data = body.get("data") or {}
    return "\n".join(str(v.get("value", "")) for v in data.values() if isinstance(v, dict))


def wechat_recording(recorder: Recorder) -> Middleware:
    """Middleware: customer-service and template sends the fake accepted (errcode 0)."""

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.path not in (CUSTOM_SEND, TEMPLATE_SEND) or not isinstance(response, web.Response):
            return response
        answer = json.loads(response.body or b"{}")  # type: ignore[arg-type]
        if answer.get("errcode") != 0:
            return response
        body = await request.json()  # aiohttp keeps the body the handler read
        if request.path == CUSTOM_SEND:
            text = str((body.get("text") or {}).get("content", json.dumps(body, ensure_ascii=False)))
            recorder.pushed.append(Pushed(time.monotonic(), body["touser"], text, "customer_service"))
        else:
            recorder.pushed.append(Pushed(time.monotonic(), body["touser"], _template_text(body), "template"))
        return response

    return record


def telegram_recording(recorder: Recorder) -> Middleware:
    """Middleware: ``sendMessage`` calls the fake answered with ``ok``."""

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.match_info.get("method") != "sendMessage" or response.status != 200:
            return response
        params = await _params(request)  # the form or JSON the handler already read
        recorder.pushed.append(
            Pushed(time.monotonic(), str(params["chat_id"]), str(params["text"]), "sendMessage")
        )
        return response

    return record


@dataclass
class Platforms:
    """The fake WeChat API and the fake Bot API, served on two local ports."""

    wechat: FakeWeChatAPI = field(default_factory=FakeWeChatAPI)
    telegram: FakeBotApi = field(default_factory=FakeBotApi)
    wechat_sent: Recorder = field(default_factory=Recorder)
    telegram_sent: Recorder = field(default_factory=Recorder)
    wechat_url: str = ""
    telegram_url: str = ""
    runners: list[web.AppRunner] = field(default_factory=list)

    async def start(self) -> None:
        wechat_app = self.wechat.app()
        wechat_app.middlewares.append(wechat_recording(self.wechat_sent))
        telegram_app = self.telegram.app()
        telegram_app.middlewares.append(telegram_recording(self.telegram_sent))
        self.wechat_url = await self._serve(wechat_app)
        self.telegram_url = await self._serve(telegram_app)

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.runners.append(runner)
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def stop(self) -> None:
        for runner in self.runners:
            await runner.cleanup()
        self.runners.clear()
