"""The notifier's ``Sender`` for WeChat: customer-service messages while the window allows.

Outside the window (no citizen message for 48 h, or the 5 messages spent) it raises
``QuotaExceeded`` so the relay holds the notice (template/subscription fallbacks come later).
"""

from __future__ import annotations

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.passive import pack
from bot.channels.wechat.window import Window
from dialogs import Reply
from notifier.sender import Delivery, Notice
from storage.errors import QuotaExceeded


class WeChatSender:
    channel = "wechat"

    def __init__(self, api: WeChatAPI, window: Window) -> None:
        self.api = api
        self.window = window

    async def send(self, notice: Notice) -> Delivery:
        """Send ``notice`` as customer-service text (split at WeChat's limit); raise to say why not."""
        ids: list[str] = []
        for part in pack([Reply(notice.text)]):
            if not await self.window.reserve(notice.recipient):
                raise QuotaExceeded(
                    f"customer-service window of {notice.recipient} is closed or its quota is spent",
                    code="window",
                )
            result = await self.api.send_text(notice.recipient, part)
            ids.append(str(result.get("msgid", "")))
        return Delivery("customer_service", ",".join(i for i in ids if i))
