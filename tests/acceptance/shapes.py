"""The two deployment shapes of README, started from the console scripts: embedded (one
``minyi serve`` on SQLite with the relay inside) and scaled (PostgreSQL + Redis, two servers,
two relays).

The scaled shape's Redis keeps drafts, so ``minyi serve`` wants it persistent (AOF): the shape
starts a private ``redis-server`` with AOF when one is on PATH, else it uses
``TEST_ACCEPTANCE_REDIS_URL`` with ``MINYI_REDIS_VOLATILE_OK=true``."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.acceptance.citizens import TELEGRAM_SECRET
from tests.acceptance.platforms import Platforms
from tests.acceptance.processes import Process, clean_env, run, script
from tests.acceptance.staff import Staff
from tests.bot.channels.telegram.fake_api import TOKEN as TELEGRAM_TOKEN
from tests.bot.channels.wechat.wechat_server import AES_KEY, APPID, TOKEN
from tests.redis_server import RedisServer, redis_server_binary
from tests.services import fresh_postgres, require

SHAPES = (
    pytest.param("embedded", id="embedded"),
    pytest.param("scaled", id="scaled", marks=[pytest.mark.postgres, pytest.mark.redis]),
)
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = os.environ.get("TEST_ACCEPTANCE_PG_DB", "minyi_acceptance")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
REDIS_URL = os.environ.get("TEST_ACCEPTANCE_REDIS_URL", "redis://127.0.0.1:6379/14")
RELAY_STARTED = "通知中继已启动"
DEPARTMENT = "住建局"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def common_env(platforms: Platforms, database_url: str) -> dict[str, str]:
    """What every process of a shape is configured with."""
    return {
        "MINYI_DATABASE_URL": database_url,
        "MINYI_QUIET_HOURS": "",
        "MINYI_HOST": "127.0.0.1",
        "MINYI_WECHAT_TOKEN": TOKEN,
        "MINYI_WECHAT_AES_KEY": AES_KEY,
        "MINYI_WECHAT_APPID": APPID,
        "MINYI_WECHAT_SECRET": "s3cret",
        "MINYI_WECHAT_API_BASE": platforms.wechat_url,
        "MINYI_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "MINYI_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "MINYI_TELEGRAM_API_BASE": f"{platforms.telegram_url}/bot",
        # the per-chat limit (default 1/second) has its own tests; at the default every reply of a
        # conversation waits ~2 s, and the suite would not fit its time budget
        "MINYI_TELEGRAM_RATE_PER_CHAT": "1000/second",
    }


@dataclass
class Shape:
    """A running shape: its servers' URLs, its processes, the staff driver, the platforms."""

    name: str
    workdir: Path
    platforms: Platforms
    staff: Staff
    urls: list[str] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    redis: RedisServer | None = None  # the scaled shape's private Redis, when it has one

    def check_alive(self) -> None:
        """Fail the test (with the output) if any process of the shape has exited."""
        for process in self.processes:
            process.check()

    def new_staff(self) -> Staff:
        """A staff driver of this shape with a log of its own."""
        return Staff(self.staff.env, self.workdir)

    def output(self) -> str:
        return "\n".join(p.output() for p in self.processes)

    async def serve(self, env: dict[str, str]) -> None:
        port = free_port()
        process = Process(
            f"serve-{port}", [script("minyi"), "serve"], {**env, "MINYI_PORT": str(port)}, self.workdir
        )
        self.processes.append(process)
        await process.start()
        await process.wait_healthz(f"http://127.0.0.1:{port}")
        self.urls.append(f"http://127.0.0.1:{port}")

    async def notifier(self, env: dict[str, str], n: int) -> None:
        process = Process(f"notifier-{n}", [script("minyi"), "notifier"], env, self.workdir)
        self.processes.append(process)
        await process.start()
        await process.wait_line(RELAY_STARTED)

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes))
        if self.redis is not None:
            await self.redis.stop()


async def _redis(shape: Shape) -> dict[str, str]:
    """The scaled shape's Redis settings: a private persistent one, or the shared one (emptied)
    with the override that lets ``minyi serve`` keep drafts in a Redis without AOF."""
    if (binary := redis_server_binary()) is not None:
        shape.redis = RedisServer(binary, shape.workdir / "redis")
        await shape.redis.start()
        return {"MINYI_REDIS_URL": shape.redis.url}
    client = Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return {"MINYI_REDIS_URL": REDIS_URL, "MINYI_REDIS_VOLATILE_OK": "true"}


async def _start(shape: Shape) -> None:
    if shape.name == "embedded":
        env = clean_env(
            {
                **common_env(shape.platforms, f"sqlite://{shape.workdir}/minyi.db"),
                "MINYI_NOTIFIER_EMBEDDED": "true",
            }
        )
        shape.staff.env = env
        await shape.serve(env)
    else:
        redis, _ = await asyncio.gather(_redis(shape), fresh_postgres(PG_ADMIN_URL, PG_DATABASE))
        env = clean_env({**common_env(shape.platforms, PG_URL), **redis})
        shape.staff.env = env
        migrated = await run([script("minyi"), "migrate"], env, shape.workdir)
        assert migrated.code == 0, migrated.describe()
        await asyncio.gather(
            shape.serve(env), shape.serve(env), shape.notifier(env, 1), shape.notifier(env, 2)
        )
        shape.urls.sort()
    await shape.staff.ok("departments", "add", DEPARTMENT)


@asynccontextmanager
async def running(name: str, platforms: Platforms) -> AsyncIterator[Shape]:
    """Start the shape ``name``; stop every process and remove its directory afterwards."""
    if name == "scaled":
        require(PG_ADMIN_URL, "PostgreSQL")
        if redis_server_binary() is None:
            require(REDIS_URL, "Redis")
    workdir = Path(tempfile.mkdtemp(prefix=f"minyi-acceptance-{name}-"))
    shape = Shape(name, workdir, platforms, Staff({}, workdir))
    try:
        await _start(shape)
        yield shape
    finally:
        await shape.stop()
        shutil.rmtree(workdir, ignore_errors=True)
