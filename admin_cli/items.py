"""``minyi-admin items …``: list and show what citizens filed."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from admin_cli.context import run
from admin_cli.render import console, item_tables, items_table, masked, print_json
from storage import queries

app = typer.Typer(help="事项：列表、详情与办理。", no_args_is_help=True)


class Kind(StrEnum):
    suggestion = "suggestion"
    complaint = "complaint"


JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]
RevealOpt = Annotated[bool, typer.Option("--reveal", help="show full phone numbers")]


@app.command("list")
def list_(
    kind: Annotated[Kind | None, typer.Option(help="suggestion or complaint")] = None,
    status: Annotated[str | None, typer.Option(help="e.g. received, accepted")] = None,
    channel: Annotated[str | None, typer.Option(help="web, console, wechat, telegram…")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
    reveal: RevealOpt = False,
) -> None:
    """List items, newest first."""
    f = queries.ItemFilter(
        kind=kind.value if kind else None, status=status, channel=channel, limit=limit, offset=offset
    )
    rows = [masked(r, reveal) for r in run(lambda: queries.list_items(f))]
    if as_json:
        print_json(rows)
    else:
        console.print(items_table(rows))


@app.command()
def show(ticket: str, as_json: JsonOpt = False, reveal: RevealOpt = False) -> None:
    """Show one item: fields, citizen, audit events and thread."""
    row = masked(run(lambda: queries.item_detail(ticket.strip().upper())), reveal)
    if as_json:
        print_json(row)
    else:
        for table in item_tables(row):
            console.print(table)
