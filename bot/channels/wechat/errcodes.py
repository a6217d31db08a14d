"""WeChat API ``errcode`` → the ``storage.errors`` tree (callers decide retry vs give-up by type)."""

from __future__ import annotations

from notifier.errors import (
    ConfigurationError,
    PlatformError,
    QuotaExceeded,
    RateLimited,
    RecipientUnreachable,
    TransientError,
)

TOKEN_INVALID = frozenset({40001, 40014, 42001})  # invalid / malformed / expired access_token

_UNREACHABLE = {
    40003: "invalid openid (not a follower of this account)",
    43004: "the citizen does not follow the account",
    43019: "the citizen has blocked the account",
    43101: "the citizen refused this subscription message",
}
_QUOTA = {
    45015: "the customer-service window is closed (no message from the citizen in 48 h, or unfollowed)",
    45047: "customer-service quota of this window is spent",
    45009: "the account's daily API quota is spent",
}
_CONFIG = {
    40001: "access_token still rejected after a refresh (another deployment refreshing?)",
    40013: "invalid AppID",
    40125: "invalid AppSecret",
    40164: "this server's IP is not on the account's whitelist",
    41001: "access_token missing",
    48001: "the account is not authorised for this API",
    40037: "invalid template id",
    40016: "invalid menu (button count)",
    65302: "invalid menu (no such key)",
}
_TRANSIENT = {-1: "WeChat is busy, try again"}


def error_for(code: int, message: str = "") -> PlatformError:
    """The exception that says what ``code`` means for us."""
    detail = f"WeChat errcode {code}: {message}".rstrip(": ")
    if code in _UNREACHABLE:
        return RecipientUnreachable(f"{_UNREACHABLE[code]} ({detail})", code=code)
    if code in _QUOTA:
        return QuotaExceeded(f"{_QUOTA[code]} ({detail})", code=code)
    if code == 45011:
        return RateLimited(f"API calls too frequent ({detail})", retry_after=1.0, code=code)
    if code in _TRANSIENT:
        return TransientError(f"{_TRANSIENT[code]} ({detail})", code=code)
    if code in _CONFIG or code in TOKEN_INVALID:
        return ConfigurationError(f"{_CONFIG.get(code, 'access_token rejected')} ({detail})", code=code)
    return PlatformError(detail, code=code)
