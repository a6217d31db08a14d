"""The statutory clocks of 《信访工作条例》, in one table an office can change by configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Clocks:
    accept_days: int = 15  # tell the citizen within 15 days whether it is accepted
    handle_days: int = 60  # finish within 60 days of acceptance
    max_extension_days: int = 30  # one extension, at most 30 days, with a reason
    review_request_days: int = 30  # ask for 复查/复核 within 30 days of the answer
    review_days: int = 30  # decide a review within 30 days
    redo_days: int = 30  # an answer the citizen was not satisfied with: redone within this

    def accept_due(self, received_at: datetime) -> datetime:
        return received_at + timedelta(days=self.accept_days)

    def handle_due(self, accepted_at: datetime) -> datetime:
        return accepted_at + timedelta(days=self.handle_days)


DEFAULT = Clocks()
