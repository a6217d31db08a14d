"""What the citizen is told when staff act on their item: one function per action, plain and warm,
each saying what happens next. Pure: dates come in already formatted in the office's time zone."""

from __future__ import annotations

from collections.abc import Sequence

SATISFACTION_QUESTION = "请直接回复“满意”“基本满意”或“不满意”。"
NOUN = {"suggestion": "建议", "complaint": "投诉"}


def accepted(kind: str, ticket: str, due: str | None) -> str:
    if kind == "complaint":
        return f"您的投诉 {ticket} 已受理。我们会在 {due} 前办结并答复您，办理进展会在这里告诉您。"
    return f"您的建议 {ticket} 已受理，工作人员正在认真研究，有进展会在这里告诉您。"


def rejected(kind: str, ticket: str, reason: str, where: str | None) -> str:
    text = f"很抱歉，您的{NOUN[kind]} {ticket} 不予受理。原因：{reason}。"
    if where:
        text += f"建议您向{where}反映，他们能更好地帮您解决。"
    return text + "如有疑问，可以直接回复这条消息。"


def asked(kind: str, ticket: str, question: str) -> str:
    return (
        f"关于您的{NOUN[kind]} {ticket}，工作人员想向您请教：\n{question}\n"
        "直接回复这条消息即可，您的回答会转给工作人员。"
    )


def reported(ticket: str) -> str:
    return f"好消息！您的建议 {ticket} 已整理报送给领导参阅。后续进展会在这里告诉您。"


def instructed(ticket: str, note: str) -> str:
    return (
        f"您的建议 {ticket} 已获领导批示：{note}\n在落实过程中，我们很想听听您的想法，欢迎直接回复这条消息。"
    )


def assigned(kind: str, ticket: str, departments: Sequence[str], due: str) -> str:
    return (
        f"您的{NOUN[kind]} {ticket} 已交由{'、'.join(departments)}办理，"
        f"办理期限为 {due}。办理结果会在这里告诉您。"
    )


def extended(ticket: str, days: int, reason: str, due: str) -> str:
    return (
        f"您的投诉 {ticket} 情况较复杂，需要延期 {days} 天办理。原因：{reason}。"
        f"新的办理期限为 {due}，请您谅解，我们会抓紧办理。"
    )


def adopted(ticket: str, note: str) -> str:
    return f"感谢您的好建议！您的建议 {ticket} 已被采纳。{note}\n落地情况会在这里告诉您。"


def declined(ticket: str, reason: str) -> str:
    return f"感谢您的建议 {ticket}。经认真研究，暂不予采纳，原因：{reason}。欢迎您继续为城市发展出主意。"


def implemented(ticket: str, result: str) -> str:
    return f"您的建议 {ticket} 已落地实施：{result}\n您对办理结果满意吗？{SATISFACTION_QUESTION}"


REVIEW_NEXT = {0: "复查", 1: "复核"}  # after an answer, a first review; after a 复查 answer, 复核


def answered(ticket: str, text: str, review_level: int = 0, review_days: int = 30) -> str:
    """The answer to a complaint, the satisfaction question, and the next review the citizen may ask."""
    head = f"您的投诉 {ticket} 办理结果：{text}\n您对答复满意吗？{SATISFACTION_QUESTION}"
    if (level := REVIEW_NEXT.get(review_level)) is None:
        return head + "\n这是复核后的答复，按照《信访工作条例》，同一事项不再受理复查复核申请。"
    return head + f"\n如对答复不满意，可在{review_days}日内回复“{level} {ticket}”申请{level}。"


def closed(kind: str, ticket: str) -> str:
    return f"您的{NOUN[kind]} {ticket} 已办结。感谢您的信任，有新的问题或想法，随时回复 1 或 2。"


def reopened(kind: str, ticket: str, reason: str) -> str:
    return f"您的{NOUN[kind]} {ticket} 已重新办理，原因：{reason}。进展会在这里告诉您。"


def staff_reply(kind: str, ticket: str, text: str) -> str:
    return f"关于您的{NOUN[kind]} {ticket}，工作人员留言：\n{text}\n如需回复，直接发送消息即可。"


def withdrawn(kind: str, ticket: str) -> str:
    return (
        f"关于您的{NOUN[kind]} {ticket}，工作人员已撤回刚才的问题，您不用再回复了。办理进展会在这里告诉您。"
    )


def linked(kind: str, ticket: str, channel: str) -> str:
    return (
        f"您通过{channel}反映的{NOUN[kind]} {ticket} 已关联到这里，"
        "办理进展会在这里告诉您，发送编号可随时查询。"
    )


def showcased(ticket: str) -> str:
    return f"您的建议 {ticket} 已入选优秀建议展示，感谢您为城市发展贡献智慧！"


def rewarded(ticket: str, note: str) -> str:
    return f"您的建议 {ticket} 获得表彰：{note}。感谢您的热心参与！"


def published(ticket: str) -> str:
    return (
        f"您的建议 {ticket} 已由工作人员整理后公开，其他市民可以附议支持。公开的内容不含您的姓名和联系方式。"
    )


def merged(kind: str, ticket: str, into: str, title: str) -> str:
    """The author of a duplicate: it goes on as part of ``into`` (``title``: its public title, or "")."""
    what = f"“{title}”（{into}）" if title else into
    if kind == "complaint":
        return f"您的投诉 {ticket} 与您之前反映的 {into} 是同一事项，已合并一并办理，办理进展会在这里告诉您。"
    return (
        f"您的{NOUN[kind]} {ticket} 与{what}反映的是同一件事，已合并办理。"
        "您已成为它的附议人，后续办理进展会在这里告诉您。"
    )


def unmerged(kind: str, ticket: str) -> str:
    return f"您的{NOUN[kind]} {ticket} 已恢复单独办理，办理进展会在这里告诉您。"


def for_supporter(kind: str, ticket: str, title: str, status: str) -> str:
    """A progress notice for a supporter (附议人): the state only, never the author's details."""
    what = f"“{title}”（{ticket}）" if title else ticket
    if kind == "complaint":  # a repeat of one's own complaint, merged into the earlier one
        return f"您反映的同一事项 {ticket} 有新进展：{status}。"
    return f"您附议的建议{what}有新进展：{status}。如不想再收到它的进展，回复“取消附议 {ticket}”。"
