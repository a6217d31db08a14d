"""The generic rules: which way a notice goes now (send, hold, wait, give up).

The order, decided once: an unreachable citizen → give up; a channel without a sender (web,
console, a letter, or a platform not configured) → hold for the citizen's next message; quiet
hours → wait until morning unless urgent; otherwise → the channel's sender, which applies its
platform's own rules (WeChat's window and quota live in ``bot/channels/wechat``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from storage.config import Settings

Action = Literal["send", "hold", "wait", "fail"]
HOLD_NO_PUSH = "此渠道不能主动推送：随群众下一条消息送达"
FAIL_UNREACHABLE = "群众已拉黑、退订或无法送达"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily span of local time (may cross midnight) when non-urgent notices wait."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, tz: str) -> QuietHours | None:
        """``"22:00-08:00"``; empty means no quiet hours."""
        spec = spec.strip()
        if not spec:
            return None
        start, end = (time.fromisoformat(p.strip()) for p in spec.split("-", 1))
        return cls(start, end, ZoneInfo(tz))

    def until(self, now: datetime) -> datetime | None:
        """When the quiet hours around ``now`` end, or None when ``now`` is not in them."""
        local = now.astimezone(self.tz)
        t = local.time()
        inside = self.start <= t < self.end if self.start < self.end else (t >= self.start or t < self.end)
        if not inside:
            return None
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Route:
    action: Action
    reason: str = ""
    until: datetime | None = None


class Policy:
    def __init__(
        self,
        *,
        push_channels: frozenset[str],
        quiet: QuietHours | None = None,
        urgent_priority: int = 2,
        satisfaction_kinds: frozenset[str] = frozenset({"satisfaction"}),
    ) -> None:
        self.push_channels = push_channels
        self.quiet = quiet
        self.urgent_priority = urgent_priority
        self.satisfaction_kinds = satisfaction_kinds

    @classmethod
    def from_settings(cls, settings: Settings, push_channels: frozenset[str]) -> Policy:
        kinds = frozenset(k.strip() for k in settings.notifier_satisfaction_kinds.split(",") if k.strip())
        return cls(
            push_channels=push_channels,
            quiet=QuietHours.parse(settings.quiet_hours, settings.timezone),
            urgent_priority=settings.notifier_urgent_priority,
            satisfaction_kinds=kinds,
        )

    def is_satisfaction(self, kind: str) -> bool:
        return kind in self.satisfaction_kinds

    def important(self, kind: str, priority: int) -> bool:
        """A satisfaction question or an urgent notice (may take a platform's last slot)."""
        return self.is_satisfaction(kind) or priority <= self.urgent_priority

    def route(self, channel: str, priority: int, reachable: bool, now: datetime) -> Route:
        if not reachable:
            return Route("fail", FAIL_UNREACHABLE)
        if channel not in self.push_channels:
            return Route("hold", HOLD_NO_PUSH)
        if self.quiet and priority > self.urgent_priority and (until := self.quiet.until(now)):
            return Route("wait", "免打扰时段，早上再发", until=until)
        return Route("send")
