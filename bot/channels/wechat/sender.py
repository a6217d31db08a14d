"""The notifier's ``Sender`` for WeChat: customer-service messages while the window allows,
template messages when the relay's policy routes a notice there.

Outside the window (no citizen message for 48 h, or the 5 messages spent) ``send`` raises
``QuotaExceeded``; the relay then routes the notice to a configured template or holds it. The
relay's policy reserves window slots too (``Citizen.window_sent``): this check is a second guard,
so the two together can only under-spend a window, never overspend it.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.channels.wechat.client import WeChatAPI
from bot.channels.wechat.passive import pack
from bot.channels.wechat.token import MemoryTokenStore, RedisTokenStore
from bot.channels.wechat.window import DatabaseWindow, RedisWindow, Window
from dialogs import Reply
from notifier.sender import Delivery, Notice
from storage.backends import redis_client
from storage.config import Settings
from storage.errors import QuotaExceeded


class WeChatSender:
    channel = "wechat"

    def __init__(self, api: WeChatAPI, window: Window, redis: Redis | None = None) -> None:
        self.api = api
        self.window = window
        self._redis = redis  # owned: closed with the sender

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

    async def send_template(self, notice: Notice, template_id: str, data: dict[str, str]) -> Delivery:
        """A template message (allowed outside the window); ``data`` maps template keys to text."""
        fields = {key: {"value": value} for key, value in data.items()}
        result = await self.api.send_template(notice.recipient, template_id, fields)
        return Delivery("template", str(result.get("msgid", "")))

    async def aclose(self) -> None:
        await self.api.close()
        if self._redis is not None:
            await self._redis.aclose()


def build_sender(settings: Settings) -> WeChatSender | None:
    """The relay's WeChat sender, or None when AppID/AppSecret are not configured."""
    if not (settings.wechat_appid and settings.wechat_secret):
        return None
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    hours, quota = settings.wechat_window_hours, settings.wechat_window_quota
    window: Window = RedisWindow(redis, hours, quota) if redis is not None else DatabaseWindow(hours, quota)
    tokens = RedisTokenStore(redis, settings.wechat_appid) if redis is not None else MemoryTokenStore()
    api = WeChatAPI(
        settings.wechat_appid,
        settings.wechat_secret.get_secret_value(),
        settings.wechat_api_base,
        tokens=tokens,
        timeout_s=settings.wechat_api_timeout_s,
    )
    return WeChatSender(api, window, redis)
