"""``minyi-admin notices …``: see the outbox (pending, held, failed, sent) and send failed ones again."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli.context import audit, clocks, run, staff_name
from admin_cli.render import console, errors, local, print_json
from storage import outbox
from storage.workflow import transitions
from storage.workflow.vocabulary import channel_label

app = typer.Typer(help="通知：查看待发、暂存、失败的通知，重新发送。", no_args_is_help=True)

STATUS_LABELS = {"pending": "待发", "sending": "发送中", "sent": "已送达", "held": "暂存", "failed": "失败"}


class Status(StrEnum):
    pending = "pending"
    held = "held"
    failed = "failed"
    sent = "sent"
    sending = "sending"


def notices_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"通知（{len(rows)} 条）")
    for col in ("ID", "状态", "渠道", "类型", "编号", "尝试", "原因/方式", "创建时间", "内容"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["id"]),
            STATUS_LABELS.get(r["status"], r["status"]),
            channel_label(r["channel"]),
            transitions.label(r["kind"]),
            r["ticket"] or "—",
            str(r["attempts"]),
            r["last_error"] or r["sent_via"] or "—",
            local(r["created_at"], clocks().zone),
            r["text"][:40],
        )
    return table


@app.command("list")
def list_(
    status: Annotated[Status | None, typer.Option(help="pending, held, failed or sent")] = None,
    limit: Annotated[int, typer.Option(min=1, max=5000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """List notices, newest first."""
    rows = run(lambda: outbox.list_notices(status.value if status else None, limit))
    if as_json:
        print_json(rows)
    else:
        console.print(notices_table(rows))


@app.command()
def retry(
    ids: Annotated[list[int] | None, typer.Argument(help="notice ids (see `notices list`)")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="every failed notice")] = False,
    as_: Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")] = None,
) -> None:
    """Send failed (or held) notices again, with a fresh count of attempts."""
    if not ids and not all_failed:
        errors.print("[red]请给出通知 ID，或用 --all-failed 重发全部失败的通知。[/red]")
        raise typer.Exit(2)
    who = staff_name(as_)

    async def work() -> int:
        n = await outbox.retry(ids or (), all_failed=all_failed, now=datetime.now(UTC))
        await audit(who, "notice_retry", "all failed" if all_failed else " ".join(map(str, ids or ())))
        return n

    n = run(work)
    console.print(f"已重新排队 {n} 条通知，通知中继会尽快发送。")
    if ids and n < len(ids):
        console.print("[yellow]有的通知不存在、已送达或正在发送，未改动。[/yellow]")
