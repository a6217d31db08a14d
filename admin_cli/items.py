"""``minyi-admin items …``: list and show what citizens filed, enter what came by letter, call or
visit. Phones are masked unless ``--reveal``; each reveal is recorded with who asked."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from admin_cli import transitions
from admin_cli.context import audit, clocks, run, staff_name
from admin_cli.render import console, item_tables, items_table, print_json
from storage import intake, queries
from storage.similar import staff as similar
from storage.similar.catalogue import Catalogue
from storage.workflow.vocabulary import STATES, channel_label, parse_state

app = typer.Typer(help="事项：列表、详情与办理。", no_args_is_help=True)
transitions.register(app)


class Kind(StrEnum):
    suggestion = "suggestion"
    complaint = "complaint"


JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]
RevealOpt = Annotated[bool, typer.Option("--reveal", help="show full phone numbers (recorded, needs --as)")]
AsOpt = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]


def _state(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_state(value)
    except ValueError:
        known = "、".join(f"{code}（{label}）" for code, label in STATES.items())
        raise typer.BadParameter(f"没有“{value}”这个状态。可选：{known}", param_hint="--status") from None


async def _revealed(rows: list[dict[str, Any]], reveal: bool, who: str | None, command: str) -> None:
    if reveal and who is not None:
        await audit(who, "reveal", f"{command}: " + " ".join(r["ticket"] for r in rows))


@app.command("list")
def list_(
    kind: Annotated[Kind | None, typer.Option(help="suggestion or complaint")] = None,
    status: Annotated[str | None, typer.Option(help="e.g. received / 待受理, accepted / 已受理")] = None,
    channel: Annotated[str | None, typer.Option(help="web, console, wechat, telegram, letter…")] = None,
    department: Annotated[str | None, typer.Option(help="承办单位")] = None,
    campaign: Annotated[int | None, typer.Option(help="专项征集 id")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="past a limit")] = False,
    due_within: Annotated[int | None, typer.Option(help="due within N days (or past)")] = None,
    waiting: Annotated[bool, typer.Option("--waiting", help="waiting for the citizen's words")] = False,
    search: Annotated[str | None, typer.Option(help="text in ticket, title, category")] = None,
    similar_to: Annotated[
        str | None, typer.Option("--similar-to", help="items like this ticket, most alike first")
    ] = None,
    sort: Annotated[str, typer.Option(help="created (newest first) or deadline")] = "created",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
    reveal: RevealOpt = False,
    as_: AsOpt = None,
) -> None:
    """List items (filters combine), newest first or by deadline."""
    f = queries.ItemFilter(
        kind=kind.value if kind else None,
        status=_state(status),
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
    who = staff_name(as_) if reveal else None
    if similar_to is not None:
        rows = _similar(similar_to, f, reveal, who)
    else:

        async def work() -> list[dict[str, Any]]:
            rows = await queries.list_items(f, reveal=reveal)
            await _revealed(rows, reveal, who, "items list")
            return rows

        rows = run(work)
    if as_json:
        print_json(rows)
    else:
        console.print(items_table(rows, clocks().zone))


def _similar(ticket: str, f: queries.ItemFilter, reveal: bool, who: str | None) -> list[dict[str, Any]]:
    """``items list --similar-to``: the similar items, ranked; --kind, --status and --channel apply."""
    others = (f.department, f.campaign, f.overdue, f.due_within, f.waiting, f.search, f.offset)
    if any(value not in (None, False, 0) for value in others):
        raise typer.BadParameter(
            "只能与 --kind、--status、--channel、--limit 一起使用。", param_hint="--similar-to"
        )

    async def work() -> list[dict[str, Any]]:
        wanted, wide = ticket.strip().upper(), f.status is not None or f.channel is not None
        found = await similar.similar_to(
            wanted, Catalogue(), limit=1000 if wide else f.limit, kind=f.kind, reveal=reveal
        )
        kept = [r for r in found if f.status in (None, r["status"]) and f.channel in (None, r["channel"])]
        rows = kept[: f.limit]
        await _revealed(rows, reveal, who, "items list --similar-to")
        return rows

    return run(work)


@app.command()
def show(ticket: str, as_json: JsonOpt = False, reveal: RevealOpt = False, as_: AsOpt = None) -> None:
    """Show one item: fields, citizen, deadlines, audit events, thread, next actions."""
    who = staff_name(as_) if reveal else None

    async def work() -> dict[str, Any]:
        row = await queries.item_detail(ticket.strip().upper(), reveal=reveal)
        await _revealed([row], reveal, who, "items show")
        return row

    row = run(work)
    if as_json:
        print_json(row)
    else:
        for table in item_tables(row, clocks().zone):
            console.print(table)


class Intake(StrEnum):
    letter = "letter"
    phone = "phone"
    visit = "visit"


class Contact(StrEnum):
    yes = "yes"
    no = "no"


@app.command()
def new(
    channel: Annotated[Intake, typer.Option(help="how it came in: letter, phone or visit")],
    kind: Annotated[Kind, typer.Option(help="suggestion or complaint")],
    name: Annotated[str, typer.Option(help="the citizen's name (匿名 for an anonymous suggestion)")],
    phone: Annotated[str, typer.Option(help="the citizen's phone")],
    content: Annotated[str, typer.Option(help="问题 (suggestion) or 事情经过 (complaint)")],
    request: Annotated[str, typer.Option(help="对策 (suggestion) or 诉求 (complaint)")],
    title: Annotated[str | None, typer.Option(help="a one-line title (suggestion)")] = None,
    category: Annotated[str, typer.Option()] = "其他",
    place: Annotated[str, typer.Option(help="地点 / 时间地点")] = "",
    contact: Annotated[
        Contact | None, typer.Option(help="suggestion: may staff contact the author? yes or no (ask them)")
    ] = None,
    as_: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enter an item received by letter, phone or visit (一口受理) on the citizen's behalf.

    It reaches a chat only if the platform verified that phone for a chat user (a Telegram shared
    contact); otherwise staff tell the citizen themselves, or link it later (items link)."""
    if kind is Kind.suggestion and contact is None:
        raise typer.BadParameter(
            "请问过作者后填写：工作人员可否联系作者（yes 或 no）", param_hint="--contact"
        )
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
            contact_ok="可以" if contact is Contact.yes else "不可以",
            actor=who,
            clocks=clocks(),
        )
    )
    if as_json:
        print_json({"ticket": receipt.ticket, "kind": receipt.kind, "linked_chat": linked})
        return
    console.print(f"[green]✓[/green] 已登记 {receipt.ticket}（{channel_label(channel.value)}）")
    if linked:
        console.print(f"该号码已由{channel_label(linked)}核验为本人：办理进展会在聊天里通知他/她。")
    else:
        console.print(
            "未关联聊天：办理进展请电话或书面告知（群众在聊天里提交过事项时，可用 items link 关联）。"
        )
