"""Opening and closing the database, and applying migrations (tortoise-orm 1.x built-ins)."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as _migrate

MODELS = ["storage.models"]


def tortoise_config(url: str) -> dict[str, Any]:
    """The Tortoise config for one database URL (``sqlite://…`` or ``postgres://…``)."""
    return {
        "connections": {"default": url},
        "apps": {
            "models": {"models": MODELS, "default_connection": "default", "migrations": "storage.migrations"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(url: str) -> None:
    """Apply every pending migration."""
    try:
        await _migrate(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


async def open_db(url: str, *, apply_migrations: bool = True) -> None:
    """Connect (and migrate first when asked); call once in the composition root."""
    if apply_migrations:
        await migrate(url)
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


# For `tortoise makemigrations` (pyproject [tool.tortoise]).
TORTOISE_ORM = tortoise_config("sqlite://minyi.db")
