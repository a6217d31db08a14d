"""The domain's words, defined once: kinds, states, channels, and the named groups of states and
notices that every list, filter, notice and chat rule uses. The legal moves between the states
are the table next door (``transitions``); the citizen's wording of a state is ``dialogs.texts``.
"""

from __future__ import annotations

from datetime import timedelta

SUGGESTION, COMPLAINT = "suggestion", "complaint"
KINDS: dict[str, str] = {SUGGESTION: "建议", COMPLAINT: "投诉"}

# every state, with the name staff read (codes only in --json)
STATES: dict[str, str] = {
    "received": "待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "consulting": "征询中（等群众回复）",
    "reported": "已报送",
    "instructed": "已批示（听取群众意见）",
    "assigned": "已交办",
    "adopted": "已采纳",
    "declined": "不予采纳",
    "implemented": "已落地（待评价）",
    "answered": "已答复（待评价）",
    "closed": "已办结",
}

# --- named groups of states ---
WAITING_ON_CITIZEN = frozenset({"consulting", "instructed"})  # staff wait for the citizen's words
RATING_DUE = frozenset({"implemented", "answered"})  # the satisfaction question was asked
HANDLING = frozenset({"accepted", "consulting", "reported", "instructed", "assigned", "adopted"})
OPEN = HANDLING | {"received"}  # not yet given its outcome: the statutory clocks run
FINAL = frozenset({"rejected", "declined", "closed"})

# --- channels: where an item came in, and whether its citizen is in a chat ---
CHAT_CHANNELS: dict[str, str] = {"wechat": "微信", "telegram": "Telegram", "web": "网页", "console": "终端"}
INTAKE_CHANNELS: dict[str, str] = {"letter": "来信", "phone": "来电", "visit": "来访"}
CHANNELS: dict[str, str] = {**CHAT_CHANNELS, **INTAKE_CHANNELS}

# --- notices (outbox kinds are the action that wrote them) that ask the citizen something ---
INVITES_REPLY = frozenset({"ask", "instruct", "staff_reply", "reject"})  # "直接回复这条消息"
ASKS_RATING = frozenset({"implement", "answer"})  # "您满意吗？"
# --- notices a supporter (附议人) also gets: the item's progress, never a question to its author ---
TOLD_SUPPORTERS = frozenset(
    {"accept", "reject", "report", "instruct", "assign", "adopt", "decline", "implement", "answer"}
    | {"showcase", "reward", "close", "reopen"}
)
FOLLOWUP_WINDOW = timedelta(days=15)  # how long a shown question (not a 事前/事中 one) stays open
MAX_REVIEW_LEVEL = 2  # 复查, then 复核; after that the same matter is not accepted again


def state_label(status: str) -> str:
    return STATES.get(status, status)


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def channel_label(channel: str) -> str:
    return CHANNELS.get(channel, channel)


def parse_state(value: str) -> str:
    """A state given by its code or its staff name (``accepted`` or ``已受理``); ValueError if none."""
    value = value.strip()
    if value in STATES:
        return value
    for code, label in STATES.items():
        if value == label or label.startswith(value + "（"):
            return code
    raise ValueError(value)
