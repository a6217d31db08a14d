"""``minyi-admin``: the staff tool. Sub-commands live in their own modules."""

from __future__ import annotations

import typer

from admin_cli import items, notices

app = typer.Typer(help="民意 minyi — 工作人员工具 (the staff tool).", no_args_is_help=True)
app.add_typer(items.app, name="items")
app.add_typer(notices.app, name="notices")


def main() -> None:
    app()
