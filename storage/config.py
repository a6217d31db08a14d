"""The one settings object, read from ``MINYI_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
    # Telegram channel (issue 4): send limits shared by all processes (``limits`` notation)
    telegram_rate_overall: str = "30/second"
    telegram_rate_per_chat: str = "1/second"

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
