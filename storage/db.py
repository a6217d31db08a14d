"""Opening and closing the database, and applying migrations (tortoise-orm 1.x built-ins).

Only ``minyi migrate`` and the embedded SQLite ``minyi serve`` migrate. Every other command opens
an existing database whose schema is current, or stops with one line saying what to do: it never
creates an empty ``minyi.db`` in whatever folder it was started from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.migrations.api import migrate as _migrate
from tortoise.migrations.executor import MigrationExecutor

from storage.errors import StartupError

MODELS = ["storage.models"]


def tortoise_config(url: str) -> dict[str, Any]:
    """The Tortoise config for one database URL (``sqlite://…`` or ``postgres://…``).

    A SQLite file is shared by ``minyi serve`` and the staff's ``minyi-admin``: transactions take
    the write lock when they begin (``storage.sqlite``) and a writer waits up to 10 s for the other
    (``busy_timeout``) instead of failing with "database is locked"."""
    connection: str | dict[str, Any] = url
    if url.startswith("sqlite://"):
        connection = expand_db_url(url)
        connection["engine"] = "storage.sqlite"
        connection["credentials"].setdefault("busy_timeout", 10000)
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {"models": MODELS, "default_connection": "default", "migrations": "storage.migrations"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite://`` URL (None for other databases and ``:memory:``)."""
    if not url.startswith("sqlite://"):
        return None
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


async def migrate(url: str) -> None:
    """Apply every pending migration."""
    try:
        await _migrate(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


async def pending_migrations(url: str) -> list[str]:
    """The migrations not yet applied to the open database (all of them on an empty one)."""
    apps = tortoise_config(url)["apps"]
    executor = MigrationExecutor(get_connection("default"), apps)
    try:
        steps = await executor.plan()
    except Exception:  # no migrations table at all: nothing was ever applied
        return ["storage.migrations (all)"]
    return [s.migration.name for s in steps if not s.backward]


async def open_db(url: str, *, apply_migrations: bool) -> None:
    """Connect (migrating first when asked); call once in the composition root.

    Without ``apply_migrations`` the database must exist and be current (``StartupError``)."""
    path = sqlite_path(url)
    if not apply_migrations and path is not None and not path.exists():
        raise StartupError(
            f"没有找到数据库文件 {path.resolve()}：请在运行 minyi serve 的目录里执行，"
            "或用 MINYI_DATABASE_URL 指向它（新部署请先运行 minyi migrate）。"
        )
    if apply_migrations:
        await migrate(url)
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    if not apply_migrations and (pending := await pending_migrations(url)):
        await Tortoise.close_connections()
        raise StartupError(f"数据库结构不是最新的（{len(pending)} 个迁移未执行）：请先运行 minyi migrate。")


async def close_db() -> None:
    await Tortoise.close_connections()


# For `tortoise makemigrations` (pyproject [tool.tortoise]).
TORTOISE_ORM = tortoise_config("sqlite://minyi.db")
