"""A local fake of the WeChat platform API (api.weixin.qq.com) on aiohttp: records calls, scripts errors."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JPEG = b"\xff\xd8\xff\xe0" + b"minyi-test-image" * 8 + b"\xff\xd9"


@dataclass
class FakeWeChatAPI:
    """State of the fake: issued tokens, calls per path, scripted errcodes and delays."""

    calls: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    valid_tokens: set[str] = field(default_factory=set)
    errors: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # path → errcodes, popped
    delay_s: float = 0.0
    _serial: Any = field(default_factory=lambda: itertools.count(1))

    def count(self, path: str) -> int:
        return len(self.calls[path])

    def sent_texts(self) -> list[tuple[str, str]]:
        return [
            (c["body"]["touser"], c["body"]["text"]["content"])
            for c in self.calls["/cgi-bin/message/custom/send"]
        ]

    async def stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls["/cgi-bin/stable_token"].append({"body": body})
        if body.get("secret") != "s3cret":
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        if not body.get("force_refresh") and self.valid_tokens:
            return web.json_response({"access_token": sorted(self.valid_tokens)[-1], "expires_in": 7200})
        token = f"TOKEN{next(self._serial):04d}"
        self.valid_tokens = {token}
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def api(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        body = await request.json() if request.can_read_body else {}
        self.calls[path].append(
            {"body": body, "token": request.query.get("access_token"), "query": dict(request.query)}
        )
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.errors[path]:
            code = self.errors[path].pop(0)
            return web.json_response({"errcode": code, "errmsg": f"scripted {code}"})
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if path == "/cgi-bin/media/get":
            return web.Response(body=JPEG, content_type="image/jpeg")
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": next(self._serial)})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        for path in (
            "/cgi-bin/message/custom/send",
            "/cgi-bin/message/template/send",
            "/cgi-bin/message/subscribe/bizsend",
            "/cgi-bin/menu/create",
        ):
            app.router.add_post(path, self.api)
        app.router.add_get("/cgi-bin/media/get", self.api)
        return app
