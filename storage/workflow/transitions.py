"""The state table of DESIGN.md: every state, every action, for both kinds. Pure data.

This is the only place that knows which transitions are legal.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.errors import InvalidTransition

SUGGESTION, COMPLAINT = "suggestion", "complaint"
BOTH = frozenset({SUGGESTION, COMPLAINT})
ONLY_S = frozenset({SUGGESTION})
ONLY_C = frozenset({COMPLAINT})

STATES: tuple[str, ...] = (
    "received",
    "accepted",
    "rejected",
    "consulting",
    "reported",
    "instructed",
    "assigned",
    "adopted",
    "declined",
    "implemented",
    "answered",
    "closed",
)
PREVIOUS = "<previous>"  # back to the state the item had before 事前/事中沟通
STAY = "<stay>"  # a mark or a clock change: the state does not move
IN_HANDLING = frozenset({"accepted", "reported", "instructed", "assigned", "adopted"})


@dataclass(frozen=True, slots=True)
class Edge:
    action: str
    sources: frozenset[str]
    target: str
    kinds: frozenset[str]
    label: str


def _e(
    action: str, sources: set[str] | frozenset[str], target: str, kinds: frozenset[str], label: str
) -> Edge:
    return Edge(action, frozenset(sources), target, kinds, label)


EDGES: tuple[Edge, ...] = (
    _e("submit", {"<new>"}, "received", BOTH, "收到"),
    _e("accept", {"received"}, "accepted", BOTH, "受理"),
    _e("reject", {"received", "consulting"}, "rejected", BOTH, "不予受理"),
    _e("ask", IN_HANDLING | {"received", "implemented"}, "consulting", BOTH, "征询意见"),
    _e("citizen_reply", {"consulting"}, PREVIOUS, BOTH, "群众回复"),
    _e("report", {"accepted"}, "reported", ONLY_S, "报送"),
    _e("instruct", {"reported"}, "instructed", ONLY_S, "批示"),
    _e("assign", {"accepted", "reported", "instructed"}, "assigned", BOTH, "交办"),
    _e("extend", {"accepted", "assigned"}, STAY, ONLY_C, "延期"),
    _e("adopt", {"reported", "instructed", "assigned"}, "adopted", ONLY_S, "采纳"),
    _e("decline", {"accepted", "reported", "instructed", "assigned"}, "declined", ONLY_S, "不予采纳"),
    _e("implement", {"adopted"}, "implemented", ONLY_S, "落地"),
    _e("answer", {"accepted", "assigned"}, "answered", ONLY_C, "答复"),
    _e("rate", {"implemented", "answered"}, STAY, BOTH, "评价"),
    _e("send_back", {"answered"}, "assigned", ONLY_C, "退回再办"),
    _e("request_review", {"answered", "closed"}, "accepted", ONLY_C, "申请复查"),
    _e("close", {"implemented", "answered", "declined", "rejected"}, "closed", BOTH, "办结"),
    _e("reopen", {"closed"}, "accepted", BOTH, "重新办理"),
    _e("showcase", {"adopted", "implemented", "closed"}, STAY, ONLY_S, "展示"),
    _e("reward", {"adopted", "implemented", "closed"}, STAY, ONLY_S, "褒奖"),
    _e("staff_reply", set(STATES), STAY, BOTH, "工作人员留言"),
)
BY_ACTION: dict[str, Edge] = {e.action: e for e in EDGES}
ACTIONS: tuple[str, ...] = tuple(BY_ACTION)


def target(kind: str, status: str, action: str, previous: str | None = None) -> str:
    """The state ``action`` leads to from ``status`` for an item of ``kind``; raises if illegal."""
    edge = BY_ACTION.get(action)
    if edge is None:
        raise InvalidTransition(f"没有“{action}”这个操作。", action=action, status=status)
    if kind not in edge.kinds:
        noun = "建议" if kind == SUGGESTION else "投诉"
        raise InvalidTransition(f"{noun}不能执行“{edge.label}”。", action=action, status=status)
    if status not in edge.sources:
        allowed = "、".join(sorted(edge.sources))
        raise InvalidTransition(
            f"当前状态 {status} 不能执行“{edge.label}”（只能在 {allowed} 时执行）。",
            action=action,
            status=status,
        )
    if edge.target == STAY:
        return status
    if edge.target == PREVIOUS:
        return previous or "accepted"
    return edge.target


def allowed_actions(kind: str, status: str) -> list[str]:
    """Actions staff may take on an item now (for help texts and ``items show``)."""
    return [e.action for e in EDGES if kind in e.kinds and status in e.sources and e.action != "submit"]
