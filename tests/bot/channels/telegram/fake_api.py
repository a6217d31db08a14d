"""A local fake Telegram Bot API (aiohttp) that python-telegram-bot is pointed at by base URL.

It records every call and answers 429 (with ``retry_after``), 403 or 400 when told to.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token"
BOT_ID = 123456


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotApi:
    """Records calls; ``fail(method, status, …)`` scripts the next answers to ``method``."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, str, int | None]]] = field(default_factory=dict)
    next_message_id: int = 1000
    delay_s: float = 0.0
    pending: list[dict[str, Any]] = field(default_factory=list)  # what getUpdates hands out

    def fail(self, method: str, status: int, description: str = "", retry_after: int | None = None) -> None:
        self.failures.setdefault(method, []).append((status, description, retry_after))

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "sendMessage" and (chat_id is None or c.params["chat_id"] == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params["text"] for c in self.sent(chat_id)]

    def button(self, chat_id: int, label: str) -> str:
        """The callback data of the button ``label`` on the last message to ``chat_id`` that had
        inline buttons: what Telegram sends when the citizen taps it."""
        for call in reversed(self.sent(chat_id)):
            rows = (call.params.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                for row in rows:
                    for b in row:
                        if b["text"] == label or b["text"].split(" ")[0] == label:
                            return str(b["callback_data"])
                raise AssertionError(f"no button {label!r} on the last keyboard: {rows}")
        raise AssertionError(f"no message with buttons to {chat_id}")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/bot{TOKEN}/{{method}}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append(Call(method, params))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if method == "getUpdates" and not self.pending:
            await asyncio.sleep(0.02)  # a (very) long poll with nothing new
        if scripted := self.failures.get(method):
            status, description, retry_after = scripted.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=status)
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "MinyiBot", "username": "minyi_bot"}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            return self.pending[:100]
        if method == "sendMessage":
            self.next_message_id += 1
            chat_id = int(params["chat_id"])
            return {
                "message_id": self.next_message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Citizen"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "MinyiBot"},
                "text": params.get("text", ""),
            }
        return True


async def _params(request: web.Request) -> dict[str, Any]:
    """The parameters PTB sent: form fields, with keyboards and lists decoded from JSON."""
    if request.content_type == "application/json":
        data: dict[str, Any] = await request.json()
        return data
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        text = str(value)
        if key == "chat_id":
            params[key] = int(text)
        elif text[:1] in "{[":
            params[key] = json.loads(text)
        else:
            params[key] = text
    return params
