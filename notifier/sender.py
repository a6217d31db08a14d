"""The seam between the relay and the platforms: a ``Sender`` per channel.

The relay never imports python-telegram-bot or wechatpy; ``bot.root`` builds the concrete
senders and hands them in. A platform's own rules live in its sender, not in the relay: WeChat's
48-hour customer-service window and its quota, the fallback to a template message. A sender
raises from ``notifier.errors`` to say what went wrong: ``TransientError``/``RateLimited`` (try
later), ``RecipientUnreachable`` (stop for this citizen), ``QuotaExceeded`` (no way to reach the
citizen now: the notice is held and rides along with their next message), ``ConfigurationError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Notice:
    """One outbox row (or several about one item, merged) as a sender needs it."""

    id: int
    channel: str
    recipient: str  # the citizen's id on that channel (openid, chat id…)
    kind: str  # accept, ask, answer…
    text: str
    priority: int = 5
    ticket: str | None = None
    important: bool = False  # a satisfaction question or an urgent notice: may take a last slot
    important_waiting: bool = False  # another important notice waits for this citizen


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the platform said: how it went out (``customer_service``, ``template``…) and its id."""

    via: str
    provider_id: str = ""


class Sender(Protocol):
    channel: str
    merges: bool  # the platform counts messages per citizen: notices piled up about one item go as one

    async def send(self, notice: Notice) -> Delivery: ...

    async def aclose(self) -> None: ...
