"""The one exception tree of minyi. Callers decide retry vs give-up by type, never by text.

MinyiError
├── NotFound                  no such item (or not this citizen's)
├── InvalidTransition         the workflow does not allow that action in that state
│   └── ConcurrentChange      someone else changed the item first
├── DuplicateSubmission       the same submission key was already stored
├── InvalidInput              a command's argument is unusable (bad phone, bad date...)
└── PlatformError             a platform (WeChat, Telegram) refused or failed
    ├── TransientError        try again later (network, 5xx, timeouts)
    │   └── RateLimited       try again after ``retry_after`` seconds
    ├── RecipientUnreachable  blocked, unsubscribed, chat not found: stop for this citizen
    ├── QuotaExceeded         the platform's per-user or per-window quota is spent
    └── ConfigurationError    our credentials or settings are wrong: staff must act
"""

from __future__ import annotations


class MinyiError(Exception):
    """Base of every error minyi raises on purpose."""


class NotFound(MinyiError):
    pass


class InvalidTransition(MinyiError):
    def __init__(self, message: str, *, action: str = "", status: str = "") -> None:
        super().__init__(message)
        self.action = action
        self.status = status


class ConcurrentChange(InvalidTransition):
    pass


class DuplicateSubmission(MinyiError):
    pass


class InvalidInput(MinyiError):
    pass


class PlatformError(MinyiError):
    def __init__(self, message: str, *, code: int | str | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientError(PlatformError):
    pass


class RateLimited(TransientError):
    def __init__(self, message: str, *, retry_after: float, code: int | str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class RecipientUnreachable(PlatformError):
    pass


class QuotaExceeded(PlatformError):
    pass


class ConfigurationError(PlatformError):
    pass
