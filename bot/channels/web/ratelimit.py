"""Rate limits of the web chat, per session and per client address (``limits``, moving window;
in this process's memory, or in Redis shared by every process when Redis is configured)."""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from aiohttp import web
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from storage.config import Settings
from storage.ratelimit import limiter_storage as shared_storage

log = logging.getLogger(__name__)
SCOPE = "web"


def limiter_storage(redis: Redis | None) -> Storage:
    """This channel's counters (``storage.ratelimit``)."""
    return shared_storage(redis, SCOPE)


def client_address(request: web.Request, proxy_hops: int) -> str:
    """The client's address: the peer, or behind ``proxy_hops`` trusted proxies the address
    they saw (``X-Forwarded-For``, counted from the right). IPv6 by its /64 (one subscriber)."""
    address = request.remote or ""
    if proxy_hops:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        if len(forwarded) >= proxy_hops:
            address = forwarded[-proxy_hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


@dataclass(frozen=True, slots=True)
class Rates:
    """The limits, parsed once (``storage.config.Settings`` checked their notation)."""

    session: RateLimitItem
    address: RateLimitItem
    polls: RateLimitItem
    address_polls: RateLimitItem

    @classmethod
    def of(cls, settings: Settings) -> Rates:
        return cls(
            parse(settings.web_rate_session),
            parse(settings.web_rate_address),
            parse(settings.web_rate_polls),
            parse(settings.web_rate_address_polls),
        )


class WebLimits:
    """Each check counts one request and returns None when it is allowed, else the seconds to wait."""

    def __init__(self, storage: Storage, rates: Rates) -> None:
        self.strategy = MovingWindowRateLimiter(storage)
        self.rates = rates

    async def message(self, session: str, address: str) -> int | None:
        return await self._take((self.rates.session, "msg", session), (self.rates.address, "addr", address))

    async def poll(self, session: str, address: str) -> int | None:
        return await self._take(
            (self.rates.polls, "poll", session), (self.rates.address_polls, "pa", address)
        )

    async def ack(self, session: str, address: str) -> int | None:
        """An ack follows a poll that found something: per session as many as polls, counted apart."""
        return await self._take((self.rates.polls, "ack", session), (self.rates.address_polls, "pa", address))

    async def claim(self, address: str) -> int | None:
        """A session request (an old page's claim) counts against the address's messages."""
        return await self._take((self.rates.address, "addr", address))

    async def _take(self, *limits: tuple[RateLimitItem, str, str]) -> int | None:
        for item, kind, ident in limits:
            try:
                if not await self.strategy.hit(item, kind, ident):
                    stats = await self.strategy.get_window_stats(item, kind, ident)
                    return max(1, math.ceil(stats.reset_time - time.time()))
            except Exception:  # the limiter's store is down: serve rather than refuse everyone
                log.warning("web rate limiter unavailable; request allowed", exc_info=True)
                return None
        return None
