"""The errors a platform raises through the ``Sender`` seam (and the channels' own calls). The
relay decides retry vs give-up by type, never by text. Part of the one tree of ``storage.errors``:

MinyiError
└── PlatformError             a platform (WeChat, Telegram) refused or failed
    ├── TransientError        try again later (network, 5xx, timeouts)
    │   └── RateLimited       try again after ``retry_after`` seconds
    ├── RecipientUnreachable  blocked, unsubscribed, chat not found: stop for this citizen
    ├── QuotaExceeded         the platform's per-user or per-window quota is spent: hold the notice
    └── ConfigurationError    our credentials or settings are wrong: staff must act
"""

from __future__ import annotations

from storage.errors import MinyiError


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
