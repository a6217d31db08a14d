"""``minyi-admin departments …`` and ``minyi-admin campaigns …``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.context import audit, clocks, run, staff_name
from admin_cli.render import console, print_json
from dialogs.campaign import SCENE_PREFIX
from storage import catalogue

departments = typer.Typer(help="承办单位。", no_args_is_help=True)
campaigns = typer.Typer(help="专项征集。", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]
As = Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")]


def _today() -> date:
    return clocks().today(datetime.now(UTC))


@departments.command("add")
def department_add(name: str, as_: As = None) -> None:
    """Add a department (承办单位)."""
    who = staff_name(as_)

    async def work() -> str:
        made = await catalogue.add_department(name)
        await audit(who, "department_add", made.name)
        return made.name

    console.print(f"[green]✓[/green] 已添加承办单位：{run(work)}")


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
    as_: As = None,
) -> None:
    """Open a 专项征集: the chat offers it when a suggestion starts, between the two dates, and its
    link and poster QR scene open the chat on it."""
    who = staff_name(as_)

    async def work() -> str:
        made = await catalogue.add_campaign(topic, starts.date(), ends.date(), description)
        await audit(who, "campaign_add", f"{made.id} {made.topic}")
        return (
            f"专项征集 {made.id}：{made.topic}（{made.starts_on} 至 {made.ends_on}）\n"
            f"  网页链接：/?campaign={made.id}　微信带参数二维码场景值：{SCENE_PREFIX}{made.id}"
            f"　Telegram 链接：?start={SCENE_PREFIX}{made.id}"
        )

    console.print(f"[green]✓[/green] {run(work)}")


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
def campaign_close(campaign_id: int, as_: As = None) -> None:
    """Stop offering a campaign."""
    who = staff_name(as_)

    async def work() -> str:
        closed = await catalogue.close_campaign(campaign_id)
        await audit(who, "campaign_close", f"{closed.id} {closed.topic}")
        return closed.topic

    console.print(f"[green]✓[/green] 已结束专项征集：{run(work)}")
