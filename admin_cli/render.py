"""How staff see things: Rich tables for people, JSON for programs; phones masked by default."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from rich.console import Console
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
    table = Table(title=f"事项（{len(rows)} 条）", show_lines=False)
    for col in ("编号", "类型", "状态", "类别", "标题", "渠道", "提交时间", "群众"):
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
        )
    return table


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
