"""One dialog step: ``step(conversation, inbound, context)`` → new conversation and outputs.

Pure and synchronous: it copies the state it is given, does no I/O, and returns effects
(submit, list, show) for ``dialogs.session`` to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogs import campaign, filling, followup, reading, similar, texts, validators
from dialogs.commands import CANCEL, CLICKS, HELP, HOW_TO, MENU, MY_ITEMS, NUMBER_OF, START, YES
from dialogs.effects import ListMine, Outputs, ShowTicket
from dialogs.forms import FORMS, MAX_ACCOUNT
from dialogs.reading import Reading
from dialogs.state import Conversation, Draft
from dialogs.types import Context, Inbound


@dataclass(slots=True)
class Step:
    conversation: Conversation
    outputs: list[Any] = field(default_factory=list)


def needs_followups(conversation: Conversation, inbound: Inbound | None = None) -> bool:
    """Whether a step from this state may read ``context.followups`` (waiting items, ratings,
    campaigns). Inside an open form it never does, so callers may skip loading them, except
    for a chat opened from a campaign's link or poster (it must know which campaigns are open)."""
    if inbound is not None and campaign_wanted(inbound) is not None:
        return True
    return conversation.mode not in ("form", "confirm_cancel", "pick_similar")


def campaign_wanted(inbound: Inbound) -> int | None:
    """The campaign a chat was opened on: the web link's ``campaign`` event, a poster's QR scan."""
    text = inbound.text or ""
    if inbound.kind != "event":
        return None
    if inbound.event == "campaign":
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
    if inbound.event == "subscribe":
        return campaign.from_scene(text)
    return None


def step(conversation: Conversation, inbound: Inbound, context: Context) -> Step:
    """Run one step of the conversation for one inbound message.

    A message that says which turn's question it answers (a button, the web page) and names an
    earlier one answers nothing: the citizen had not seen the question now open (a double tap, a
    message typed before the last reply arrived)."""
    if inbound.re is not None and inbound.re != conversation.turn:
        stale = Outputs()
        stale.say(texts.STALE_ANSWER)
        return Step(conversation, stale.items)
    conv = conversation.copy()
    conv.turn += 1
    now = int(context.now.timestamp())
    idle_for = now - conv.last_at if conv.last_at else 0
    conv.last_at = now
    out = Outputs()
    if inbound.kind == "event":
        _event(conv, inbound, context, out)
    elif inbound.kind == "voice" and not (inbound.text or "").strip():
        out.say(texts.VOICE_UNCLEAR)
        _reask(conv, out)
    elif inbound.kind in ("link", "video", "unknown"):
        out.say(texts.UNSUPPORTED_KIND)
        _reask(conv, out)
    elif conv.mode == "confirm_cancel":
        _confirm_cancel(conv, inbound, out)
    elif conv.mode == "resume":
        _resume(conv, inbound, context, out)
    elif conv.mode == "pick_campaign" and conv.draft is not None and not _moves_on(inbound):
        campaign.pick(conv, conv.draft, inbound, out)
    elif conv.mode == "pick_similar" and conv.draft is not None:
        if not similar.pick(conv, conv.draft, inbound, out):
            conv.mode = "form"
            _in_form(conv, conv.draft, inbound, out)
    elif conv.mode == "pick_kind" and (kind := _kind_answer(inbound)) is not None:
        _begin(conv, kind, dict(conv.aside), out)
    elif conv.mode == "pick_item" and not _moves_on(inbound):
        followup.pick_item(conv, inbound, out)
    elif conv.mode == "comment" and not (
        _moves_on(inbound) or _menu_digit(inbound) or _rates(inbound, context)
    ):
        followup.comment(conv, inbound, out)
    elif conv.mode == "form" and conv.draft is not None:
        if idle_for >= context.resume_after_s:
            _offer_resume(conv, conv.draft.kind, out)
        else:
            _in_form(conv, conv.draft, inbound, out)
    else:
        _idle(conv, inbound, context, out)
    conv.greeted = True
    return Step(conv, out.items)


