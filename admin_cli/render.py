"""How staff see things: Rich tables for people, JSON for programs; phones masked by default."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from dialogs.texts import KIND_NOUNS

STAFF_LABELS = {
    "received": "待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "consulting": "事前沟通（等群众回复）",
    "reported": "已报送",
    "instructed": "已批示",
    "assigned": "已交办",
    "adopted": "已采纳",
    "declined": "不予采纳",
    "implemented": "已落地",
    "answered": "已答复",
    "closed": "已办结",
}


def status_label(status: str) -> str:
    """A state as staff read it (the chat has its own, citizen-facing wording)."""
    return STAFF_LABELS.get(status, status)


console = Console()
TZ = ZoneInfo("Asia/Shanghai")


def mask_phone(phone: str) -> str:
    """``13812340000`` → ``138****0000``; landlines keep area code and last four."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(phone)
    return f"{digits[:3]}****{digits[-4:]}"


def masked(row: dict[str, Any], reveal: bool) -> dict[str, Any]:
    if reveal:
        return row
    row = dict(row)
    citizen = dict(row.get("citizen") or {})
    if citizen.get("phone"):
        citizen["phone"] = mask_phone(citizen["phone"])
    row["citizen"] = citizen
    if isinstance(row.get("fields"), dict) and row["fields"].get("phone"):
        row["fields"] = {**row["fields"], "phone": mask_phone(str(row["fields"]["phone"]))}
    return row


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def local(ts: str | None) -> str:
    if not ts:
        return "—"
    return datetime.fromisoformat(ts).astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def items_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"事项（{len(rows)} 条）", show_lines=False)
    for col in ("编号", "类型", "状态", "类别", "标题", "渠道", "提交时间", "群众"):
        table.add_column(col, overflow="fold")
    for r in rows:
        c = r["citizen"]
        table.add_row(
            r["ticket"],
            KIND_NOUNS.get(r["kind"], r["kind"]),
            status_label(r["status"]),
            r["category"],
            r["title"],
            r["channel"],
            local(r["created_at"]),
            f"{c['name'] or '—'} {c['phone']}",
        )
    return table


def item_tables(row: dict[str, Any]) -> list[Table]:
    head = Table(title=f"{row['ticket']}（{KIND_NOUNS.get(row['kind'], row['kind'])}）", show_header=False)
    head.add_column("项目", style="bold")
    head.add_column("内容", overflow="fold")
    c = row["citizen"]
    for label, value in (
        ("状态", status_label(row["status"])),
        ("渠道", row["channel"]),
        ("群众", f"{c['name'] or '—'} {c['phone']}（{c['channel']}）"),
        ("提交时间", local(row["created_at"])),
        ("受理期限", local(row.get("accept_due_at"))),
        ("办理期限", local(row.get("due_at"))),
        ("承办单位", "、".join(row.get("departments") or []) or "—"),
        ("牵头单位", row.get("lead_department") or "—"),
        (
            "延期/退回/复查",
            f"{row.get('extended_days', 0)} 天 / {row.get('redo_count', 0)} 次"
            f" / {row.get('review_level', 0)} 级",
        ),
        ("可执行操作", " ".join(row.get("allowed_actions") or []) or "—"),
    ):
        head.add_row(label, value)
    for key, value in row["fields"].items():
        head.add_row(key, ", ".join(value) if isinstance(value, list) else str(value or "—"))
    events = Table(title="办理记录")
    for col in ("时间", "操作", "经办人", "状态", "说明"):
        events.add_column(col, overflow="fold")
    for e in row["events"]:
        events.add_row(local(e["at"]), e["action"], e["actor"], f"{e['from'] or '—'} → {e['to']}", e["note"])
    thread = Table(title="沟通记录")
    for col in ("时间", "方向", "内容"):
        thread.add_column(col, overflow="fold")
    for m in row["thread"]:
        thread.add_row(
            local(m["at"]), "群众" if m["direction"] == "citizen" else f"工作人员 {m['author']}", m["text"]
        )
    return [head, events, thread]
