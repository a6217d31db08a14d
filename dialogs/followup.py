"""After filing: answering staff (事前/事中沟通), rating the result (事后沟通), asking for a review
(复查/复核). Pure: it reads the context's follow-ups and emits effects."""

from __future__ import annotations

import re

from dialogs import texts, validators
from dialogs.effects import Comment, Outputs, Rate, ReplyToItem, RequestReview
from dialogs.state import Conversation
from dialogs.types import Context, Inbound

# ratings are words, never digits: a digit is a menu choice (3 查进度 must not send a complaint back)
RATINGS = {
    "满意": 1,
    "非常满意": 1,
    "很满意": 1,
    "基本满意": 2,
    "一般": 2,
    "还行": 2,
    "不满意": 3,
    "很不满意": 3,
    "非常不满意": 3,
}
NO_COMMENT = {"跳过", "没有", "无", "没了", "不用了", "没有了", "不用"}
_REVIEW = re.compile(r"^(?:申请)?(?:复查|复核)(.*)$")
MAX_THREAD_TEXT = 1000


def is_rating(inbound: Inbound) -> bool:
    return validators.as_command(inbound.text or "") in RATINGS


def rating_or_review(conv: Conversation, inbound: Inbound, context: Context, out: Outputs) -> bool:
    """满意/基本满意/不满意 answer a satisfaction question the citizen has seen (asking which item
    when several wait); ``复查 编号`` asks for a review."""
    command = validators.as_command(inbound.text or "")
    due = context.followups.rating_due
    if command in RATINGS:
        if not due:
            out.say(texts.RATING_NOTHING)
            out.say(texts.MENU, texts.MENU_CHOICES)
        elif len(due) == 1:
            _rate(conv, due[0].ticket, RATINGS[command], out)
        else:
            _ask_which(
                conv, {"rate": RATINGS[command]}, [(r.ticket, r.title) for r in due], texts.PICK_RATING, out
            )
        return True
    if m := _REVIEW.match(command):
        rest = m.group(1)
        named = validators.ticket_in(rest) if rest else None
        if rest and named is None:
            out.say(texts.REVIEW_HOW)
        else:
            out.do(RequestReview(named))
        return True
    return False


def thread_message(conv: Conversation, inbound: Inbound, context: Context, out: Outputs) -> bool:
    """Free text or a photo while items wait for the citizen joins a thread (asks which, if several)."""
    waiting = context.followups.waiting
    text = validators.clean(inbound.text or "")
    media = inbound.media.ref if inbound.kind == "image" and inbound.media is not None else None
    if not waiting or not (text or media):
        return False
    if len(text) > MAX_THREAD_TEXT:
        out.say(texts.too_long(MAX_THREAD_TEXT, len(text)))
        return True
    if len(waiting) == 1:
        out.do(ReplyToItem(waiting[0].ticket, text, media))
        return True
    _ask_which(
        conv, {"text": text, "media": media}, [(w.ticket, w.title) for w in waiting], texts.PICK_ITEM, out
    )
    return True


def _rate(conv: Conversation, ticket: str, score: int, out: Outputs) -> None:
    out.do(Rate(ticket, score))
    conv.mode, conv.aside = "comment", {"ticket": ticket}


def _ask_which(
    conv: Conversation, holding: dict[str, object], items: list[tuple[str, str]], question: str, out: Outputs
) -> None:
    """Several items could be meant: the citizen picks one by its number."""
    conv.mode = "pick_item"
    conv.aside = {**holding, "tickets": [ticket for ticket, _ in items]}
    listing = texts.numbered([f"{ticket} {title}" for ticket, title in items])
    out.say(question.format(n=len(items)) + "\n" + listing, tuple(str(i) for i in range(1, len(items) + 1)))


def pick_item(conv: Conversation, inbound: Inbound, out: Outputs) -> bool:
    """The answer to "which item?"; False when the citizen moved on to something else."""
    tickets: list[str] = list(conv.aside.get("tickets", []))
    command = validators.as_command(inbound.text or "")
    if command.isdigit() and 1 <= int(command) <= len(tickets):
        ticket, held = tickets[int(command) - 1], conv.aside
        conv.mode, conv.aside = "idle", {}
        if "rate" in held:
            _rate(conv, ticket, int(held["rate"]), out)
        else:
            out.do(ReplyToItem(ticket, str(held.get("text", "")), held.get("media")))
        return True
    if command in {"取消", "算了"}:
        conv.mode, conv.aside = "idle", {}
        out.say(texts.PICK_CANCELLED)
        return True
    out.say(texts.bad_choice(len(tickets)))
    return True


def comment(conv: Conversation, inbound: Inbound, out: Outputs) -> None:
    """The optional words after a rating."""
    ticket = str(conv.aside.get("ticket", ""))
    conv.mode, conv.aside = "idle", {}
    text = validators.clean(inbound.text or "")
    if validators.as_command(text) in NO_COMMENT or not text:
        out.say(texts.COMMENT_SKIPPED)
        return
    out.do(Comment(ticket, text[:MAX_THREAD_TEXT]))
