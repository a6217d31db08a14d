"""The Telegram channel's settings (``MINYI_TELEGRAM_*``): on when the bot token is set."""

from __future__ import annotations

import re

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.config import blank_is_none

SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_TELEGRAM_", env_file=".env", extra="ignore")

    token: SecretStr | None = None  # from @BotFather: notices are pushed when it is set
    secret: SecretStr | None = None  # the webhook's secret header: POST /telegram is served when set
    api_base: str = "https://api.telegram.org/bot"
    rate_overall: str = "30/second"  # send limits (``limits`` notation), shared through Redis
    rate_per_chat: str = "1/second"

    @field_validator("token", "secret", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return blank_is_none(v)

    @field_validator("secret")
    @classmethod
    def _secret_format(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not SECRET_FORMAT.match(v.get_secret_value()):
            raise ValueError("应为 1–256 个字母、数字、_ 或 -")
        return v

    @property
    def enabled(self) -> bool:
        return self.token is not None

    @property
    def webhook(self) -> bool:
        return self.token is not None and self.secret is not None
