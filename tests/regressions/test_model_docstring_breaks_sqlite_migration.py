"""A model docstring becomes a table comment; tortoise's SQLite schema editor splits the DDL on
``;`` and does not escape quotes, so ``;`` or ``'`` in one broke ``minyi serve`` at start-up."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise

from storage import models
from storage.db import close_db, migrate, open_db
from storage.models import Item


def test_no_model_docstring_has_a_semicolon_or_quote() -> None:
    for name in dir(models):
        obj = getattr(models, name)
        if isinstance(obj, type) and issubclass(obj, models.Model) and obj.__module__ == models.__name__:
            doc = obj.__doc__ or ""
            assert ";" not in doc and "'" not in doc, name


async def test_migrations_apply_on_a_fresh_sqlite_file_twice(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'fresh.db'}"
    await migrate(url)
    await migrate(url)  # nothing pending the second time
    await open_db(url, apply_migrations=False)
    tables = {m._meta.db_table for m in Tortoise.apps["models"].values()}  # type: ignore[union-attr]
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type='table'")
    assert tables <= {r["name"] for r in rows}
    assert await Item.all().count() == 0
    await close_db()
