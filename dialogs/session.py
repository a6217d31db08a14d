"""Carry out one step: run the pure engine, then its effects through the port, in order."""

from __future__ import annotations

from dialogs import texts
from dialogs.effects import ListMine, ShowTicket, Submit
from dialogs.engine import step
from dialogs.ports import ItemBrief, Port
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
    return result.conversation, replies


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
