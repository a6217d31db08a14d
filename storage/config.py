"""The one settings object, read from ``MINYI_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    wechat_window_hours: float = Field(default=48.0, gt=0)
    wechat_window_quota: int = Field(default=5, ge=0)
    wechat_templates: dict[str, dict[str, Any]] = Field(default_factory=dict)  # kind -> {id, fields}

    @field_validator("redis_url", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if v in ("", None) else v

    @property
    def resume_after_s(self) -> int:
        return self.resume_after_minutes * 60


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for a command-line entry point (build once; tests construct their own)."""
    return Settings()
