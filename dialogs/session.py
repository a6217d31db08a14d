"""Carry out one step: run the pure engine, then its effects through the port, in order."""

from __future__ import annotations

from dialogs import similar, texts
from dialogs.effects import (
    Comment,
    CoSign,
    FindSimilar,
    ListMine,
    Outputs,
    Rate,
    ReplyToItem,
    RequestReview,
    ShowTicket,
    Submit,
    Supplement,
    UnCoSign,
)
from dialogs.engine import step
from dialogs.ports import ItemBrief, Port, RateOutcome, ReviewOutcome
from dialogs.state import Conversation
from dialogs.types import Context, Inbound, Reply, UserRef


async def handle(
    conversation: Conversation, inbound: Inbound, context: Context, port: Port
) -> tuple[Conversation, list[Reply]]:
    """One message in, the new state and the replies out. Port errors propagate unchanged."""
    result = step(conversation, inbound, context)
    replies: list[Reply] = []
    for item in result.outputs:
        if isinstance(item, Reply):
            replies.append(item)
        elif isinstance(item, Submit):
            receipt = await port.submit(inbound.user, item.kind, item.values, item.key)
            replies.append(Reply(texts.SUBMITTED[receipt.kind].format(ticket=receipt.ticket)))
        elif isinstance(item, ListMine):
            replies.append(await _list_mine(port, inbound.user))
        elif isinstance(item, ShowTicket):
            brief = await port.find_item(inbound.user, item.ticket)
            replies.append(Reply(describe(brief) if brief else texts.NOT_FOUND))
        elif isinstance(item, FindSimilar | CoSign | UnCoSign | Supplement):
            replies.extend(await _similar(result.conversation, port, inbound.user, item))
        else:
            replies.extend(await _followup(port, inbound.user, item))
    return result.conversation, replies


async def _similar(
    conv: Conversation, port: Port, user: UserRef, effect: FindSimilar | CoSign | UnCoSign | Supplement
) -> list[Reply]:
    """Carry out a similar-items effect, then let ``dialogs.similar`` go on with what it gave."""
    out = Outputs()
    if isinstance(effect, FindSimilar):
        similar.offer(conv, effect, await port.similar(user, effect.kind, effect.text), out)
    elif isinstance(effect, CoSign):
        similar.cosigned(conv, await port.cosign(user, effect.ticket), out)
    elif isinstance(effect, UnCoSign):
        similar.uncosigned(effect.ticket, await port.uncosign(user, effect.ticket), out)
    else:
        await port.supplement(user, effect.ticket, effect.text, effect.photos)
    return [r for r in out.items if isinstance(r, Reply)]


async def _followup(port: Port, user: UserRef, effect: object) -> list[Reply]:
    """Carry out an after-filing effect: a thread reply, a rating, a comment, a review request."""
    if isinstance(effect, ReplyToItem):
        await port.reply(user, effect.ticket, effect.text, effect.media)
        template = texts.THREAD_SAVED if effect.text else texts.THREAD_PHOTO_SAVED
        return [Reply(template.format(ticket=effect.ticket))]
    if isinstance(effect, Rate):
        return rated(await port.rate(user, effect.ticket, effect.score))
    if isinstance(effect, Comment):
        await port.comment(user, effect.ticket, effect.text)
        return [Reply(texts.COMMENT_SAVED)]
    if isinstance(effect, RequestReview):
        return [Reply(reviewed(await port.request_review(user, effect.ticket)))]
    raise TypeError(f"unknown effect {effect!r}")


def rated(outcome: RateOutcome) -> list[Reply]:
    if outcome.already:
        return [Reply(texts.RATING_GONE)]
    replies = [Reply(texts.RATED[outcome.score].format(ticket=outcome.ticket))]
    if outcome.redo and outcome.new_due is not None:
        date = outcome.new_due.strftime("%Y年%m月%d日")
        replies.append(Reply(texts.SENT_BACK.format(ticket=outcome.ticket, redo=outcome.redo, date=date)))
    replies.append(Reply(texts.ASK_COMMENT))
    return replies


def reviewed(outcome: ReviewOutcome) -> str:
    if outcome.reason == "accepted":
        return texts.REVIEW_ACCEPTED.format(ticket=outcome.ticket, level=texts.REVIEW_LEVELS[outcome.level])
    return texts.REVIEW_REFUSED[outcome.reason].format(ticket=outcome.ticket)


async def _list_mine(port: Port, user: UserRef) -> Reply:
    items = await port.my_items(user)
    if not items:
        return Reply(texts.NO_ITEMS, texts.MENU_CHOICES[:2])
    lines = [texts.MY_ITEMS_HEAD]
    for it in items:
        lines.append(f"· {it.ticket} {_short(it.title)} — {texts.status_label(it.status)}")
    lines.append(texts.MY_ITEMS_FOOT)
    return Reply("\n".join(lines))


def describe(item: ItemBrief) -> str:
    """The state of one item, as the citizen reads it."""
    return texts.ITEM_STATUS.format(
        noun=texts.KIND_NOUNS.get(item.kind, "事项"),
        ticket=item.ticket,
        title=item.title,
        date=item.created_at.strftime("%Y-%m-%d"),
        status=texts.status_label(item.status),
    )


def _short(value: str, limit: int = 16) -> str:
    return value if len(value) <= limit else value[:limit] + "…"