def _rates(inbound: Inbound, context: Context) -> bool:
    """A rating word while a newer satisfaction question is due (it answers that, not the comment)."""
    return bool(context.followups.rating_due) and followup.is_rating(inbound)


def _menu_digit(inbound: Inbound) -> bool:
    """A bare menu number (``1`` 提建议 … ``0`` 帮助)."""
    command = validators.as_command(inbound.text or "")
    return command.isdigit() and (command in START or command in MY_ITEMS or command in HELP)


def _moves_on(inbound: Inbound) -> bool:
    """A named command, ``菜单`` or a ticket number leaves a pick/comment question behind (a bare
    digit there is the answer, not the menu)."""
    text = inbound.text or ""
    command = validators.as_command(text)
    named = (command in START or command in MY_ITEMS) and not command.isdigit()
    return named or command in MENU or validators.ticket_in(text) is not None


def _event(conv: Conversation, inbound: Inbound, context: Context, out: Outputs) -> None:
    if inbound.event in CLICKS:  # a menu button: a command even in the middle of a form
        _click(conv, inbound, CLICKS[inbound.event], context, out)
    elif (wanted := campaign_wanted(inbound)) is not None:
        greeting = "感谢关注！" if inbound.event == "subscribe" else ""
        _enter_campaign(conv, inbound, wanted, greeting, context, out)
    elif inbound.event == "subscribe":
        out.say("感谢关注！" + texts.MENU, texts.MENU_CHOICES)
    elif inbound.event == "menu":
        _menu(conv, out)
    elif inbound.event == "hello":  # a chat window opened (web page load, terminal start)
        if conv.draft is not None and not filling.started(conv.draft):
            conv.draft = None  # nothing filled in yet: nothing to offer back
        paused = ("form", "idle", "resume", "pick_campaign", "pick_similar")
        if conv.draft is not None and conv.mode in paused:
            _offer_resume(conv, conv.draft.kind, out)
        else:
            _menu(conv, out)


def _enter_campaign(
    conv: Conversation, inbound: Inbound, wanted: int, greeting: str, context: Context, out: Outputs
) -> None:
    """A chat opened on a campaign: a suggestion starts on it at once (no topic question); a
    suggestion being filled in joins it; an ended campaign is said so, with the menu."""
    chosen = campaign.open_one(context.followups.campaigns, wanted)
    if chosen is None:
        out.say(greeting + texts.CAMPAIGN_CLOSED)
        _menu(conv, out)
        return
    welcome = greeting + texts.CAMPAIGN_WELCOME.format(topic=chosen.topic)
    draft = conv.draft
    if draft is not None and filling.started(draft):
        if draft.kind != "suggestion":  # a complaint half told: theirs to continue or drop first
            out.say(welcome)
            _offer_resume(conv, "suggestion", out)
            return
        campaign.attach(draft, chosen)
        out.say(welcome + texts.CAMPAIGN_DRAFT_JOINED.format(topic=chosen.topic))
        conv.mode, conv.aside = "form", {}
        filling.ask(draft, out)
        return
    conv.mode, conv.aside = "form", {}
    conv.draft = _draft(conv, "suggestion", f"{inbound.user.key}:{inbound.message_id}")
    campaign.attach(conv.draft, chosen)
    out.say(welcome + texts.FORM_INTRO["suggestion"])
    filling.ask(conv.draft, out)


def _click(conv: Conversation, inbound: Inbound, command: str, context: Context, out: Outputs) -> None:
    as_text = Inbound(inbound.user, inbound.message_id, inbound.time, text=command)
    if conv.mode in ("form", "confirm_cancel", "pick_similar") and conv.draft is not None:
        if command in START:
            _start_or_resume(conv, START[command], as_text, context, out)
            return
        _idle_command(conv, as_text, context, out)
        filling.ask(conv.draft, out)
        conv.mode = "form"
        return
    conv.mode, conv.aside = "idle", {}
    _idle_command(conv, as_text, context, out)


def _reask(conv: Conversation, out: Outputs) -> None:
    if conv.mode == "form" and conv.draft is not None:
        filling.ask(conv.draft, out)


