"""The state table of DESIGN.md: every action, the states it may start from, where it leads, for
which kinds, and the guards an action needs beyond the state (延期 once, 展示 only after 采纳…).

This is the only place that knows which transitions are legal. ``check`` is called by the
workflow service on the row it has locked, inside the transaction that writes the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage.errors import InvalidTransition
from storage.workflow.vocabulary import (
    COMPLAINT,
    HANDLING,
    OPEN,
    STATES,
    SUGGESTION,
    kind_label,
    state_label,
)

BOTH = frozenset({SUGGESTION, COMPLAINT})
ONLY_S = frozenset({SUGGESTION})
ONLY_C = frozenset({COMPLAINT})
ALL = frozenset(STATES)

PREVIOUS = "<previous>"  # back to the state the item had before 事前沟通 (or before a merge)
REPLIED = "<replied>"  # a reply from the citizen: back from 事前沟通 if it was asked, else stays
STAY = "<stay>"  # a mark or a clock change: the state does not move


class ItemLike(Protocol):
    """What the guards read of an item (``storage.models.Item`` has it)."""

    kind: str
    status: str
    previous_status: str | None
    due_at: datetime | None
    extended_days: int
    adopted_at: datetime | None
    showcased: bool
    rewarded: bool
    satisfaction: int | None
    published: bool
    merged_into_id: int | None


Guard = Callable[[ItemLike], str | None]  # the reason the action is refused, or None


@dataclass(frozen=True, slots=True)
class Edge:
    action: str
    sources: frozenset[str]
    target: str
    kinds: frozenset[str]
    label: str
    command: str | None = None  # the ``minyi-admin items`` command; None: the citizen's own step
    guard: Guard | None = None


def _once_extended(item: ItemLike) -> str | None:
    if item.extended_days:
        return f"已经延期过一次（{item.extended_days} 天），按规定只能延期一次"
    return None if item.due_at is not None else "还没有办理期限，不能延期"


def _adopted_once(mark: str, done: str) -> Guard:
    """Only an adopted suggestion (not one declined and closed), and only once."""

    def guard(item: ItemLike) -> str | None:
        if item.adopted_at is None:
            return "只有被采纳的建议才能展示或褒奖"
        return done if getattr(item, mark) else None

    return guard


def _adopted(item: ItemLike) -> str | None:
    return None if item.adopted_at is not None else "只有被采纳的建议才能评为金点子"


def _unmerged(item: ItemLike) -> str | None:
    return "已经合并到其他事项，不能再这样操作" if item.merged_into_id is not None else None


def _merged(item: ItemLike) -> str | None:
    return None if item.merged_into_id is not None else "这个事项没有被合并过"


def _published(item: ItemLike) -> str | None:
    return None if item.published else "这条建议还没有公开"


def _cosignable(item: ItemLike) -> str | None:
    return _published(item) or _unmerged(item)


def _not_rated(item: ItemLike) -> str | None:
    return "已经评价过了" if item.satisfaction is not None else None


def _e(
    action: str,
    sources: set[str] | frozenset[str],
    target: str,
    kinds: frozenset[str],
    label: str,
    command: str | None = None,
    guard: Guard | None = None,
) -> Edge:
    return Edge(action, frozenset(sources), target, kinds, label, command, guard)


ASKABLE = (HANDLING - {"consulting"}) | {"received", "implemented"}
EDGES: tuple[Edge, ...] = (
    _e("submit", {"<new>"}, "received", BOTH, "收到"),
    _e("accept", {"received"}, "accepted", BOTH, "受理", "accept"),
    _e("reject", {"received", "consulting"}, "rejected", BOTH, "不予受理", "reject"),
    _e("ask", ASKABLE, "consulting", BOTH, "征询意见", "ask"),
    _e("withdraw", {"consulting"}, PREVIOUS, BOTH, "撤回征询", "withdraw"),
    _e("citizen_reply", ALL, REPLIED, BOTH, "群众回复"),
    _e("record_reply", ALL, REPLIED, BOTH, "记录群众答复", "record-reply"),
    _e("report", {"accepted"}, "reported", ONLY_S, "报送", "report"),
    _e("instruct", {"reported"}, "instructed", ONLY_S, "批示", "instruct"),
    _e("assign", {"accepted", "reported", "instructed"}, "assigned", BOTH, "交办", "assign"),
    _e("extend", {"accepted", "assigned"}, STAY, ONLY_C, "延期", "extend", _once_extended),
    _e("adopt", {"reported", "instructed", "assigned"}, "adopted", ONLY_S, "采纳", "adopt"),
    _e(
        "decline",
        {"accepted", "reported", "instructed", "assigned"},
        "declined",
        ONLY_S,
        "不予采纳",
        "decline",
    ),
    _e("implement", {"adopted"}, "implemented", ONLY_S, "落地", "implement"),
    _e("answer", {"accepted", "assigned"}, "answered", ONLY_C, "答复", "answer"),
    _e("rate", {"implemented"}, STAY, ONLY_S, "评价（不满意）", guard=_not_rated),
    _e("rate_close", {"implemented", "answered"}, "closed", BOTH, "评价后办结", guard=_not_rated),
    _e("send_back", {"answered"}, "assigned", ONLY_C, "退回再办", guard=_not_rated),
    _e("request_review", {"answered", "closed"}, "accepted", ONLY_C, "申请复查"),
    _e("close", {"implemented", "answered", "declined", "rejected"}, "closed", BOTH, "办结", "close"),
    _e("reopen", {"closed"}, "accepted", BOTH, "重新办理", "reopen"),
    _e(
        "showcase",
        {"adopted", "implemented", "closed"},
        STAY,
        ONLY_S,
        "展示",
        "showcase",
        _adopted_once("showcased", "已经展示过了"),
    ),
    _e(
        "reward",
        {"adopted", "implemented", "closed"},
        STAY,
        ONLY_S,
        "褒奖",
        "reward",
        _adopted_once("rewarded", "已经褒奖过了"),
    ),
    _e("golden", {"adopted", "implemented", "closed"}, STAY, ONLY_S, "评为金点子", "golden", _adopted),
    _e("publish", ALL - {"rejected"}, STAY, ONLY_S, "公开", "publish", _unmerged),
    _e("unpublish", ALL, STAY, ONLY_S, "取消公开", "unpublish", _published),
    _e("cosign", ALL - {"rejected"}, STAY, ONLY_S, "群众附议", guard=_cosignable),
    _e("uncosign", ALL, STAY, ONLY_S, "群众取消附议"),
    _e("merge", OPEN, "closed", BOTH, "合并为重复件", "merge", _unmerged),
    _e("unmerge", {"closed"}, PREVIOUS, BOTH, "取消合并", "unmerge", _merged),
    _e("absorb", ALL, STAY, BOTH, "并入重复件"),
    _e("release", ALL, STAY, BOTH, "重复件取消合并"),
    _e("staff_reply", ALL, STAY, BOTH, "工作人员留言", "reply"),
    _e("link", ALL, STAY, BOTH, "关联聊天用户", "link"),
)
BY_ACTION: dict[str, Edge] = {e.action: e for e in EDGES}
ACTIONS: tuple[str, ...] = tuple(BY_ACTION)


def label(action: str) -> str:
    edge = BY_ACTION.get(action)
    return edge.label if edge else action


def _refusal(item: ItemLike, edge: Edge) -> str | None:
    if item.kind not in edge.kinds:
        return f"{kind_label(item.kind)}不能执行“{edge.label}”"
    if item.status not in edge.sources:
        allowed = "、".join(state_label(s) for s in STATES if s in edge.sources)
        return f"当前状态“{state_label(item.status)}”不能执行“{edge.label}”（只能在 {allowed} 时执行）"
    return edge.guard(item) if edge.guard else None


def check(item: ItemLike, action: str) -> str:
    """The state ``action`` leads ``item`` to; raises ``InvalidTransition`` (in Chinese) if illegal."""
    edge = BY_ACTION.get(action)
    if edge is None:
        raise InvalidTransition(f"没有“{action}”这个操作。", action=action, status=item.status)
    if reason := _refusal(item, edge):
        raise InvalidTransition(reason + "。", action=action, status=item.status)
    if edge.target == PREVIOUS or (edge.target == REPLIED and item.status == "consulting"):
        return item.previous_status or "accepted"
    if edge.target in (STAY, PREVIOUS, REPLIED):  # a reply during 事中沟通 or later: the state stays
        return item.status
    return edge.target


def allowed_commands(item: ItemLike) -> list[str]:
    """The ``minyi-admin items`` commands staff may run on ``item`` now (guards included)."""
    return [e.command for e in EDGES if e.command and _refusal(item, e) is None]
