"""What every staff command shares: the settings (read once), who is acting, running with the
database (never created or migrated here: ``minyi serve`` or ``minyi migrate`` do that)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from typer._click.globals import get_current_context

from admin_cli.render import errors
from bot.root import Config, database, load_config
from storage.errors import MinyiError
from storage.models import StaffEvent
from storage.workflow.clocks import Clocks

T = TypeVar("T")


def _invocation() -> dict[str, object]:
    """What this run of ``minyi-admin`` holds (the root command's context object)."""
    context = get_current_context(silent=True)
    if context is None:
        return {}
    root = context.find_root()
    if root.obj is None:
        root.obj = {}
    return root.obj


def config() -> Config:
    """The settings, read once per run of the command."""
    held = _invocation()
    if not isinstance(loaded := held.get("config"), Config):
        loaded = held["config"] = load_config()
    return loaded


def clocks() -> Clocks:
    return config().core.clocks


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the database; a ``MinyiError`` becomes a red message and exit code 1."""

    async def main() -> T:
        async with database(config(), migrate=False):
            return await work()

    try:
        return asyncio.run(main())
    except MinyiError as exc:
        errors.print(f"[red]{exc}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from exc


def staff_name(given: str | None = None) -> str:
    """``--as NAME`` (after the command or before it: ``minyi-admin --as NAME …``) or
    ``MINYI_STAFF``: every staff action says who acted."""
    globally = _invocation().get("as")
    name = given or (globally if isinstance(globally, str) else None) or config().core.staff
    if not name or not name.strip():
        errors.print("[red]请用 --as 姓名 或环境变量 MINYI_STAFF 说明经办人。[/red]", soft_wrap=True)
        raise typer.Exit(2)
    return name.strip()


async def audit(actor: str, action: str, subject: str) -> None:
    """A staff act that is not a change to one item (a phone revealed, a department added…)."""
    await StaffEvent.create(actor=actor, action=action, subject=subject[:2000])
