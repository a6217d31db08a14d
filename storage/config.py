"""The one settings object, read from ``MINYI_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.workflow.clocks import Clocks


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite://minyi.db"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    timezone: str = "Asia/Shanghai"
    media_dir: Path = Path("media")
    resume_after_minutes: int = Field(30, ge=0, description="idle minutes before a draft is offered back")
    dedupe_ttl_seconds: int = 24 * 3600
    state_ttl_days: int = 30
    staff: str | None = None
    log_level: str = "INFO"

    wechat_token: SecretStr | None = None
    wechat_aes_key: SecretStr | None = None
    wechat_aes_key_previous: SecretStr | None = None
    wechat_appid: str | None = None
    wechat_secret: SecretStr | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"

    telegram_token: SecretStr | None = None
    telegram_secret: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org/bot"
    # Telegram channel (issue 4): send limits shared by all processes (``limits`` notation)
    telegram_rate_overall: str = "30/second"
    telegram_rate_per_chat: str = "1/second"

    # notifier (issue 6): relay, quiet hours, WeChat window and templates
    notifier_embedded: bool = False  # run the relay inside `minyi serve` (one process on SQLite)
    quiet_hours: str = "22:00-08:00"  # local time (``timezone``); empty switches quiet hours off
    notifier_batch: int = Field(default=200, ge=1, le=5000)
    notifier_concurrency: int = Field(default=64, ge=1, le=1000)
    notifier_lease_seconds: float = Field(default=60.0, gt=0)
    notifier_poll_seconds: float = Field(default=1.0, gt=0)
    notifier_max_attempts: int = Field(default=8, ge=1)
    notifier_backoff_seconds: float = Field(
        default=5.0, gt=0
    )  # first retry; doubles each attempt, with jitter
    notifier_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    notifier_urgent_priority: int = 2  # priority <= this ignores quiet hours (1 most urgent, 9 least)
    notifier_satisfaction_kinds: str = "satisfaction,implement,answer"  # kinds that ask for satisfaction
    wechat_templates: dict[str, dict[str, Any]] = Field(default_factory=dict)  # kind -> {id, fields}

    # statutory clocks (《信访工作条例》), in days; an office may change them
    clock_accept_days: int = Field(default=15, ge=1)
    clock_handle_days: int = Field(default=60, ge=1)
    clock_max_extension_days: int = Field(default=30, ge=0)
    clock_review_request_days: int = Field(default=30, ge=1)
    clock_review_days: int = Field(default=30, ge=1)
    clock_redo_days: int = Field(default=30, ge=1)

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if v in ("", None) else v

    @property
    def clocks(self) -> Clocks:
        return Clocks(
            accept_days=self.clock_accept_days,
            handle_days=self.clock_handle_days,
            max_extension_days=self.clock_max_extension_days,
            review_request_days=self.clock_review_request_days,
            review_days=self.clock_review_days,
            redo_days=self.clock_redo_days,
        )

    @property
    def resume_after_s(self) -> int:
        return self.resume_after_minutes * 60

    # --- WeChat Official Account channel (issue 3): on when MINYI_WECHAT_TOKEN is set ---
    wechat_max_clock_skew_s: int = Field(default=300, ge=1)  # older/newer timestamps: a replay (403)
    wechat_reply_deadline_s: float = Field(default=4.0, gt=0, lt=5)  # passive reply budget (WeChat: 5 s)
    wechat_window_hours: int = Field(default=48, ge=1)  # customer-service window after a citizen message
    wechat_window_quota: int = Field(default=5, ge=0)  # customer-service messages allowed per window
    wechat_api_timeout_s: float = Field(default=5.0, gt=0)  # timeout of one WeChat API call

    @field_validator("wechat_aes_key", "wechat_aes_key_previous", mode="before")
    @classmethod
    def _aes_key_43(cls, v: object) -> object:
        """An EncodingAESKey is 43 characters of base64 (32 bytes); checked here, at start-up."""
        if v in ("", None):
            return None
        raw = v.get_secret_value() if isinstance(v, SecretStr) else str(v)
        if len(raw) != 43:
            raise ValueError(f"a WeChat EncodingAESKey has 43 characters, this one has {len(raw)}")
        try:
            if len(base64.b64decode(raw + "=", validate=True)) != 32:
                raise ValueError
        except (binascii.Error, ValueError) as exc:
            raise ValueError("a WeChat EncodingAESKey is base64 (A-Z a-z 0-9 + /)") from exc
        return v

    @property
    def wechat_enabled(self) -> bool:
        return self.wechat_token is not None and bool(self.wechat_token.get_secret_value())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for a command-line entry point (build once; tests construct their own)."""
    return Settings()
