"""The 专项征集 question when a suggestion starts: which open campaign it belongs to, if any."""

from __future__ import annotations

from dialogs import filling, reading, texts, validators
from dialogs.commands import CANCEL
from dialogs.effects import Outputs
from dialogs.forms import MAX_ACCOUNT
from dialogs.state import Conversation, Draft
from dialogs.types import Campaign, Inbound

SCENE_PREFIX = "campaign_"  # a poster's WeChat QR scene value: ``campaign_<id>``


def from_scene(scene: str) -> int | None:
    """The campaign a QR scene names (``campaign_7``, or ``qrscene_campaign_7`` on a subscribe)."""
    rest = scene.removeprefix("qrscene_").removeprefix(SCENE_PREFIX)
    if rest == scene.removeprefix("qrscene_") or not rest.isascii() or not rest.isdigit() or len(rest) > 9:
        return None
    return int(rest)


def open_one(campaigns: tuple[Campaign, ...], wanted: int) -> Campaign | None:
    """The open campaign with that id (None: ended, closed or never there)."""
    return next((c for c in campaigns if c.id == wanted), None)


def attach(draft: Draft, chosen: Campaign) -> None:
    draft.values["campaign"] = chosen.topic
    draft.values["campaign_id"] = chosen.id


def offer(conv: Conversation, campaigns: tuple[Campaign, ...], out: Outputs) -> None:
    conv.mode, conv.aside = "pick_campaign", {"campaigns": [[c.id, c.topic] for c in campaigns]}
    _ask(_listed(conv), out)


def _listed(conv: Conversation) -> list[tuple[int, str]]:
    return [(int(i), str(t)) for i, t in conv.aside.get("campaigns", [])]


def _ask(campaigns: list[tuple[int, str]], out: Outputs) -> None:
    listing = texts.numbered([topic for _, topic in campaigns])
    out.say(texts.CAMPAIGN_ASK + "\n" + listing, (*[t for _, t in campaigns], "跳过"))


def pick(conv: Conversation, draft: Draft, inbound: Inbound, out: Outputs) -> None:
    campaigns = _listed(conv)
    command = validators.as_command(inbound.text or "")
    if command in CANCEL:  # nothing is filled in yet: no need to ask whether to discard it
        conv.mode, conv.draft, conv.aside = "idle", None, {}
        out.say(texts.CANCEL_DONE)
        out.say(texts.MENU, texts.MENU_CHOICES)
        return
    if command in ("跳过", "不属于", "都不是"):
        chosen = None
    else:
        try:
            chosen = validators.choice(inbound.text or "", tuple(t for _, t in campaigns))
        except validators.Invalid as exc:
            text = validators.clean(inbound.text or "")
            if reading.looks_like_matter(text) and len(text) <= MAX_ACCOUNT:  # they told the matter instead
                conv.mode, conv.aside = "form", {}
                filling.begin(draft, text, out)
                return
            out.say(str(exc))
            _ask(campaigns, out)
            return
        draft.values["campaign"] = chosen
        draft.values["campaign_id"] = next(i for i, t in campaigns if t == chosen)
    conv.mode, conv.aside = "form", {}
    filling.ask(draft, out)
