"""A notice deferred by quiet hours never became due on SQLite: the end of quiet hours was
stored with a +08:00 offset by a queryset ``update`` and compared as text with UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notifier.policy import QuietHours


def test_quiet_hours_end_is_given_in_utc() -> None:
    quiet = QuietHours.parse("22:00-08:00", "Asia/Shanghai")
    assert quiet is not None
    end = quiet.until(datetime(2026, 11, 23, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert end == datetime(2026, 11, 24, 0, 0, tzinfo=UTC) and end.tzinfo is UTC
