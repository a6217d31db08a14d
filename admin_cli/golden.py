"""``minyi-admin items golden TICKET --year --note`` and ``minyi-admin golden list --year``: 金点子."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from admin_cli.context import run
from admin_cli.render import console, print_json
from admin_cli.transitions import _do
from storage.workflow import golden as golden_flow
from storage.workflow.vocabulary import state_label

As = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def register(items_app: typer.Typer, app: typer.Typer) -> None:
    """Add ``golden`` to ``items`` and the ``golden`` group (``golden list``) to the root."""

    @items_app.command("golden")
    def mark(
        ticket: str,
        year: Annotated[int, typer.Option(help="年度，例如 2026")],
        note: Annotated[str, typer.Option(help="评选说明或所获奖励")],
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """评为金点子 (only adopted suggestions); the author is told."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: golden_flow.golden(t, actor=who, clocks=c, year=year, note=note),
        )

    group = typer.Typer(help="金点子: the year's best suggestions.", no_args_is_help=True)

    @group.command("list")
    def list_(
        year: Annotated[int | None, typer.Option(help="年度（默认：全部）")] = None,
        as_json: Json = False,
    ) -> None:
        """The 金点子 of a year."""
        rows = run(lambda: golden_flow.golden_list(year))
        if as_json:
            print_json(rows)
            return
        title = f"{year} 年度金点子" if year is not None else "金点子"
        table = Table(title=f"{title}（{len(rows)} 件）")
        for col in ("年度", "编号", "标题", "公开标题", "承办单位", "状态", "说明/奖励"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(
                str(r["year"]),
                r["ticket"],
                r["title"],
                r["public_title"] or "（未公开）",
                "、".join(r["departments"]) or "—",
                state_label(r["status"]),
                r["note"],
            )
        console.print(table)

    app.add_typer(group, name="golden")
