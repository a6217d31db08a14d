"""``minyi-admin items publish|unpublish|merge|unmerge|similar``: similar items (issue 13).
Staff write a suggestion's public wording (only then may other citizens co-sign it), merge a
duplicate into the item it repeats (its author becomes a supporter), and look up the items most
like one item — of either kind, all of them: staff see everything."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli.context import run
from admin_cli.render import console, print_json
from admin_cli.transitions import _do
from storage.similar.catalogue import Catalogue
from storage.similar.staff import similar_to
from storage.workflow import merging
from storage.workflow.vocabulary import kind_label, state_label

As = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]
Limit = Annotated[int, typer.Option(min=1, max=100, help="at most this many")]


def similar_rows(
    ticket: str, *, limit: int = 10, kind: str | None = None, reveal: bool = False
) -> list[dict[str, Any]]:
    """The items most like TICKET, best first (a fresh catalogue: caught up from the database)."""
    wanted = ticket.strip().upper()
    return run(lambda: similar_to(wanted, Catalogue(), limit=limit, kind=kind, reveal=reveal))


def marks(row: dict[str, Any]) -> str:
    """What sets a similar item apart: 公开, 已合并到 …, 同一人 (a complaint of the same person)."""
    found = ["公开"] if row["published"] else []
    found += [f"已合并到 {row['merged_into']}"] if row["merged_into"] else []
    found += ["同一人"] if row["same_person"] else []
    return "、".join(found) or "—"


def similar_table(ticket: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"与 {ticket} 相似的事项（{len(rows)} 条，按相似度）")
    for col in ("编号", "类型", "状态", "标题", "相似度", "共同词语", "附议", "标记"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["ticket"],
            kind_label(r["kind"]),
            state_label(r["status"]),
            r["title"],
            f"{r['score']:.2f}",
            "、".join(r["why"]),
            str(r["supporters"]),
            marks(r),
        )
    return table


def register(app: typer.Typer) -> None:
    """Add the similar-item commands to ``items``."""

    @app.command()
    def publish(
        ticket: str,
        title: Annotated[str, typer.Option(help="公开标题（不含姓名、电话、门牌号）")],
        summary: Annotated[str, typer.Option(help="公开摘要（不含姓名、电话、门牌号）")],
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """公开 a suggestion in the wording staff write: other citizens may then co-sign it."""
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: merging.publish(t, actor=who, clocks=c, title=title, summary=summary),
        )

    @app.command()
    def unpublish(
        ticket: str,
        reason: Annotated[str, typer.Option(help="why")] = "",
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """取消公开: no longer offered to other citizens; its supporters stay."""
        _do(ticket, as_json, as_, lambda t, who, c: merging.unpublish(t, actor=who, clocks=c, reason=reason))

    @app.command()
    def merge(
        ticket: str,
        into: Annotated[str, typer.Option("--into", help="the main item it repeats")],
        note: Annotated[str, typer.Option(help="why (kept in the audit trail)")] = "",
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """合并 a duplicate into MAIN: it is closed, its author becomes a supporter of MAIN."""
        main = into.strip().upper()
        _do(
            ticket,
            as_json,
            as_,
            lambda t, who, c: merging.merge(t, actor=who, clocks=c, into=main, note=note),
        )
        if not as_json:
            console.print(
                f"[dim]重复件的提出人（及其附议人）已成为 {main} 的附议人，会收到其办理进展。[/dim]"
            )

    @app.command()
    def unmerge(
        ticket: str,
        note: Annotated[str, typer.Option(help="why")] = "",
        as_: As = None,
        as_json: Json = False,
    ) -> None:
        """取消合并: the duplicate is handled on its own again."""
        _do(ticket, as_json, as_, lambda t, who, c: merging.unmerge(t, actor=who, clocks=c, note=note))

    @app.command()
    def similar(ticket: str, limit: Limit = 10, as_json: Json = False) -> None:
        """相似事项: the items most like TICKET (both kinds), with the score and the shared words."""
        rows = similar_rows(ticket, limit=limit)
        if as_json:
            print_json(rows)
        elif rows:
            console.print(similar_table(ticket.strip().upper(), rows))
        else:
            console.print(f"没有与 {ticket.strip().upper()} 相似的事项。")
