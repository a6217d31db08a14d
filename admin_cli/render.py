"""How staff see things: Rich tables for people, JSON for programs; phones masked by default."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dialogs.forms import FORMS
from storage.workflow import transitions
from storage.workflow.vocabulary import channel_label, kind_label, state_label

EXTRA_FIELDS = {"campaign": "专项征集", "photos": "照片", "contact_ok": "可否联系"}
console = Console()
errors = Console(stderr=True)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def local(ts: str | None, zone: tzinfo) -> str:
    """A stored time as staff read it: in the office's time zone (``MINYI_TIMEZONE``)."""
    if not ts:
        return "—"
    return datetime.fromisoformat(ts).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def who(c: dict[str, Any]) -> str:
    """The citizen of a row: the name given on that item (匿名 if so), the (masked) phone."""
    return f"{c['name'] or '—'} {c['phone']}".strip()


def commands(names: list[str]) -> str:
    """Next actions as staff type them, with what they do: ``accept（受理）``."""
    labels = {e.command: e.label for e in transitions.EDGES if e.command}
    return "  ".join(f"{name}（{labels.get(name, name)}）" for name in names) or "—"


def items_table(rows: list[dict[str, Any]], zone: tzinfo) -> Table:
    """Items as listed; rows of ``items list --similar-to`` (with a ``score``) add 相似度."""
    ranked = any("score" in r for r in rows)
    table = Table(title=f"事项（{len(rows)} 条{'，按相似度' if ranked else ''}）", show_lines=False)
    columns = ("编号", "类型", "状态", "类别", "标题", "渠道", "提交时间", "群众")
    for col in (*columns, "相似度") if ranked else columns:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["ticket"],
            kind_label(r["kind"]),
            state_label(r["status"]),
            r["category"],
            r["title"],
            channel_label(r["channel"]),
            local(r["created_at"], zone),
            who(r["citizen"]),
            *([f"{r['score']:.2f}"] if ranked else []),
        )
    return table


def _briefs(rows: list[dict[str, Any]]) -> str:
    return "、".join(f"{r['ticket']}（{state_label(r['status'])}）" for r in rows)


def similar_marks(row: dict[str, Any]) -> list[tuple[str, str]]:
    """What ``items show`` marks of similar items: 重复件, 复核终结, 合并, 附议, 公开."""
    s: dict[str, Any] = row.get("similar") or {}
    marks: list[tuple[str, str]] = []
    if earlier := s.get("repeat_of"):
        line = f"可能重复 {earlier['ticket']}（{state_label(earlier['status'])}）：同一人此前反映的相似投诉"
        marks.append(("重复件", line + (f"。[red]{earlier['note']}[/red]" if earlier["exhausted"] else "")))
    if s.get("exhausted"):
        marks.append(("复核终结", f"[red]{s['exhausted_note']}[/red]"))
    if s.get("repeats"):
        marks.append(("被重复反映", _briefs(s["repeats"])))
    if s.get("merged_into"):
        marks.append(("已合并到", f"{s['merged_into']}（重复件，作者已成为其附议人）"))
    if s.get("merged"):
        marks.append(("并入的重复件", _briefs(s["merged"])))
    if s.get("supporters") or row["kind"] == "suggestion":
        marks.append(("附议", f"{s.get('supporters', 0)} 人"))
    if s.get("published"):
        marks.append(("公开", escape(f"{s['public_title']}：{s['public_summary']}")))
    elif row["kind"] == "suggestion" and not s.get("merged_into"):
        marks.append(("公开", "未公开（items publish 填写公开标题和摘要后，其他市民才能看到并附议）"))
    marks.append(("相似事项", f"minyi-admin items similar {row['ticket']}"))
    return marks


def item_tables(row: dict[str, Any], zone: tzinfo) -> list[Table]:
    head = Table(title=f"{row['ticket']}（{kind_label(row['kind'])}）", show_header=False)
    head.add_column("项目", style="bold")
    head.add_column("内容", overflow="fold")
    c = row["citizen"]
    reach = f"（办理进展发到{channel_label(c['chat'])}）" if c["chat"] else "（未关联聊天：请电话或书面告知）"
    for label, value in (
        ("状态", state_label(row["status"])),
        ("渠道", channel_label(row["channel"])),
        ("群众", who(c) + reach),
        ("提交时间", local(row["created_at"], zone)),
        ("受理期限", local(row.get("accept_due_at"), zone)),
        ("办理期限", local(row.get("due_at"), zone)),
        ("承办单位", "、".join(row.get("departments") or []) or "—"),
        ("牵头单位", row.get("lead_department") or "—"),
        (
            "延期/退回/复查",
            f"{row.get('extended_days', 0)} 天 / {row.get('redo_count', 0)} 次"
            f" / {row.get('review_level', 0)} 级",
        ),
        *similar_marks(row),
        ("可执行操作", commands(row.get("allowed_actions") or [])),
    ):
        head.add_row(label, value)
    names = {f.key: f.label for f in FORMS[row["kind"]].fields} | EXTRA_FIELDS
    for key, value in row["fields"].items():
        head.add_row(names.get(key, key), ", ".join(value) if isinstance(value, list) else str(value or "—"))
    events = Table(title="办理记录")
    for col in ("时间", "操作", "经办人", "状态", "说明"):
        events.add_column(col, overflow="fold")
    for e in row["events"]:
        move = f"{state_label(e['from']) if e['from'] else '—'} → {state_label(e['to'])}"
        actor = "群众" if e["actor"] == "citizen" else e["actor"]
        events.add_row(local(e["at"], zone), transitions.label(e["action"]), actor, move, e["note"])
    thread = Table(title="沟通记录")
    for col in ("时间", "方向", "内容"):
        thread.add_column(col, overflow="fold")
    for m in row["thread"]:
        author = m["author"] if m["direction"] == "citizen" else f"工作人员 {m['author']}"
        thread.add_row(local(m["at"], zone), author, m["text"])
    return [head, events, thread]
