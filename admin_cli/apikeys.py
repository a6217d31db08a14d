"""``minyi-admin apikeys …``: the keys of partner systems for Open311 (``storage.apikeys``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from admin_cli.context import audit, run, staff_name
from admin_cli.render import console, print_json
from storage import apikeys

app = typer.Typer(help="Open311 接口密钥。", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]
As = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]


@app.command("add")
def add(
    name: str,
    can: Annotated[str, typer.Option("--can", help="submit | read-own（含 submit）")],
    as_: As = None,
) -> None:
    """Make a key NAME (also the channel its items come in on); its secret is shown only now."""
    who = staff_name(as_)

    async def work() -> str:
        _, secret = await apikeys.add(name, can)
        await audit(who, "apikey_add", f"{name} {can}")
        return secret

    secret = run(work)
    console.print(f"[green]✓[/green] 已添加密钥 {name}（{can}）。")
    console.print(
        "[bold yellow]密钥只显示这一次，请立即交给对方妥善保存；系统只存它的摘要，无法找回。[/bold yellow]"
    )
    print(secret)


@app.command("list")
def list_(as_json: Json = False) -> None:
    rows = run(apikeys.list_keys)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"接口密钥（{len(rows)}）")
    for column in ("名称", "权限", "使用次数", "最近使用", "已吊销"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], r["can"], str(r["uses"]), r["last_used_at"] or "—", r["revoked_at"] or "否")
    console.print(table)


@app.command("revoke")
def revoke(name: str, as_: As = None) -> None:
    who = staff_name(as_)

    async def work() -> None:
        await apikeys.revoke(name)
        await audit(who, "apikey_revoke", name)

    run(work)
    console.print(f"[green]✓[/green] 已吊销密钥 {name}。")
