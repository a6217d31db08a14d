"""The notifier's ``Sender`` for WeChat, with the platform's rules: a customer-service message
while the citizen's 48-hour window has a slot (the last slot kept for a satisfaction question or
an urgent notice when one waits), else a template message when one is configured for the notice's
kind, else ``QuotaExceeded``: the relay holds the notice and it rides along with the citizen's
next message. WeChat counts messages, so the relay merges piled-up notices about one item."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.passive import pack
from bot.channels.wechat.window import Window
from dialogs import Reply
from notifier.errors import QuotaExceeded
from notifier.sender import Delivery, Notice

HOLD_WINDOW = "公众号48小时窗口已关闭且未配置模板：随群众下一条消息送达"
HOLD_FOR_SATISFACTION = "窗口最后一条留给满意度回访：随群众下一条消息送达"


@dataclass(frozen=True, slots=True)
class Template:
    """A template message: its id and template key → notice field (``text``, ``ticket``, ``kind``)."""

    id: str
    fields: Mapping[str, str] = field(default_factory=lambda: {"first": "text"})

    def data(self, notice: Notice) -> dict[str, dict[str, str]]:
        values = {"text": notice.text, "ticket": notice.ticket or "", "kind": notice.kind}
        return {key: {"value": values.get(source, "")} for key, source in self.fields.items()}


def templates_of(config: Mapping[str, Mapping[str, Any]]) -> dict[str, Template]:
    """``MINYI_WECHAT_TEMPLATES``: ``{"accept": {"id": "…", "fields": {"first": "text"}}}``."""
    return {
        kind: Template(str(t["id"]), dict(t.get("fields") or {"first": "text"})) for kind, t in config.items()
    }


class WeChatSender:
    channel = "wechat"
    merges = True

    def __init__(
        self, api: WeChatAPI, window: Window, templates: Mapping[str, Template] | None = None
    ) -> None:
        self.api = api
        self.window = window
        self.templates = dict(templates or {})

    async def send(self, notice: Notice) -> Delivery:
        last_ok = notice.important or not notice.important_waiting
        parts = pack([Reply(notice.text)])
        if await self._reserve(notice.recipient, len(parts), last_ok):
            try:
                return await self._customer_service(notice.recipient, parts)
            except QuotaExceeded:  # WeChat says the window is closed after all (45015/45047)
                await self.window.shut(notice.recipient)
        if (template := self.templates.get(notice.kind)) is not None:
            result = await self.api.send_template(notice.recipient, template.id, template.data(notice))
            return Delivery("template", str(result.get("msgid", "")))
        raise QuotaExceeded(HOLD_WINDOW if last_ok else HOLD_FOR_SATISFACTION, code="window")

    async def _reserve(self, openid: str, n: int, last_ok: bool) -> bool:
        """``n`` slots of the window, all or none."""
        for taken in range(n):
            if not await self.window.reserve(openid, last_ok=last_ok):
                for _ in range(taken):
                    await self.window.refund(openid)
                return False
        return True

    async def _customer_service(self, openid: str, parts: list[str]) -> Delivery:
        ids: list[str] = []
        for i, part in enumerate(parts):
            try:
                result = await self.api.send_text(openid, part)
            except Exception:
                for _ in range(len(parts) - i):  # what was not sent gives its slot back
                    await self.window.refund(openid)
                raise
            ids.append(str(result.get("msgid", "")))
        return Delivery("customer_service", ",".join(i for i in ids if i))

    async def aclose(self) -> None:
        await self.api.close()