def _menu(conv: Conversation, out: Outputs) -> None:
    if conv.mode in ("form", "confirm_cancel") and conv.draft is not None:
        out.say(
            texts.DRAFT_PAUSED.format(noun=FORMS[conv.draft.kind].noun, number=NUMBER_OF[conv.draft.kind])
        )
    conv.mode = "idle"
    out.say(texts.MENU, texts.MENU_CHOICES)


def _in_form(conv: Conversation, draft: Draft, inbound: Inbound, out: Outputs) -> None:
    command = validators.as_command(inbound.text or "")
    if command in MENU:
        _menu(conv, out)
    elif command in CANCEL:
        conv.mode = "confirm_cancel"
        out.say(texts.CANCEL_ASK, ("是", "否"))
    elif inbound.text and (ticket := validators.ticket_in(inbound.text)):
        out.do(ShowTicket(ticket))
        filling.ask(draft, out)
    else:
        filling.answer(conv, draft, inbound, out)


def _confirm_cancel(conv: Conversation, inbound: Inbound, out: Outputs) -> None:
    command = validators.as_command(inbound.text or "")
    if command in MENU:
        _menu(conv, out)
        return
    if command in YES:
        conv.mode, conv.draft = "idle", None
        out.say(texts.CANCEL_DONE)
        out.say(texts.MENU, texts.MENU_CHOICES)
        return
    conv.mode = "form"
    out.say(texts.CANCEL_KEPT)
    if conv.draft is not None:
        filling.ask(conv.draft, out)


def _offer_resume(conv: Conversation, wanted: str, out: Outputs) -> None:
    assert conv.draft is not None
    conv.mode = "resume"
    conv.draft.values["_want"] = wanted
    form = FORMS[conv.draft.kind]
    text = texts.RESUME_OFFER.format(
        noun=form.noun, filled=filling.filled(conv.draft), total=len(form.fields)
    )
    out.say(text, texts.RESUME_CHOICES)


def _resume(conv: Conversation, inbound: Inbound, context: Context, out: Outputs) -> None:
    draft = conv.draft
    if draft is None:
        _idle(conv, inbound, context, out)
        return
    command = validators.as_command(inbound.text or "")
    wanted = draft.values.pop("_want", draft.kind)
    if command in {"继续", "1", "继续填写"}:
        conv.mode = "form"
        filling.ask(draft, out)
    elif command in {"重填", "2", "重新开始", "重新填写"}:
        out.say(texts.START_OVER)
        _start(conv, wanted, draft.key + "r", context, out)
    elif command in MENU:
        _menu(conv, out)
    else:
        draft.values["_want"] = wanted
        out.say(texts.RESUME_BAD, texts.RESUME_CHOICES)


def _start_or_resume(conv: Conversation, kind: str, inbound: Inbound, context: Context, out: Outputs) -> None:
    """``1``/``2``: a new form; with a draft of that kind, go on with it ("回复 1 可以接着填");
    with a started draft of the other kind, ask whether to continue it or start over."""
    draft = conv.draft
    if draft is not None and filling.started(draft):
        if draft.kind == kind:
            conv.mode = "form"
            filling.ask(draft, out)
        else:
            _offer_resume(conv, kind, out)
        return
    _start(conv, kind, f"{inbound.user.key}:{inbound.message_id}", context, out)


def _is_command(inbound: Inbound) -> bool:
    """Anything the idle menu understands (so it does not become a thread message)."""
    command = validators.as_command(inbound.text or "")
    menu = (START, MY_ITEMS, HELP, CANCEL, MENU)
    text = inbound.text or ""
    named = validators.ticket_in(text) is not None or similar.command_of(text) is not None
    return any(command in words for words in menu) or named


def _start(conv: Conversation, kind: str, key: str, context: Context, out: Outputs) -> None:
    conv.mode = "form"
    conv.draft = _draft(conv, kind, key)
    out.say(texts.FORM_INTRO[kind])
    campaigns = context.followups.campaigns
    if kind == "suggestion" and campaigns:  # 专项征集 open now: which topic, if any?
        campaign.offer(conv, campaigns, out)
        return
    filling.ask(conv.draft, out)


