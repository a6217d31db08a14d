"""Fixtures for the staff-tool tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admin_cli.staff import database_fixture


@pytest.fixture(params=["sqlite", "postgres"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``MINYI_DATABASE_URL`` pointing at a fresh SQLite file, then at an emptied PostgreSQL."""
    yield from database_fixture(request, tmp_path, monkeypatch)
