"""A TCP proxy a test puts between the service and a dependency (PostgreSQL), to cut it — every
connection dropped, new ones refused — and restore it, on the same port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlparse

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from storage.db import tortoise_config
from tests.redis_server import free_port

CHUNK = 64 * 1024


class TcpProxy:
    """``127.0.0.1:port`` → ``upstream``; ``cut()`` is an outage, ``restore()`` its end."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(CHUNK):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()  # one side ended: so does the other
        self.writers.discard(sink)

    async def cut(self) -> None:
        """Refuse new connections and drop every open one (both ends)."""
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()
        for task in list(self.pipes):
            task.cancel()
        await asyncio.gather(*self.pipes, return_exceptions=True)

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()


def through(proxy: TcpProxy, url: str) -> str:
    """``url`` with the proxy's address (user and password kept)."""
    parsed = urlparse(url)
    user = parsed.netloc.rpartition("@")[0]
    return parsed._replace(
        netloc=f"{user}@127.0.0.1:{proxy.port}" if user else f"127.0.0.1:{proxy.port}"
    ).geturl()


@contextlib.asynccontextmanager
async def postgres_through_proxy(url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """The (migrated) PostgreSQL database ``url``, emptied, opened through a proxy the test can
    cut; yields the proxy and the URL through it."""
    upstream = urlparse(url)
    proxy = TcpProxy(upstream.hostname or "127.0.0.1", upstream.port or 5432)
    await proxy.start()
    proxied = through(proxy, url)
    EXECUTOR_CACHE.clear()  # the process may have run SQLite before (see tests/conftest.py)
    await Tortoise.init(config=tortoise_config(proxied), _enable_global_fallback=True)
    try:
        tables = [m._meta.db_table for m in Tortoise.apps["models"].values()]  # type: ignore[union-attr]
        await Tortoise.get_connection("default").execute_script(
            f"TRUNCATE {', '.join([*tables, 'item_department'])} RESTART IDENTITY CASCADE"
        )
        yield proxy, proxied
    finally:
        if proxy.server is None:  # the test failed while it was cut
            await proxy.restore()
        await Tortoise.close_connections()
        await proxy.close()
