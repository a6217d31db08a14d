"""The statutory clocks of 《信访工作条例》 and the office's time zone, in one table an office can
change by configuration (``MINYI_CLOCK_*``, ``MINYI_TIMEZONE``). Every date a citizen or a staff
member reads is formatted here, in that zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clocks:
    accept_days: int = 15  # tell the citizen within 15 days whether it is accepted
    handle_days: int = 60  # finish within 60 days of acceptance
    max_extension_days: int = 30  # one extension, at most 30 days, with a reason
    review_request_days: int = 30  # ask for 复查/复核 within 30 days of the answer
    review_days: int = 30  # decide a review within 30 days
    redo_days: int = 30  # an answer the citizen was not satisfied with: redone within this
    timezone: str = "Asia/Shanghai"  # the office's local time: ticket dates, deadlines, quiet hours

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def accept_due(self, received_at: datetime) -> datetime:
        return received_at + timedelta(days=self.accept_days)

    def handle_due(self, accepted_at: datetime) -> datetime:
        return accepted_at + timedelta(days=self.handle_days)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def day(self, at: datetime) -> str:
        """A date as the citizen reads it: ``2026年12月07日``."""
        return self.local(at).strftime("%Y年%m月%d日")

    def midnight(self, day: date) -> datetime:
        """The start of ``day`` in the office's zone (for ``--since``/``--until`` and the like)."""
        return datetime(day.year, day.month, day.day, tzinfo=self.zone)


DEFAULT = Clocks()
