"""The core settings, read from ``MINYI_*`` environment variables (pydantic-settings): the
database, Redis, the office's clocks and time zone, the notifier. Each platform's own settings
live in its channel package (``bot/channels/*/settings.py``); ``bot.root`` reads them all once."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.workflow.clocks import Clocks
from storage.workflow.vocabulary import ASKS_RATING


def blank_is_none(value: object) -> object:
    """An environment variable set to "" means unset (``MINYI_REDIS_URL=`` switches Redis off)."""
    return None if value in ("", None) else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite://minyi.db"
    redis_url: str | None = None
    # drafts live in Redis: `minyi serve` refuses a Redis without AOF unless this says losing them is fine
    redis_volatile_ok: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    timezone: str = "Asia/Shanghai"
    media_dir: Path = Path("media")
    resume_after_minutes: int = Field(30, ge=0, description="idle minutes before a draft is offered back")
    dedupe_ttl_seconds: int = 24 * 3600
    state_ttl_days: int = 30
    staff: str | None = None
    log_level: str = "INFO"
    max_in_flight: int = Field(default=64, ge=1)  # messages one process works on at once; more: refused
    max_queued: int = Field(default=256, ge=0)  # WeChat pushes queued beyond that (answered later)

    # /metrics: outbox gauges read in the background; optionally a bearer token and/or its own port
    metrics_refresh_seconds: float = Field(default=5.0, gt=0)
    metrics_token: SecretStr | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)  # set: the main port has no /metrics
    metrics_host: str = "127.0.0.1"

    # notifier: relay, quiet hours
    notifier_embedded: bool = False  # run the relay inside `minyi serve` (one process on SQLite)
    quiet_hours: str = "22:00-08:00"  # local time (``timezone``); empty switches quiet hours off
    notifier_batch: int = Field(default=200, ge=1, le=5000)
    notifier_concurrency: int = Field(default=64, ge=1, le=1000)
    notifier_lease_seconds: float = Field(default=60.0, gt=0)
    notifier_poll_seconds: float = Field(default=1.0, gt=0)
    notifier_max_attempts: int = Field(default=8, ge=1)
    notifier_backoff_seconds: float = Field(default=5.0, gt=0)  # first retry; doubles, with jitter
    notifier_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    notifier_urgent_priority: int = 2  # priority <= this ignores quiet hours (1 most urgent, 9 least)
    # notice kinds that ask for satisfaction (the vocabulary's, plus an office's own)
    notifier_satisfaction_kinds: str = ",".join(["satisfaction", *sorted(ASKS_RATING)])

    # statutory clocks (《信访工作条例》), in days; an office may change them
    clock_accept_days: int = Field(default=15, ge=1)
    clock_handle_days: int = Field(default=60, ge=1)
    clock_max_extension_days: int = Field(default=30, ge=0)
    clock_review_request_days: int = Field(default=30, ge=1)
    clock_review_days: int = Field(default=30, ge=1)
    clock_redo_days: int = Field(default=30, ge=1)

    # the web chat: its session cookie, rate limits (``limits`` notation, moving window, shared
    # through Redis when configured) and the one-time claim of an old page's localStorage id
    web_cookie_secure: bool | None = None  # unset: Secure when the request came over https
    web_session_days: int = Field(default=365, ge=1)
    web_rate_session: str = "20/minute"  # messages per session
    web_rate_address: str = "120/minute"  # messages and session requests per client address
    web_rate_polls: str = "12/minute"  # notice polls per session (and as many acks)
    web_rate_address_polls: str = "600/minute"  # polls and acks per client address (many behind one NAT)
    web_proxy_hops: int = Field(default=0, ge=0, le=5)  # trusted proxies adding X-Forwarded-For
    web_legacy_claims: bool = True  # an old page's ``minyi_user`` may be bound to a new session once
    # Open311 GeoReport v2 (/open311): requests per API key (or per client address without one)
    open311_rate: str = "60/minute"

    @field_validator("redis_url", "staff", "metrics_token", "metrics_port", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return blank_is_none(v)

    @field_validator("web_cookie_secure", mode="before")
    @classmethod
    def _blank_is_auto(cls, v: object) -> object:
        return blank_is_none(v)

    @field_validator(
        "web_rate_session", "web_rate_address", "web_rate_polls", "web_rate_address_polls", "open311_rate"
    )
    @classmethod
    def _rate(cls, v: str) -> str:
        try:
            parse(v)
        except ValueError as exc:
            raise ValueError(f"{v!r} 不是有效的频率（例如 20/minute、5 per second）") from exc
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"没有 {v!r} 这个时区（例如 Asia/Shanghai）") from exc
        return v

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_span(cls, v: str) -> str:
        parts = [p.strip() for p in v.split("-")] if v.strip() else []
        try:
            if parts and (len(parts) != 2 or not all(time.fromisoformat(p) for p in parts)):
                raise ValueError
        except ValueError as exc:
            raise ValueError("格式应为 HH:MM-HH:MM（如 22:00-08:00），留空表示不设免打扰时段") from exc
        return v

    @property
    def clocks(self) -> Clocks:
        return Clocks(
            accept_days=self.clock_accept_days,
            handle_days=self.clock_handle_days,
            max_extension_days=self.clock_max_extension_days,
            review_request_days=self.clock_review_request_days,
            review_days=self.clock_review_days,
            redo_days=self.clock_redo_days,
            timezone=self.timezone,
        )

    @property
    def resume_after_s(self) -> int:
        return self.resume_after_minutes * 60
