"""The WeChat Official Account channel's settings (``MINYI_WECHAT_*``): on when the token is set."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.config import blank_is_none


class WeChatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_WECHAT_", env_file=".env", extra="ignore")

    token: SecretStr | None = None  # the platform's 令牌: the channel is on when it is set
    aes_key: SecretStr | None = None  # EncodingAESKey (safe mode)
    aes_key_previous: SecretStr | None = None  # the previous one, while rotating
    compatible_mode: bool = False  # 兼容模式: with an AES key, accept plaintext requests too
    appid: str | None = None
    secret: SecretStr | None = None  # AppSecret: customer-service messages, templates, media, menu
    api_base: str = "https://api.weixin.qq.com"
    max_clock_skew_s: int = Field(default=300, ge=1)  # older/newer timestamps: a replay (403)
    reply_deadline_s: float = Field(default=4.0, gt=0, lt=5)  # passive reply budget (WeChat: 5 s)
    window_hours: int = Field(default=48, ge=1)  # customer-service window after a citizen message
    window_quota: int = Field(default=5, ge=0)  # customer-service messages allowed per window
    api_timeout_s: float = Field(default=5.0, gt=0)  # timeout of one WeChat API call
    templates: dict[str, dict[str, Any]] = Field(default_factory=dict)  # notice kind → {id, fields}

    @field_validator("token", "appid", "secret", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return blank_is_none(v)

    @field_validator("aes_key", "aes_key_previous", mode="before")
    @classmethod
    def _aes_key_43(cls, v: object) -> object:
        """An EncodingAESKey is 43 characters of base64 (32 bytes); checked here, at start-up."""
        if v in ("", None):
            return None
        raw = v.get_secret_value() if isinstance(v, SecretStr) else str(v)
        if len(raw) != 43:
            raise ValueError(f"EncodingAESKey 应为 43 个字符，现在是 {len(raw)} 个（请从公众平台复制完整）")
        try:
            if len(base64.b64decode(raw + "=", validate=True)) != 32:
                raise ValueError
        except (binascii.Error, ValueError) as exc:
            raise ValueError("EncodingAESKey 只能由字母、数字、+ 和 / 组成") from exc
        return v

    @field_validator("compatible_mode")
    @classmethod
    def _compatible_needs_a_key(cls, v: bool, info: ValidationInfo) -> bool:
        """Compatible mode without a key would drop every encrypted push: refused at start-up."""
        if v and info.data.get("aes_key") is None:
            raise ValueError("兼容模式需要同时设置 MINYI_WECHAT_AES_KEY（消息的密文部分要用它解密）")
        return v

    @property
    def enabled(self) -> bool:
        return self.token is not None

    @property
    def safe_mode(self) -> bool:
        """An AES key and no compatible mode: only encrypted requests are accepted."""
        return self.aes_key is not None and not self.compatible_mode

    @property
    def can_send(self) -> bool:
        """AppID and AppSecret are set: the account can call the API (notices, media, menu)."""
        return bool(self.appid and self.secret)
