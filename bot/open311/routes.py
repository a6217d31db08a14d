"""The Open311 handlers. The API key comes as ``api_key`` (query or form, as the spec says) or
as the user name of HTTP Basic auth (for clients that send no ``api_key`` on reads, such as
``georeport``: ``http://KEY:@host/open311/v2``). 403 bad or revoked key, 400 bad input, 404 no
such (visible) request, 429 over the caller's rate limit."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import BasicAuth, web
from limits import RateLimitItem
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.open311 import formats
from storage import apikeys, open311
from storage.errors import InvalidInput, NotFound
from storage.models import ApiKey
from storage.workflow.clocks import Clocks

FMT = "{fmt:(json|xml)}"
SPEC = "http://wiki.open311.org/GeoReport_v2"


@dataclass(slots=True)
class State:
    clocks: Clocks
    rate: RateLimitItem
    storage: Storage

    @property
    def limiter(self) -> MovingWindowRateLimiter:
        return MovingWindowRateLimiter(self.storage)


STATE = web.AppKey("open311", State)
Handler = Callable[[web.Request, str], Awaitable[web.Response]]


class TooMany(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("请求过于频繁，请稍后再试。")
        self.retry_after = retry_after


async def _secret(request: web.Request) -> str:
    if secret := request.query.get("api_key", ""):
        return secret
    if request.method == "POST":
        form = await request.post()
        if isinstance(given := form.get("api_key"), str) and given:
            return given
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            return BasicAuth.decode(header).login
        except ValueError:
            return ""
    return ""


async def _throttle(request: web.Request, secret: str) -> None:
    state = request.app[STATE]
    caller = (
        "key:" + hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else "ip:" + str(request.remote)
    )
    if not await state.limiter.hit(state.rate, caller):
        stats = await state.limiter.get_window_stats(state.rate, caller)
        raise TooMany(max(1, math.ceil(stats.reset_time - time.time())))


async def _key(request: web.Request, need: str, *, required: bool) -> ApiKey | None:
    secret = await _secret(request)
    await _throttle(request, secret)
    if not secret:
        if required:
            raise apikeys.KeyRefused("缺少 api_key。")
        return None
    return await apikeys.check(secret, need)


def _guarded(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def run(request: web.Request) -> web.Response:
        fmt = request.match_info.get("fmt", "json")
        try:
            return await handler(request, fmt)
        except TooMany as exc:
            response = formats.error(fmt, 429, str(exc))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except apikeys.KeyRefused as exc:
            return formats.error(fmt, 403, str(exc))
        except NotFound as exc:
            return formats.error(fmt, 404, str(exc))
        except InvalidInput as exc:
            return formats.error(fmt, 400, str(exc))

    return run


async def discovery(request: web.Request, fmt: str) -> web.Response:
    base = f"{request.scheme}://{request.host}/open311/v2/"
    return formats.respond(
        fmt,
        "discovery",
        {
            "changeset": "2026-01-01T00:00:00Z",
            "contact": "人民建议征集办公室",
            "key_service": "向人民建议征集办公室申请（minyi-admin apikeys add）",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": "2026-01-01T00:00:00Z",
                    "type": "production",
                    "formats": [formats.JSON_TYPE, formats.XML_TYPE],
                }
            ],
        },
    )


async def services(request: web.Request, fmt: str) -> web.Response:
    await _throttle(request, await _secret(request))
    return formats.respond(fmt, "services", open311.services())


async def definition(request: web.Request, fmt: str) -> web.Response:
    await _throttle(request, await _secret(request))
    return formats.respond(fmt, "service_definition", open311.definition(request.match_info["code"]))


async def requests(request: web.Request, fmt: str) -> web.Response:
    key = await _key(request, apikeys.READ_OWN, required=False)
    q = request.query
    rows = await open311.requests(
        key,
        service_request_id=q.get("service_request_id", ""),
        service_code=q.get("service_code", ""),
        start_date=q.get("start_date", ""),
        end_date=q.get("end_date", ""),
        status=q.get("status", ""),
    )
    return formats.respond(fmt, "requests", rows)


async def one(request: web.Request, fmt: str) -> web.Response:
    key = await _key(request, apikeys.READ_OWN, required=False)
    return formats.respond(fmt, "requests", [await open311.request(request.match_info["id"], key)])


async def create(request: web.Request, fmt: str) -> web.Response:
    key = await _key(request, apikeys.SUBMIT, required=True)
    assert key is not None
    form = await request.post()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    made = await open311.create(key, params, clocks=request.app[STATE].clocks)
    return formats.respond(fmt, "requests", [made])


def add(router: web.UrlDispatcher) -> None:
    router.add_get("/open311/discovery.{fmt:(json|xml)}", _guarded(discovery))
    router.add_get(f"/open311/v2/services.{FMT}", _guarded(services))
    router.add_get("/open311/v2/services/{code:[^/.]+}." + FMT, _guarded(definition))
    router.add_get(f"/open311/v2/requests.{FMT}", _guarded(requests))
    router.add_post(f"/open311/v2/requests.{FMT}", _guarded(create))
    router.add_get("/open311/v2/requests/{id:[^/.]+}." + FMT, _guarded(one))
