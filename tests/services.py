"""Where the real services are, and the rule for when they are missing: skip on a laptop,
fail under ``CI=true``."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

PG_URL = os.environ.get("TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=1):
            return True
    except OSError:
        return False


def require(url: str, what: str) -> None:
    """Skip (or fail under CI=true) when ``url`` does not answer."""
    if reachable(url):
        return
    message = f"{what} is not reachable at {url}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: a missing service is a failure)")
    pytest.skip(message)


async def fresh_postgres(admin_url: str, name: str) -> None:
    """Database ``name`` dropped (whoever is connected) and created empty."""
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
