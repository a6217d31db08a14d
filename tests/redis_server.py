"""A private ``redis-server`` on a free port, for tests that stop, kill or restart Redis, or need
it to persist (the machine's Redis is shared and keeps nothing on disk): AOF with
``appendfsync everysec`` by default, no RDB snapshots, its files in a directory of the test's."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

START_TIMEOUT_S = 10.0


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def require_redis_server() -> str:
    """The ``redis-server`` on PATH; skip without one (fail under ``CI=true``)."""
    binary = redis_server_binary()
    if binary is None:
        message = "redis-server is not on PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a missing service is a failure)")
        pytest.skip(message)
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    """One ``redis-server`` process; ``restart`` brings it back on the same port and directory."""

    binary: str
    directory: Path
    aof: bool = True
    extra: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def argv(self) -> list[str]:
        return [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.aof else "no",
            "--appendfsync", "everysec",
            "--logfile", str(self.directory / "redis.log"),
            *self.extra,
        ]  # fmt: skip

    async def start(self) -> None:
        """Start it and wait until it answers PING (its AOF loaded)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv(), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not await self._pong():
            if self.proc.returncode is not None or time.monotonic() > deadline:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server did not start on {self.port}:\n{log}")
            await asyncio.sleep(0.02)

    async def _pong(self) -> bool:
        with contextlib.suppress(OSError):
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                writer.write(b"PING\r\n")
                await writer.drain()
                return (await asyncio.wait_for(reader.readline(), 1.0)).startswith(b"+PONG")
            except (OSError, TimeoutError):
                return False
            finally:
                writer.close()
        return False

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Send ``sig`` (SIGKILL: no shutdown, whatever the AOF holds is all that survives)."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(sig)
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    async def restart(self, sig: signal.Signals = signal.SIGTERM) -> None:
        await self.stop(sig)
        await self.start()


@asynccontextmanager
async def private_redis(
    directory: Path, *, aof: bool = True, extra: tuple[str, ...] = ()
) -> AsyncIterator[RedisServer]:
    """A started private Redis (skips the test without ``redis-server``), stopped afterwards."""
    server = RedisServer(require_redis_server(), directory, aof, extra)
    await server.start()
    try:
        yield server
    finally:
        await server.stop(signal.SIGKILL)
