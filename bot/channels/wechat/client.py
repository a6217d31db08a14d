"""The outbound WeChat API on aiohttp (wechatpy's ``WeChatClient`` is synchronous: not in the loop).

Explicit timeouts on every call; transient failures retried a bounded number of times
(tenacity); one token refresh and one retry on 40001/40014/42001, never more.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from bot.channels.wechat.errcodes import TOKEN_INVALID, error_for
from bot.channels.wechat.token import MemoryTokenStore, TokenStore
from notifier.errors import PlatformError, TransientError

log = logging.getLogger(__name__)
MAX_MEDIA = 10 * 1024 * 1024


class MaybeSent(TransientError):
    """Timed out after the request went out: the platform may have acted (never retried here)."""


def _retriable(idempotent: bool) -> Any:
    def check(exc: BaseException) -> bool:
        return isinstance(exc, TransientError) and (idempotent or not isinstance(exc, MaybeSent))

    return retry_if_exception(check)


_backoff = wait_exponential_jitter(multiplier=0.2, max=2.0, jitter=0.2)


def _wait(state: RetryCallState) -> float:
    """Exponential backoff with jitter, but never sooner than a ``RateLimited.retry_after``."""
    exc = state.outcome.exception() if state.outcome else None
    return max(_backoff(state), getattr(exc, "retry_after", 0.0))


class WeChatAPI:
    """The few endpoints minyi needs: stable_token, custom/send, template, subscribe, media, menu."""

    def __init__(
        self,
        appid: str,
        secret: str,
        base: str = "https://api.weixin.qq.com",
        *,
        tokens: TokenStore | None = None,
        timeout_s: float = 5.0,
        attempts: int = 3,
    ) -> None:
        self.appid, self._secret = appid, secret
        self.base = base.rstrip("/")
        self.tokens = tokens or MemoryTokenStore()
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 3.0))
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout, raise_for_status=False)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _once(
        self, method: str, path: str, params: dict[str, str], payload: Any
    ) -> aiohttp.ClientResponse:
        url = f"{self.base}{path}"
        data = orjson.dumps(payload) if payload is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else None
        try:
            resp = await self.session().request(method, url, params=params, data=data, headers=headers)
            await resp.read()
        except aiohttp.ClientConnectorError as exc:
            raise TransientError(f"cannot connect to {self.base}: {exc}") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise MaybeSent(f"{method} {path}: {exc!r}") from exc
        if resp.status >= 500 or resp.status == 429:
            raise TransientError(f"{method} {path}: HTTP {resp.status}", code=resp.status)
        if resp.status >= 400:
            raise PlatformError(f"{method} {path}: HTTP {resp.status}", code=resp.status)
        return resp

    async def _request(
        self, method: str, path: str, params: dict[str, str], payload: Any, *, idempotent: bool
    ) -> aiohttp.ClientResponse:
        """One call with bounded retries on transient errors (timeouts after sending: reads only)."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=_wait,
            retry=_retriable(idempotent),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                resp = await self._once(method, path, params, payload)
                if resp.content_type == "application/json" or resp.content_type.startswith("text/"):
                    code = _errcode(await resp.read())
                    if code in (-1, 45011):  # busy / too frequent: nothing was done, safe to retry
                        raise error_for(code)
                return resp
        raise AssertionError("unreachable")  # pragma: no cover

    async def _fetch_token(self, force: bool) -> tuple[str, int]:
        payload = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self._secret,
            "force_refresh": force,
        }
        resp = await self._request("POST", "/cgi-bin/stable_token", {}, payload, idempotent=True)
        doc = _json(await resp.read())
        if not doc.get("access_token"):
            raise error_for(int(doc.get("errcode", 0) or 0), str(doc.get("errmsg", "no access_token")))
        log.info(
            "wechat: access token %s (expires in %ss)",
            "force-refreshed" if force else "fetched",
            doc.get("expires_in"),
        )
        return str(doc["access_token"]), int(doc.get("expires_in", 7200))

    async def token(self) -> str:
        return await self.tokens.get() or await self.tokens.refresh(self._fetch_token)

    async def call_raw(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        params: dict[str, str] | None = None,
        idempotent: bool = False,
    ) -> aiohttp.ClientResponse:
        """Call ``path`` with the access token; refresh it once and retry once on 40001/40014/42001."""
        token = await self.token()
        for refreshed in (False, True):
            query = {**(params or {}), "access_token": token}
            resp = await self._request(method, path, query, payload, idempotent=idempotent)
            code = _errcode(await resp.read()) if not _is_binary(resp) else 0
            if code in TOKEN_INVALID and not refreshed:
                log.warning("wechat: errcode %s on %s, refreshing the access token once", code, path)
                token = await self.tokens.refresh(self._fetch_token, stale=token)
                continue
            if code:
                raise error_for(code, str(_json(await resp.read()).get("errmsg", "")))
            return resp
        raise AssertionError("unreachable")  # pragma: no cover

    async def call(self, path: str, payload: Any = None, *, idempotent: bool = False) -> dict[str, Any]:
        resp = await self.call_raw("POST", path, payload, idempotent=idempotent)
        return _json(await resp.read())

    async def send_text(self, openid: str, content: str) -> dict[str, Any]:
        """A customer-service text (only inside the window: see ``window``)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        return await self.call("/cgi-bin/message/custom/send", body)

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, Any], url: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        return await self.call("/cgi-bin/message/template/send", body)

    async def send_subscribe(
        self, openid: str, template_id: str, data: dict[str, Any], page: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if page:
            body["page"] = page
        return await self.call("/cgi-bin/message/subscribe/bizsend", body)

    async def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        return await self.call("/cgi-bin/menu/create", menu, idempotent=True)

    async def download_media(self, media_id: str, dest: Path) -> Path:
        """Fetch a temporary media (kept 3 days by WeChat) into ``dest`` (written atomically)."""
        resp = await self.call_raw(
            "GET", "/cgi-bin/media/get", params={"media_id": media_id}, idempotent=True
        )
        body = await resp.read()
        if len(body) > MAX_MEDIA:
            raise PlatformError(f"media {media_id} is {len(body)} bytes, over {MAX_MEDIA}")
        await asyncio.to_thread(_write_atomically, dest, body)
        return dest


def _write_atomically(dest: Path, body: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)
    os.replace(tmp, dest)


def _is_binary(resp: aiohttp.ClientResponse) -> bool:
    return not (resp.content_type == "application/json" or resp.content_type.startswith("text/"))


def _json(raw: bytes) -> dict[str, Any]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise TransientError(f"WeChat answered something that is not JSON: {raw[:80]!r}") from exc
    if not isinstance(doc, dict):
        raise TransientError("WeChat answered JSON that is not an object")
    return doc


def _errcode(raw: bytes) -> int:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return 0
    return int(doc.get("errcode", 0) or 0) if isinstance(doc, dict) else 0
