"""The seam between the relay and the platforms: a ``Sender`` per channel.

The relay never imports python-telegram-bot or wechatpy; ``bot`` builds concrete senders and
hands them in. A sender raises from the ``storage.errors`` tree to say what went wrong:
``TransientError``/``RateLimited`` (try later), ``RecipientUnreachable`` (stop for this
citizen), ``QuotaExceeded`` (window or quota spent: hold), ``ConfigurationError`` (staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Notice:
    """One outbox row as a sender needs it."""

    id: int
    channel: str
    recipient: str  # the citizen's id on that channel (openid, chat id, web user id…)
    kind: str  # received, accepted, ask, satisfaction…
    text: str
    priority: int = 5
    ticket: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the platform said: how it went out (``customer_service``, ``template``…) and its id."""

    via: str
    provider_id: str = ""


class Sender(Protocol):
    channel: str

    async def send(self, notice: Notice) -> Delivery: ...


class TemplateSender(Protocol):
    """A sender that can also reach a citizen outside the chat window: a template or
    subscription message (WeChat). The relay uses it when the policy routes a notice there."""

    channel: str

    async def send(self, notice: Notice) -> Delivery: ...

    async def send_template(self, notice: Notice, template_id: str, data: dict[str, str]) -> Delivery: ...
