"""What every staff command shares: the settings, who is acting, running with the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from admin_cli.render import console
from storage.config import Settings
from storage.errors import MinyiError
from storage.runtime import run_with_db

T = TypeVar("T")


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the database; a ``MinyiError`` becomes a red message and exit code 1."""
    try:
        return run_with_db(Settings(), work)
    except MinyiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


def staff_name(given: str | None) -> str:
    """``--as NAME`` or ``MINYI_STAFF``; staff actions must say who acted."""
    name = given or Settings().staff
    if not name:
        console.print("[red]请用 --as 姓名 或环境变量 MINYI_STAFF 说明经办人。[/red]")
        raise typer.Exit(2)
    return name
