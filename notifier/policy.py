"""Per-channel rules: which way a notice goes now (send, template, hold, wait, give up).

The order, decided once: an unreachable citizen → give up; a channel without push (web,
console, or no sender configured) → hold for the next message; quiet hours → wait until
morning unless urgent; WeChat → a customer-service message while the citizen's 48-hour window
has a slot, else a template message when one is configured for the kind, else hold. The last
slot of a window is kept for a satisfaction question (or an urgent notice) when one waits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from storage.config import Settings

Action = Literal["send", "template", "hold", "wait", "fail"]
PUSH_NONE = frozenset({"web", "console"})
HOLD_NO_PUSH = "此渠道不能主动推送：随群众下一条消息送达"
HOLD_WINDOW = "公众号48小时窗口已关闭且未配置模板：随群众下一条消息送达"
HOLD_FOR_SATISFACTION = "窗口最后一条留给满意度回访：随群众下一条消息送达"
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
class Template:
    """A WeChat template (or subscription) message: its id and template key → notice field."""

    id: str
    fields: Mapping[str, str] = field(default_factory=dict)

    def data(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {key: str(values.get(source, "") or "") for key, source in self.fields.items()}


@dataclass(frozen=True, slots=True)
class Route:
    action: Action
    reason: str = ""
    until: datetime | None = None
    template: Template | None = None
    via: str = ""


@dataclass(frozen=True, slots=True)
class Situation:
    """What the policy looks at for one (possibly merged) notice."""

    channel: str
    kind: str
    priority: int
    reachable: bool
    last_inbound_at: datetime | None
    window_sent: int
    satisfaction_waiting: bool = False


class Policy:
    def __init__(
        self,
        *,
        push_channels: frozenset[str],
        quiet: QuietHours | None = None,
        urgent_priority: int = 2,
        window: timedelta = timedelta(hours=48),
        quota: int = 5,
        templates: Mapping[str, Template] | None = None,
        satisfaction_kinds: frozenset[str] = frozenset({"satisfaction"}),
    ) -> None:
        self.push_channels = push_channels - PUSH_NONE
        self.quiet = quiet
        self.urgent_priority = urgent_priority
        self.window = window
        self.quota = quota
        self.templates = dict(templates or {})
        self.satisfaction_kinds = satisfaction_kinds

    @classmethod
    def from_settings(cls, settings: Settings, push_channels: frozenset[str]) -> Policy:
        templates = {
            kind: Template(str(t["id"]), dict(t.get("fields") or {"first": "text"}))
            for kind, t in settings.wechat_templates.items()
        }
        kinds = frozenset(k.strip() for k in settings.notifier_satisfaction_kinds.split(",") if k.strip())
        return cls(
            push_channels=push_channels,
            quiet=QuietHours.parse(settings.quiet_hours, settings.timezone),
            urgent_priority=settings.notifier_urgent_priority,
            window=timedelta(hours=settings.wechat_window_hours),
            quota=settings.wechat_window_quota,
            templates=templates,
            satisfaction_kinds=kinds,
        )

    def counts_messages(self, channel: str) -> bool:
        """Whether the platform counts messages (so piled-up notices are merged into one)."""
        return channel == "wechat"

    def is_satisfaction(self, kind: str) -> bool:
        return kind in self.satisfaction_kinds

    def window_opened_after(self, now: datetime) -> datetime:
        return now - self.window

    def slots_left(self, s: Situation, now: datetime) -> int:
        if s.last_inbound_at is None or s.last_inbound_at <= self.window_opened_after(now):
            return 0
        return max(0, self.quota - s.window_sent)

    def route(self, s: Situation, now: datetime) -> Route:
        if not s.reachable:
            return Route("fail", FAIL_UNREACHABLE)
        if s.channel not in self.push_channels:
            return Route("hold", HOLD_NO_PUSH)
        if self.quiet and s.priority > self.urgent_priority and (until := self.quiet.until(now)):
            return Route("wait", "免打扰时段，早上再发", until=until)
        if s.channel != "wechat":
            return Route("send", via="message")
        return self._wechat(s, now)

    def _wechat(self, s: Situation, now: datetime) -> Route:
        left = self.slots_left(s, now)
        important = self.is_satisfaction(s.kind) or s.priority <= self.urgent_priority
        if left > 1 or (left == 1 and (important or not s.satisfaction_waiting)):
            return Route("send", via="customer_service")
        if (template := self.templates.get(s.kind)) is not None:
            return Route("template", template=template, via="template")
        return Route("hold", HOLD_FOR_SATISFACTION if left == 1 else HOLD_WINDOW)
