"""Signatures (constant-time, with a freshness window, each signed pair once) and AES for WeChat's
safe mode.

AES is wechatpy's ``WeChatCrypto``; the current EncodingAESKey is tried first, then the previous
one (key rotation), and the reply is encrypted with whichever key worked.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot.channels.wechat.replay import MemoryReplays, RedisReplays, Replays
from storage.turns import Guard


class Forbidden(Exception):
    """The request is not from WeChat (bad signature, plaintext in safe mode) or is a replay
    (stale timestamp, a signed pair reused with another body): 403."""


class Undecryptable(Exception):
    """The ciphertext does not open with any configured key (answered ``success``)."""


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 over the sorted parts, hex."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Verifier:
    """Checks ``signature``/``msg_signature`` in constant time, the timestamp's freshness, that a
    signed ``timestamp``+``nonce`` pair carries one content only, and whether plaintext may come."""

    token: str
    max_skew_s: int = 300
    clock: Callable[[], float] = time.time
    plaintext_ok: bool = True  # 明文/兼容模式; False in safe mode (an AES key, no compatible mode)
    replays: Replays = field(default_factory=MemoryReplays)

    def check(self, signature: str, timestamp: str, nonce: str, *extra: str) -> None:
        """Raise ``Forbidden`` unless ``signature`` signs token, timestamp, nonce (and ``extra``)."""
        try:
            sent_at = int(timestamp)
        except ValueError as exc:
            raise Forbidden("timestamp is not an integer") from exc
        expected = sign(self.token, timestamp, nonce, *extra)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Forbidden("signature does not verify")
        if abs(self.clock() - sent_at) > self.max_skew_s:
            raise Forbidden(f"timestamp {timestamp} is outside the {self.max_skew_s}s window")

    def plaintext(self) -> None:
        """Raise ``Forbidden`` for an unencrypted request in safe mode."""
        if not self.plaintext_ok:
            raise Forbidden("plaintext request refused in safe mode (MINYI_WECHAT_COMPATIBLE_MODE is off)")

    async def once(self, timestamp: str, nonce: str, fingerprint: str) -> None:
        """Raise ``Forbidden`` when this (checked) pair already came with another content.

        The pair is remembered until its timestamp leaves the window, so it cannot come back later."""
        if not await self.replays.admit(timestamp, nonce, fingerprint, self._ttl(timestamp)):
            raise Forbidden("timestamp and nonce already used for another request (a replay)")

    async def guarded(self, timestamp: str, nonce: str, fingerprint: str) -> Guard | None:
        """``once`` for a message step: as a ``Guard`` the step's first Redis call checks (the
        pipeline raises ``Refused`` for a replay), or checked here and now (None)."""
        if isinstance(self.replays, RedisReplays):
            return self.replays.guard(timestamp, nonce, fingerprint, self._ttl(timestamp))
        await self.once(timestamp, nonce, fingerprint)
        return None

    def _ttl(self, timestamp: str) -> int:
        return max(1, math.ceil(int(timestamp) + self.max_skew_s - self.clock())) + 1


class Cipher:
    """Decrypt an ``Encrypt`` value with the current key, then the previous; encrypt replies."""

    def __init__(self, token: str, appid: str, key: str, previous: str | None = None) -> None:
        for k in (key, previous):
            if k is not None and len(k) != 43:  # wechatpy only asserts (stripped by python -O)
                raise ValueError("a WeChat EncodingAESKey has 43 characters")
        self.cryptos = [WeChatCrypto(token, k, appid) for k in (key, previous) if k]
        self.appid = appid

    def decrypt(self, encrypted: str) -> tuple[str, WeChatCrypto]:
        """The plaintext XML and the crypto that opened it; ``Undecryptable`` otherwise.

        wechatpy leaks UnicodeDecodeError, struct.error, binascii.Error, ValueError and
        InvalidAppIdException for a wrong key or a damaged ciphertext: all mean the same here."""
        for crypto in self.cryptos:
            try:
                return PrpCrypto(crypto.key).decrypt(encrypted, self.appid), crypto
            except Exception:
                continue
        raise Undecryptable("no configured EncodingAESKey opens this message")

    @staticmethod
    def encrypt(crypto: WeChatCrypto, xml: str, nonce: str, timestamp: str) -> str:
        """The safe-mode reply envelope (never call this for ``success``)."""
        return str(crypto.encrypt_message(xml, nonce, timestamp))
