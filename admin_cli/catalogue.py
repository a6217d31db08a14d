"""``minyi-admin departments …`` and ``minyi-admin campaigns …``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from admin_cli.context import run
from admin_cli.render import console, print_json
from storage import catalogue

departments = typer.Typer(help="承办单位。", no_args_is_help=True)
campaigns = typer.Typer(help="专项征集。", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@departments.command("add")
def department_add(name: str) -> None:
    """Add a department (承办单位)."""
    made = run(lambda: catalogue.add_department(name))
    console.print(f"[green]✓[/green] 已添加承办单位：{made.name}")


@departments.command("list")
def department_list(as_json: Json = False) -> None:
    rows = run(catalogue.departments)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"承办单位（{len(rows)}）")
    table.add_column("名称")
    for r in rows:
        table.add_row(r["name"])
    console.print(table)


@campaigns.command("add")
def campaign_add(
    topic: Annotated[str, typer.Option(help="专题")],
    starts: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")],
    ends: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")],
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Open a 专项征集: the chat offers it when a suggestion starts, between the two dates."""
    made = run(lambda: catalogue.add_campaign(topic, starts.date(), ends.date(), description))
    console.print(f"[green]✓[/green] 专项征集 {made.id}：{made.topic}（{made.starts_on} 至 {made.ends_on}）")


@campaigns.command("list")
def campaign_list(as_json: Json = False) -> None:
    rows = run(lambda: catalogue.campaigns(_today()))
    if as_json:
        print_json(rows)
        return
    table = Table(title="专项征集")
    for col in ("编号", "专题", "开始", "结束", "状态", "建议数"):
        table.add_column(col)
    for r in rows:
        state = "征集中" if r["open"] else ("已结束" if r["closed"] else "未在征集期")
        table.add_row(str(r["id"]), r["topic"], r["starts_on"], r["ends_on"], state, str(r["items"]))
    console.print(table)


@campaigns.command("close")
def campaign_close(campaign_id: int) -> None:
    """Stop offering a campaign."""
    closed = run(lambda: catalogue.close_campaign(campaign_id))
    console.print(f"[green]✓[/green] 已结束专项征集：{closed.topic}")
