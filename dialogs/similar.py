"""Similar items in the chat (issue 13): once the citizen has told their matter, published
suggestions like it are offered for 附议 (co-signing), and a complaint like one of their own
still open is offered to be added to that one (重复件). At most one extra message for a citizen
who goes on: "继续". Pure: the lookups and the co-signing are effects; ``dialogs.session``
carries them out and comes back here with what they gave (``offer``, ``cosigned``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs import filling, texts, understanding, validators
from dialogs.commands import CANCEL, MENU
from dialogs.effects import CoSign, FindSimilar, Outputs, Supplement, UnCoSign
from dialogs.ports import CosignOutcome, SimilarBrief
from dialogs.state import Conversation, Draft
from dialogs.types import Inbound

_COSIGN = re.compile(r"^(取消)?附议((?:JY|TS)-\d{8}-\d{4})$")
_PICK = re.compile(r"^(?:附议)?(\d)$")
GOING_ON = {texts.CONTINUE, "继续提交", "提交", "不是", "不用", "否", "不", "都不是", "自己提"}
SUPPLEMENTING = {texts.SUPPLEMENT, "是", "是的", "同一件事", "补充进去", "加进去"}


def command_of(text: str) -> tuple[bool, str] | None:
    """``附议 JY-…`` → (False, ticket); ``取消附议 JY-…`` → (True, ticket); else None."""
    if m := _COSIGN.match(validators.as_command(text)):
        return bool(m.group(1)), m.group(2)
    return None


def idle_command(text: str, out: Outputs) -> bool:
    """``附议 编号`` or ``取消附议 编号`` typed at any time outside a form."""
    if (found := command_of(text)) is None:
        return False
    withdraw, ticket = found
    out.do(UnCoSign(ticket) if withdraw else CoSign(ticket))
    return True


def offer(conv: Conversation, effect: FindSimilar, found: Sequence[SimilarBrief], out: Outputs) -> None:
    """After the lookup: offer what was found, or go straight on to the next question."""
    draft = conv.draft
    if draft is None:
        return
    if not found:
        filling.ask(draft, out, effect.lead, effect.extra)
        return
    conv.mode, conv.aside = "pick_similar", {"o": [f.ticket for f in found], "k": effect.kind}
    lead = f"{effect.lead}\n\n" if effect.lead else ""
    if effect.kind == "complaint":
        out.say(lead + _repeat(found[0]), (texts.SUPPLEMENT, texts.CONTINUE))
        return
    lines = [
        f"{i} {f.title}" + (f"（已有 {f.supporters} 人附议）" if f.supporters else "")
        for i, f in enumerate(found, 1)
    ]
    text = "\n".join([texts.SIMILAR_HEAD, *lines, texts.SIMILAR_FOOT])
    out.say(lead + text, (*(f"附议 {i}" for i in range(1, len(found) + 1)), texts.CONTINUE))


def _repeat(item: SimilarBrief) -> str:
    due = f"，办理期限 {item.due_at.month}月{item.due_at.day}日" if item.due_at else ""
    date = f"{item.created_at.month}月{item.created_at.day}日"
    return texts.REPEAT_OFFER.format(date=date, ticket=item.ticket, title=item.title, due=due)


def pick(conv: Conversation, draft: Draft, inbound: Inbound, out: Outputs) -> bool:
    """The answer to the offer; False for what the form itself handles (菜单, 取消, 返回, a
    correction, a ticket), which leaves the offer behind."""
    text = inbound.text or ""
    command = validators.as_command(text)
    offered: list[str] = list(conv.aside.get("o", []))
    complaint = conv.aside.get("k") == "complaint"
    if _leaves(draft, text, command):
        conv.aside = {}
        return False
    if command in GOING_ON:
        conv.mode, conv.aside = "form", {}
        filling.ask(draft, out)
    elif complaint and command in SUPPLEMENTING and offered:
        account = str(draft.values.get(filling.form_of(draft).material) or "")
        out.do(Supplement(offered[0], account, tuple(draft.values.get("photos") or ())))
        conv.mode, conv.draft, conv.aside = "idle", None, {}
        out.say(texts.REPEAT_ADDED.format(ticket=offered[0]))
    elif not complaint and (m := _PICK.match(command)) and 1 <= int(m.group(1)) <= len(offered):
        out.do(CoSign(offered[int(m.group(1)) - 1]))
    else:
        out.say(texts.REPEAT_AGAIN if complaint else texts.SIMILAR_AGAIN)
    return True


def _leaves(draft: Draft, text: str, command: str) -> bool:
    return (
        command in MENU
        or command in CANCEL
        or command == filling.BACK
        or validators.ticket_in(text) is not None
        or understanding.switch_to(draft, command) is not None
        or understanding.correction(draft, text) is not None
    )


def cosigned(conv: Conversation, outcome: CosignOutcome, out: Outputs) -> None:
    """After co-signing: the draft is done with (it joined an item), or goes on if it could not."""
    in_form = conv.mode == "pick_similar" and conv.draft is not None
    title, ticket = outcome.title or outcome.ticket, outcome.ticket
    if outcome.reason == "gone":
        if in_form and conv.draft is not None:
            conv.mode, conv.aside = "form", {}
            out.say(texts.COSIGN_GONE_IN_FORM)
            filling.ask(conv.draft, out)
        else:
            out.say(texts.COSIGN_GONE.format(ticket=ticket))
        return
    if in_form:
        conv.mode, conv.draft, conv.aside = "idle", None, {}
    template = {"done": texts.COSIGNED, "already": texts.COSIGN_ALREADY}.get(outcome.reason, texts.COSIGN_OWN)
    out.say(template.format(title=title, ticket=ticket))


def uncosigned(ticket: str, done: bool, out: Outputs) -> None:
    out.say((texts.UNCOSIGNED if done else texts.UNCOSIGN_NONE).format(ticket=ticket))
