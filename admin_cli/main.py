"""``minyi-admin``: the staff tool. Sub-commands live in their own modules."""

from __future__ import annotations

import typer

from admin_cli import catalogue, items, notices, reports

app = typer.Typer(help="民意 minyi — 工作人员工具 (the staff tool).", no_args_is_help=True)
app.add_typer(items.app, name="items")
app.add_typer(notices.app, name="notices")
app.add_typer(catalogue.departments, name="departments")
app.add_typer(catalogue.campaigns, name="campaigns")
reports.register(app)


def main() -> None:
    app()
