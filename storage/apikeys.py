"""API keys of partner systems for Open311 (the 12345 platform, a district app).

A key's name is the channel its items come in on. The secret is shown once when the key is made
(``secrets.token_urlsafe(24)``); only its SHA-256 is stored, so a secret is found by hashing it
(a lookup on the hash is a constant-time comparison of the secret). Every accepted use is
counted (``uses``, ``last_used_at``). Rights: ``submit`` (POST requests) and ``read-own``
(POST requests and read the key's own items back; so ``read-own`` includes ``submit``)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F

from storage.errors import InvalidInput, MinyiError, NotFound
from storage.models import ApiKey
from storage.workflow.vocabulary import CHANNELS

SUBMIT, READ_OWN = "submit", "read-own"
RIGHTS: dict[str, frozenset[str]] = {SUBMIT: frozenset({SUBMIT}), READ_OWN: frozenset({SUBMIT, READ_OWN})}
NAME = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class KeyRefused(MinyiError):
    """No such key, a revoked key, or a key without the right asked for (Open311: 403)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


async def add(name: str, can: str) -> tuple[ApiKey, str]:
    """A new key; returns it and its secret (shown once, never stored)."""
    if not NAME.match(name):
        raise InvalidInput("密钥名称只能是 1–16 个字母、数字、- 或 _（它也是事项的渠道名，如 12345）。")
    if name in CHANNELS:
        raise InvalidInput(f"{name} 是已有渠道的名称，请换一个。")
    if can not in RIGHTS:
        raise InvalidInput(f"权限只能是：{'、'.join(RIGHTS)}。")
    if await ApiKey.filter(name=name).exists():
        raise InvalidInput(f"已有名为 {name} 的密钥。")
    secret = secrets.token_urlsafe(24)
    key = await ApiKey.create(name=name, can=can, secret_hash=digest(secret))
    return key, secret


async def list_keys() -> list[dict[str, Any]]:
    """Every key, oldest first, without any secret or hash."""
    return [
        {
            "name": k.name,
            "can": k.can,
            "uses": k.uses,
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            "created_at": k.created_at.isoformat() if k.created_at else None,
        }
        for k in await ApiKey.all().order_by("id")
    ]


async def revoke(name: str) -> ApiKey:
    key = await ApiKey.filter(name=name).first()
    if key is None:
        raise NotFound(f"没有名为 {name} 的密钥。")
    if key.revoked_at is None:
        key.revoked_at = _now()
        await key.save(update_fields=["revoked_at"])
    return key


async def check(secret: str, need: str) -> ApiKey:
    """The live key of ``secret`` if it has the right ``need``; counts the use. Else ``KeyRefused``."""
    key = await ApiKey.filter(secret_hash=digest(secret)).first() if secret else None
    if key is None or key.revoked_at is not None:
        raise KeyRefused("api_key 无效或已吊销。")
    if need not in RIGHTS.get(key.can, frozenset()):
        raise KeyRefused(f"这个 api_key 没有 {need} 权限。")
    now = _now()
    await ApiKey.filter(id=key.id).update(uses=F("uses") + 1, last_used_at=now)
    key.uses += 1
    key.last_used_at = now
    return key