def _draft(conv: Conversation, kind: str, key: str) -> Draft:
    draft = Draft(kind=kind, key=key)
    if conv.known:
        draft.values[filling.KNOWN] = dict(conv.known)
    draft.step = filling.next_step(draft)
    return draft


def _matter(conv: Conversation, inbound: Inbound, out: Outputs) -> bool:
    """A message at the menu that tells a matter (typed, spoken, a photo's caption) starts the
    form it belongs to with those words as its account (asking which form when they do not say)."""
    text = validators.clean(inbound.text or "")
    if inbound.kind not in ("text", "voice", "image") or not reading.looks_like_matter(text):
        return False
    if len(text) > MAX_ACCOUNT:
        out.say(texts.TOO_LONG_START.format(got=len(text)))
        return True
    photos = [inbound.media.ref] if inbound.kind == "image" and inbound.media is not None else []
    key = f"{inbound.user.key}:{inbound.message_id}"
    start: dict[str, Any] = {"text": text, "key": key, "photos": photos}
    read = reading.read(text)
    if read.kind is None:
        conv.mode, conv.aside = "pick_kind", start
        out.say(texts.KIND_ASK, texts.KIND_CHOICES)
        return True
    _begin(conv, read.kind, start, out, read)
    return True


def _begin(
    conv: Conversation, kind: str, start: dict[str, Any], out: Outputs, read: Reading | None = None
) -> None:
    """The form of ``kind`` from a free-form start (``read``: the kind came from the words)."""
    conv.mode, conv.aside = "form", {}
    conv.draft = _draft(conv, kind, str(start["key"]))
    if photos := start.get("photos"):
        conv.draft.values["photos"] = list(photos)
    filling.begin(conv.draft, str(start["text"]), out, read)


def _kind_answer(inbound: Inbound) -> str | None:
    """1/2, 提建议/投诉, or the button's "1 提建议"."""
    command = validators.as_command(inbound.text or "")
    if command[1:] in ("提建议", "投诉"):
        command = command[:1]
    return START.get(command)


def _idle(conv: Conversation, inbound: Inbound, context: Context, out: Outputs) -> None:
    conv.mode, conv.aside = "idle", {}
    if followup.rating_or_review(conv, inbound, context, out):
        return
    if (
        inbound.kind in ("image", "text")
        and not _is_command(inbound)
        and followup.thread_message(conv, inbound, context, out)
    ):
        return
    if inbound.kind == "image":
        if not _matter(conv, inbound, out):  # a photo with a caption that tells the matter
            out.say(texts.PHOTO_IDLE)
        return
    if inbound.kind == "location":
        out.say(texts.LOCATION_IDLE)
        return
    _idle_command(conv, inbound, context, out)


def _idle_command(conv: Conversation, inbound: Inbound, context: Context, out: Outputs) -> None:
    text = inbound.text or ""
    command = validators.as_command(text)
    if command in START:
        _start_or_resume(conv, START[command], inbound, context, out)
    elif command in MY_ITEMS:
        out.do(ListMine())
    elif command in HELP or HOW_TO.match(command):
        out.say(texts.HELP, texts.MENU_CHOICES)
    elif ticket := validators.ticket_in(text):
        out.do(ShowTicket(ticket))
    elif similar.idle_command(text, out):
        return
    elif command in CANCEL:
        out.say(texts.CANCEL_NOTHING)
        out.say(texts.MENU, texts.MENU_CHOICES)
    elif command in MENU:
        out.say(texts.MENU, texts.MENU_CHOICES)
    elif _matter(conv, inbound, out):
        return
    elif not conv.greeted:
        out.say(texts.MENU, texts.MENU_CHOICES)
    elif context.arriving:  # they wrote before seeing what arrives now (maybe a question to them)
        out.say(texts.SEE_ABOVE)
    else:
        out.say(texts.UNRECOGNISED)
        out.say(texts.MENU, texts.MENU_CHOICES)
