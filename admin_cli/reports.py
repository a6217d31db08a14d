"""``minyi-admin overdue | stats | digest | export``: supervision and reporting."""

from __future__ import annotations

import csv
import html
import json
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import track
from rich.table import Table

from admin_cli.context import audit, clocks, run, staff_name
from admin_cli.render import console, errors, local, print_json
from storage import reports
from storage.workflow.vocabulary import channel_label, state_label

Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]
Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD (office time zone)")]
CLOCKS = {"accept": "受理告知（15日）", "handle": "办理"}


class By(StrEnum):
    department = "department"
    category = "category"
    channel = "channel"


class Format(StrEnum):
    md = "md"
    html = "html"
    json = "json"


def _start(day: datetime | None) -> datetime | None:
    return clocks().midnight(day.date()) if day else None


def _end(day: datetime | None) -> datetime | None:
    return clocks().midnight(day.date()) + timedelta(days=1) if day else None  # --until is inclusive


def overdue(within: Annotated[int, typer.Option(help="days ahead")] = 3, as_json: Json = False) -> None:
    """督办: items past or near their 15-day acceptance notice or handling limit, by department."""
    rows = run(lambda: reports.overdue(datetime.now(UTC), within))
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"督办（超期或 {within} 天内到期：{len(rows)} 件）")
    for col in ("承办单位", "编号", "时限", "状态", "标题", "期限", "剩余天数"):
        table.add_column(col, overflow="fold")
    for r in rows:
        left = f"[red]超期 {-r['days_left']:.1f}[/red]" if r["overdue"] else f"{r['days_left']:.1f}"
        table.add_row(
            "、".join(r["departments"]) or "（未交办）",
            r["ticket"],
            CLOCKS[r["clock"]],
            state_label(r["status"]),
            r["title"],
            local(r["due_at"], clocks().zone),
            left,
        )
    console.print(table)


def stats(
    since: Day = None,
    until: Day = None,
    by: Annotated[By | None, typer.Option()] = None,
    as_json: Json = False,
) -> None:
    """Counts by state, accepted within 15 days, adoption rate, on-time rate, satisfaction, items sent
    back, response time."""
    data = run(lambda: reports.stats(_start(since), _end(until), by.value if by else None))
    if as_json:
        print_json(data)
        return
    table = Table(title="统计")
    for col in (
        "分组",
        "件数",
        "各状态",
        "15日内受理告知率",
        "采纳率",
        "按期率",
        "满意率",
        "平均评价",
        "退回再办",
        "平均受理时长(小时)",
    ):
        table.add_column(col, overflow="fold")
    for name, f in [("合计", data["total"]), *data["groups"].items()]:
        states = " ".join(f"{state_label(k)}:{v}" for k, v in f["by_state"].items())
        group = channel_label(name) if by is By.channel else name
        table.add_row(
            group,
            str(f["count"]),
            states,
            _pct(f["accepted_in_time_rate"]),
            _pct(f["adoption_rate"]),
            _pct(f["on_time_rate"]),
            _pct(f["satisfied_rate"]),
            _num(f["average_satisfaction"]),
            str(f["sent_back"]),
            _num(f["mean_hours_to_accept"]),
        )
    console.print(table)


def _pct(value: float | None) -> str:
    """A rate, or — when there is nothing to count (0 is 0%, not —)."""
    return "—" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def digest(
    since: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
    until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
    fmt: Annotated[Format, typer.Option("--format", help="md, html or json")] = Format.md,
    out: Annotated[Path | None, typer.Option(help="file to write (default: reports/…)")] = None,
) -> None:
    """人民建议摘报: reported suggestions by category, with 问题/症结/对策 and consent; similar
    suggestions make one entry: 同类建议 N 件，附议 M 人."""
    groups = run(lambda: reports.digest(_start(since) or since, _end(until) or until))
    title = f"人民建议摘报（{since:%Y-%m-%d} 至 {until:%Y-%m-%d}）"
    entries = [(cat, e) for cat, items in groups.items() for e in items]
    lines = [f"# {title}", "", f"共 {len(entries)} 条。", ""]
    current = None
    for category, e in track(entries, description="整理摘报", console=console, disable=len(entries) < 50):
        if category != current:
            lines += [f"## {category}", ""]
            current = category
        lines += _entry(e)
    text = "\n".join(lines)
    if fmt is Format.html:
        text = _html(title, lines)
    elif fmt is Format.json:
        text = json.dumps({"title": title, "groups": groups}, ensure_ascii=False, indent=2)
    path = out or Path("reports") / f"digest-{since:%Y%m%d}-{until:%Y%m%d}.{fmt.value}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    console.print(f"[green]✓[/green] 摘报 {len(entries)} 条，已写入：{path.resolve()}")


def _entry(e: dict[str, Any]) -> list[str]:
    consent = "作者同意联系" if e["contact_ok"] else "作者不希望被联系"
    author = "匿名" if e["anonymous"] else "实名"
    return [
        f"### {e['title']}（{e['ticket']}）",
        "",
        f"- 问题：{e['problem']}",
        f"- 症结：{e['cause'] or '（未填）'}",
        f"- 对策：{e['measure']}",
        f"- 地点：{e['place'] or '（未填）'}",
        f"- 作者：{author}，{consent}",
        *_similar(e),
        "",
    ]


def _similar(e: dict[str, Any]) -> list[str]:
    """The line of a group of similar suggestions: 同类建议 N 件，附议 M 人 (and which they are)."""
    count, backing = e.get("count", 1), e.get("supporters", 0)
    if count <= 1 and not backing:
        return []
    notes = [f"另见 {'、'.join(e['similar'])}"] if e.get("similar") else []
    notes += [f"并入的重复件 {'、'.join(e['merged'])}"] if e.get("merged") else []
    return [f"- 同类建议 {count} 件，附议 {backing} 人" + (f"（{'；'.join(notes)}）" if notes else "")]


def _html(title: str, lines: list[str]) -> str:
    body = []
    for line in lines:
        if line.startswith("### "):
            body.append(f"<h3>{html.escape(line[4:])}</h3>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("- "):
            body.append(f"<p>{html.escape(line[2:])}</p>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    return (
        f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{html.escape(title)}</title>'
        + "".join(body)
    )


def export(
    since: Day = None,
    fmt: Annotated[str, typer.Option("--format", help="csv")] = "csv",
    out: Annotated[Path | None, typer.Option(help="file (default: standard output)")] = None,
    reveal: Annotated[
        bool, typer.Option("--reveal", help="full phone numbers (recorded, needs --as)")
    ] = False,
    as_: Annotated[str | None, typer.Option("--as", help="经办人 (or MINYI_STAFF)")] = None,
) -> None:
    """Items as CSV for the office's other systems (codes for kind, state and channel)."""
    if fmt != "csv":
        errors.print("[red]目前只支持 --format csv。[/red]")
        raise typer.Exit(2)
    who = staff_name(as_) if reveal else None

    async def work() -> list[dict[str, Any]]:
        rows = await reports.export_rows(_start(since), reveal=reveal)
        if who is not None:
            await audit(who, "reveal", f"export: {len(rows)} 条")
        return rows

    rows = run(work)
    handle = out.open("w", encoding="utf-8-sig", newline="") if out else sys.stdout
    fields = list(rows[0]) if rows else ["ticket"]
    writer = csv.DictWriter(handle, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    if out:
        handle.close()
        console.print(f"[green]✓[/green] {len(rows)} 条，已写入：{out.resolve()}")


def register(app: typer.Typer) -> None:
    for command in (overdue, stats, digest, export):
        app.command()(command)
