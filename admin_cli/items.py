"""``minyi-admin items …``: list and show what citizens filed."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from admin_cli import transitions
from admin_cli.context import run, staff_name
from admin_cli.render import console, item_tables, items_table, masked, print_json
from storage import intake, queries

app = typer.Typer(help="事项：列表、详情与办理。", no_args_is_help=True)
transitions.register(app)


class Kind(StrEnum):
    suggestion = "suggestion"
    complaint = "complaint"


JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]
RevealOpt = Annotated[bool, typer.Option("--reveal", help="show full phone numbers")]


@app.command("list")
def list_(
    kind: Annotated[Kind | None, typer.Option(help="suggestion or complaint")] = None,
    status: Annotated[str | None, typer.Option(help="e.g. received, accepted")] = None,
    channel: Annotated[str | None, typer.Option(help="web, console, wechat, telegram, letter…")] = None,
    department: Annotated[str | None, typer.Option(help="承办单位")] = None,
    campaign: Annotated[int | None, typer.Option(help="专项征集 id")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="past a limit")] = False,
    due_within: Annotated[int | None, typer.Option(help="due within N days (or past)")] = None,
    waiting: Annotated[bool, typer.Option("--waiting", help="waiting for the citizen's answer")] = False,
    search: Annotated[str | None, typer.Option(help="text in ticket, title, category")] = None,
    sort: Annotated[str, typer.Option(help="created (newest first) or deadline")] = "created",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
    reveal: RevealOpt = False,
) -> None:
    """List items (filters combine), newest first or by deadline."""
    f = queries.ItemFilter(
        kind=kind.value if kind else None,
        status=status,
        channel=channel,
        department=department,
        campaign=campaign,
        overdue=overdue,
        due_within=due_within,
        waiting=waiting,
        search=search,
        sort=sort,
        limit=limit,
        offset=offset,
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


class Intake(StrEnum):
    letter = "letter"
    phone = "phone"
    visit = "visit"


@app.command()
def new(
    channel: Annotated[Intake, typer.Option(help="how it came in: letter, phone or visit")],
    kind: Annotated[Kind, typer.Option(help="suggestion or complaint")],
    name: Annotated[str, typer.Option(help="the citizen's name")],
    phone: Annotated[str, typer.Option(help="the citizen's phone")],
    content: Annotated[str, typer.Option(help="问题 (suggestion) or 事情经过 (complaint)")],
    request: Annotated[str, typer.Option(help="对策 (suggestion) or 诉求 (complaint)")],
    title: Annotated[str | None, typer.Option(help="a one-line title (suggestion)")] = None,
    category: Annotated[str, typer.Option()] = "其他",
    place: Annotated[str, typer.Option(help="地点 / 时间地点")] = "",
    as_: Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Enter an item received by letter, phone or visit (一口受理) on the citizen's behalf.

    If a chat user left the same phone number, the item is theirs: they get its notices in chat."""
    who = staff_name(as_)
    receipt, linked = run(
        lambda: intake.enter(
            channel.value,
            kind.value,
            name=name,
            phone=phone,
            content=content,
            request=request,
            title=title,
            category=category,
            place=place,
            actor=who,
        )
    )
    if as_json:
        print_json({"ticket": receipt.ticket, "kind": receipt.kind, "linked_chat": linked})
        return
    console.print(f"[green]✓[/green] 已登记 {receipt.ticket}（{channel.value}）")
    if linked:
        console.print(f"该号码的群众也在用 {linked} 聊天：办理进展会在聊天里通知他/她。")
