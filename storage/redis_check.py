"""Whether Redis keeps what it is given across a restart: the scaled shape keeps citizens' drafts
(conversation state) only in Redis, so ``minyi serve`` requires AOF persistence there
(``appendonly yes``, ``appendfsync everysec``) unless ``MINYI_REDIS_VOLATILE_OK=true`` says
losing drafts on a Redis restart is accepted.

Read from ``INFO persistence`` (``aof_enabled``), which managed Redis services that forbid
``CONFIG`` still answer; ``CONFIG GET appendfsync`` is asked only to warn about a weak fsync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.exceptions import RedisError

from storage.backends import redis_client
from storage.config import Settings
from storage.errors import StartupError

log = logging.getLogger(__name__)

WEAK_FSYNC = "no"  # the OS decides when to write: ~30 s of drafts lost if the machine fails
CONFIGURE = "请在 redis.conf 中设置 appendonly yes 和 appendfsync everysec 并重启 Redis"


@dataclass(frozen=True, slots=True)
class Persistence:
    """What Redis said about its persistence."""

    aof: bool
    fsync: str | None  # None: CONFIG is not allowed (managed Redis)


async def persistence(redis: Redis) -> Persistence:
    """Ask Redis; raises ``RedisError``/``OSError`` if it cannot be asked."""
    info = await redis.info("persistence")
    aof = str(info.get("aof_enabled", "0")) == "1"
    try:
        fsync = (await redis.config_get("appendfsync")).get("appendfsync")
    except RedisError:  # managed Redis: CONFIG renamed or refused
        fsync = None
    return Persistence(aof, fsync if isinstance(fsync, str) else None)


async def require_durable(redis: Redis, *, volatile_ok: bool) -> str:
    """What the start-up line says about Redis's persistence, or ``StartupError`` when drafts
    would not survive a Redis restart and ``volatile_ok`` is not set (or Redis does not answer)."""
    try:
        found = await persistence(redis)
    except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
        raise StartupError(
            f"无法连接 Redis（{type(exc).__name__}: {exc}）：请确认 Redis 已启动、MINYI_REDIS_URL 正确。"
        ) from exc
    except RedisError as exc:  # INFO refused (ACL, renamed command)
        if volatile_ok:
            return f"持久化未确认（{type(exc).__name__}）：Redis 重启时群众正在填写的内容可能丢失"
        raise StartupError(
            f"无法确认 Redis 是否开启了持久化（INFO persistence 被拒绝：{exc}）：请允许 INFO 命令，"
            f"并{CONFIGURE.removeprefix('请')}（确实可以接受丢失时，设置 MINYI_REDIS_VOLATILE_OK=true）。"
        ) from exc
    if not found.aof:
        if volatile_ok:
            log.warning("Redis has no AOF persistence: drafts are lost when Redis restarts")
            return "未开启持久化（MINYI_REDIS_VOLATILE_OK=true）：Redis 重启时群众正在填写的内容会丢失"
        raise StartupError(
            f"Redis 没有开启持久化（AOF），重启 Redis 会丢失群众正在填写的内容：{CONFIGURE}"
            "（确实可以接受丢失时，设置 MINYI_REDIS_VOLATILE_OK=true）。"
        )
    if found.fsync == WEAK_FSYNC:
        log.warning("Redis appendfsync is 'no': a machine failure loses up to ~30 s of drafts")
        return "AOF 持久化，但 appendfsync no：机器故障时可能丢失最近约 30 秒的草稿，建议 everysec"
    return "AOF 持久化"


async def check(settings: Settings) -> str:
    """``require_durable`` on a client of its own (``minyi serve`` asks before it listens)."""
    assert settings.redis_url is not None
    redis = redis_client(settings.redis_url, max_connections=1)
    try:
        return await require_durable(redis, volatile_ok=settings.redis_volatile_ok)
    finally:
        await redis.aclose()
