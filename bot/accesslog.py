"""Access log lines that carry no credential, and quiet refusals of malformed HTTP.

A line is ``METHOD path status bytes ms rid=… client=…``: the path never has its query string
(WeChat signs with ``signature``/``timestamp``/``nonce`` and names the ``openid`` there; the web
chat's ``user_id`` rides there too), an unmatched path shows its first segment only, the client
address is a short salted hash, and ``rid`` is the ``X-Request-Id`` every response carries (set
here when a handler did not). ``bot.cli`` serves through ``runner``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import BadHttpMessage

REQUEST_ID = "X-Request-Id"
_SALT = secrets.token_bytes(16)  # per process: a client's hash links its lines, never its address
_MAX_SEGMENT = 40
_FROM_CLIENT = "Error handling request from %s"  # aiohttp's message; its argument is the address


def short_hash(value: str, salt: bytes = b"") -> str:
    """Ten hex digits of SHA-256: enough to tell lines apart, not to recover the value."""
    return hashlib.sha256(salt + value.encode("utf-8", "replace")).hexdigest()[:10]


def pseudonym(openid: str) -> str:
    """How a citizen's platform id appears in logs (stable, so one citizen's lines can be found:
    ``python -c 'from bot.accesslog import pseudonym; print(pseudonym("o..."))'``)."""
    return "u:" + short_hash(openid, b"minyi-user:")


def request_id() -> str:
    return os.urandom(6).hex()


def logged_path(request: web.BaseRequest) -> str:
    """The route's path (never the query); for an unmatched one only its first segment."""
    info = getattr(request, "_match_info", None)  # set once an app request is routed
    resource = getattr(getattr(info, "route", None), "resource", None)  # None: 404/405, unparsed
    if resource is not None:
        return str(resource.canonical)
    first, _, rest = request.path.lstrip("/").partition("/")
    shown = "".join(c if c.isprintable() and c.isascii() else "?" for c in first[:_MAX_SEGMENT])
    return "/" + shown + ("/…" if rest or len(first) > _MAX_SEGMENT else "")


class AccessLog(AbstractAccessLogger):
    """One line per request, nothing secret in it (see the module's docstring)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        client = short_hash(request.remote or "-", _SALT)
        self.logger.info(
            "%s %s %d %dB %.1fms rid=%s client=%s",
            request.method,
            logged_path(request),
            response.status,
            response.body_length,
            time * 1000,
            response.headers.get(REQUEST_ID, "-"),
            client,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


async def _stamp(request: web.Request, response: web.StreamResponse) -> None:
    if REQUEST_ID not in response.headers:
        response.headers[REQUEST_ID] = request_id()


def with_request_ids(app: web.Application) -> web.Application:
    """``app`` with an ``X-Request-Id`` on every response that lacks one (before it is frozen)."""
    app.on_response_prepare.append(_stamp)
    return app


class _QuietBadRequests(logging.Filter):
    """aiohttp logs a request it cannot parse (a URL over 8 KiB, a broken header) at ERROR with a
    traceback; it still answers 400/414 itself. Make that one warning line. Its other errors keep
    their traceback, with the client's address hashed."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, BadHttpMessage):
            record.msg, record.args = (
                "refused a malformed HTTP request: %s (%s)",
                (
                    type(exc).__name__,
                    exc.code,
                ),
            )
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        elif record.msg == _FROM_CLIENT and isinstance(record.args, tuple) and record.args:
            record.args = (short_hash(str(record.args[0]), _SALT),)
        return True


SERVER_LOG = logging.getLogger("bot.http")  # aiohttp's server errors for ``minyi serve``
SERVER_LOG.addFilter(_QuietBadRequests())


def runner(app: web.Application) -> web.AppRunner:
    """How ``minyi serve`` runs ``app``: these access lines, request ids, quiet bad requests."""
    return web.AppRunner(with_request_ids(app), access_log_class=AccessLog, logger=SERVER_LOG)
