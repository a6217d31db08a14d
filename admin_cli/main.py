"""``minyi-admin``: the staff tool. Sub-commands live in their own modules; ``--as NAME`` may come
before any of them (``minyi-admin --as 王芳 items accept …``) or after the command."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer._click.exceptions import UsageError
from typer.exceptions import Abort

from admin_cli import apikeys, catalogue, golden, items, notices, reports, similar
from admin_cli.render import errors
from admin_cli.usage import explain
from storage.errors import StartupError

app = typer.Typer(help="民意 minyi — 工作人员工具 (the staff tool).", no_args_is_help=True)
app.add_typer(items.app, name="items")
similar.register(items.app)
app.add_typer(notices.app, name="notices")
app.add_typer(catalogue.departments, name="departments")
app.add_typer(catalogue.campaigns, name="campaigns")
app.add_typer(apikeys.app, name="apikeys")
golden.register(items.app, app)
reports.register(app)


@app.callback()
def staff(
    ctx: typer.Context,
    as_: Annotated[str | None, typer.Option("--as", help="经办人 for every command (or MINYI_STAFF)")] = None,
) -> None:
    """民意 minyi — 工作人员工具。"""
    ctx.obj = {"as": as_}  # read by ``context.staff_name``; the settings are kept here too


def main() -> None:
    """Run the tool; usage mistakes and start-up problems are one Chinese line each."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=sys.argv[1:], prog_name="minyi-admin", standalone_mode=False)
    except UsageError as exc:
        errors.print(f"[red]{explain(exc)}[/red]", highlight=False, soft_wrap=True)
        sys.exit(2)
    except StartupError as exc:
        errors.print(f"[red]minyi-admin：{exc}[/red]", highlight=False, soft_wrap=True)
        sys.exit(1)
    except Abort:
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
