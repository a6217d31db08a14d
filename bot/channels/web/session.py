"""The web chat's session: the server issues a random secret in an HttpOnly cookie and derives
the citizen's identity from it (``s-`` + a hash). Only the hash is ever stored or logged, so
nothing written anywhere lets anyone act as that citizen, and no client-chosen id is trusted."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from dialogs import UserRef

CHANNEL = "web"
COOKIE = "minyi_web"
COOKIE_PATH = "/api/web"
SECRET = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
IDENTITY_PREFIX = "s-"


def identity(secret: str) -> str:
    """The citizen's id for a session secret: one-way, so the id written anywhere is no key."""
    return IDENTITY_PREFIX + hashlib.sha256(secret.encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Session:
    """The session of one request; ``fresh``: issued now (the response sets the cookie)."""

    secret: str
    fresh: bool

    @property
    def user(self) -> UserRef:
        return UserRef(CHANNEL, identity(self.secret))


def session_of(request: web.Request) -> Session:
    """The request's session, or a new one when it has no (well-formed) cookie."""
    secret = request.cookies.get(COOKIE, "")
    if SECRET.fullmatch(secret):
        return Session(secret, fresh=False)
    return Session(secrets.token_urlsafe(32), fresh=True)


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """How the session cookie is set: ``secure`` None means Secure when the request was https."""

    secure: bool | None = None
    max_age: timedelta = timedelta(days=365)

    def keep(self, response: web.StreamResponse, request: web.Request, session: Session) -> None:
        """Set (or renew) the cookie on ``response``."""
        response.set_cookie(
            COOKIE,
            session.secret,
            path=COOKIE_PATH,
            max_age=int(self.max_age.total_seconds()),
            httponly=True,
            samesite="Strict",
            secure=request.secure if self.secure is None else self.secure,
        )
