"""Filling in a form: the citizen's own account first, then only what it left empty; taking an
answer (several at once for name, phone and consent), corrections, going back, skipping, the
summary."""

from __future__ import annotations

import re

from dialogs import texts, understanding, validators
from dialogs.effects import FindSimilar, Outputs, Submit
from dialogs.forms import FORMS, Field, Form
from dialogs.reading import Reading
from dialogs.reading import read as read_words
from dialogs.state import Conversation, Draft
from dialogs.types import Inbound

_EDIT = re.compile(r"^修改(\d{1,2}|[一二三四五六七八九])$")  # "修改四。" from a voice message too
BACK, SKIP, CONFIRM, EDIT, SAME_AS_BEFORE = "返回", "跳过", "确认", "修改", "用上次的"
KNOWN = "_known"  # the name and phone this chat gave last time, offered back with one tap
LOOKED = "_looked"  # the kind similar items were looked for (once per draft and kind)
CONTACT = ("name", "phone", "contact_ok")  # may be answered in one message


def form_of(draft: Draft) -> Form:
    return FORMS[draft.kind]


def next_step(draft: Draft) -> int:
    """The first field still to ask, in the form's asking order; the summary when none is left."""
    form = form_of(draft)
    for key in form.asked:
        if key not in draft.values:
            return form.index(key)
    return len(form.fields)


def ask(draft: Draft, out: Outputs, lead: str = "", extra: tuple[str, ...] = ()) -> None:
    """Say the current question (or the summary when every field is answered), after ``lead``."""
    form = form_of(draft)
    if draft.step >= len(form.fields):
        summary(draft, out, lead)
        return
    f = form.fields[draft.step]
    text = f.prompt
    if f.kind == "choice":
        text += "\n" + texts.numbered(f.choices)
    choices = buttons(f)
    previous = draft.values.get(f.key)
    if previous:
        text += f"\n（之前填写：{_short(str(previous))}，直接回复新内容即可修改）"
    elif (known := _known(draft, f)) is not None:
        text += "\n" + texts.KNOWN_OFFER.format(name=known[0], phone=_masked(known[1]))
        choices = (SAME_AS_BEFORE, *choices)
    hint = "phone" if f.kind == "phone" else "location" if f.accepts_location else None
    out.say(f"{lead}\n\n{text}" if lead else text, (*choices, *extra), hint)


def begin(draft: Draft, text: str, out: Outputs, read: Reading | None = None) -> None:
    """A form started from the citizen's own words: propose what they say, ask what is missing
    (``read``: the words as read already, when their kind chose the form)."""
    form = form_of(draft)
    draft.values[form.material] = text
    _understood(draft, text, out, read)


def _understood(draft: Draft, text: str, out: Outputs, read: Reading | None = None) -> None:
    reading = understanding.propose(draft, read or read_words(text))
    lead, extra = understanding.understood(draft, reading, kind_guessed=read is not None)
    draft.step, draft.editing = next_step(draft), False
    if draft.values.get(LOOKED) != draft.kind:  # first look for items like it (dialogs.similar)
        draft.values[LOOKED] = draft.kind
        out.do(FindSimilar(draft.kind, text, lead, extra))
        return
    ask(draft, out, lead, extra)


def buttons(f: Field) -> tuple[str, ...]:
    """Quick replies for an answer from a fixed set: the choices, 匿名, 跳过."""
    if f.kind in ("choice", "yesno"):
        return f.choices
    return ("匿名",) * (f.kind == "name_or_anon") + (SKIP,) * f.optional


def summary(draft: Draft, out: Outputs, lead: str = "") -> None:
    form = form_of(draft)
    lines = [lead + "\n"] if lead else []
    lines.append(texts.SUMMARY_HEAD.format(noun=form.noun))
    for i, f in enumerate(form.fields, 1):
        lines.append(f"{i}. {f.label}：{draft.values.get(f.key) or texts.SKIPPED}")
    if photos := draft.values.get("photos"):
        lines.append(f"照片：{len(photos)} 张")
    lines.append(texts.SUMMARY_FOOT)
    out.say("\n".join(lines), texts.SUMMARY_CHOICES)


def answer(conv: Conversation, draft: Draft, inbound: Inbound, out: Outputs) -> None:
    """Take one message while a form is open."""
    form = form_of(draft)
    if inbound.kind == "image" and inbound.media is not None:
        draft.values.setdefault("photos", []).append(inbound.media.ref)
        out.say(texts.PHOTO_SAVED.format(noun=form.noun))
        if inbound.text and draft.step == form.index(form.material) and form.material not in draft.values:
            _take(draft, form.fields[draft.step], inbound, out)  # a photo with a caption: the account
            return
        ask(draft, out)
        return
    if _corrects(draft, inbound, out):
        return
    if draft.step >= len(form.fields):
        _at_summary(conv, draft, inbound, out)
        return
    f = form.fields[draft.step]
    command = validators.as_command(inbound.text or "")
    if command == BACK:
        _back(draft, out)
    elif command == SKIP:
        _skip(draft, f, out)
    elif command == SAME_AS_BEFORE and f.key in CONTACT and _known(draft, form.field("name")):
        _same_as_before(draft, out)
    else:
        _take(draft, f, inbound, out)


def _corrects(draft: Draft, inbound: Inbound, out: Outputs) -> bool:
    """``改成投诉``, ``改类别``, ``N 改成 X`` and ``修改 N`` anywhere in the form."""
    text = inbound.text or ""
    command = validators.as_command(text)
    form = form_of(draft)
    if (kind := understanding.switch_to(draft, command)) is not None:
        account = str(draft.values.get(form.material) or "")
        understanding.switch(draft, kind)
        out.say(texts.SWITCHED[kind])
        if account:
            _understood(draft, account, out)
        else:
            draft.step = next_step(draft)
            ask(draft, out)
        return True
    if command == understanding.FIX_CATEGORY:
        draft.step, draft.editing = form.index("category"), True
        ask(draft, out)
        return True
    if draft.step < len(form.fields) and (m := _EDIT.match(command)):
        _edit(draft, _number(m.group(1)), out)
        return True
    if (fix := understanding.correction(draft, text)) is None:
        return False
    n, value = fix
    f = form.fields[n - 1]
    try:
        draft.values[f.key] = validators.check(f, value)
    except validators.Invalid as exc:
        out.say(str(exc))
        draft.step, draft.editing = n - 1, True
        ask(draft, out)
        return True
    out.say(texts.CORRECTED.format(label=f.label, value=draft.values[f.key]))
    ask(draft, out)
    return True


def _take(draft: Draft, f: Field, inbound: Inbound, out: Outputs) -> None:
    form = form_of(draft)
    if inbound.kind == "location" and inbound.location is not None:
        if not f.accepts_location:
            out.say(texts.LOCATION_NOT_NOW)
            ask(draft, out)
            return
        value = inbound.location.describe()
    elif (
        (f.key in CONTACT or _only_contact(inbound))
        and not draft.editing
        and _contact(draft, f, inbound, out)
    ):
        return
    else:
        try:
            if f.kind == "phone" and inbound.phone:  # shared through the platform: verified as theirs
                value = draft.values["verified_phone"] = validators.phone(inbound.phone)
            else:
                value = validators.check(f, inbound.text or "")
        except validators.Invalid as exc:
            out.say(str(exc))
            ask(draft, out)
            return
    draft.values[f.key] = value
    if f.key == form.material and understanding.GUESSED not in draft.values:
        _understood(draft, value, out)
        return
    _advance(draft, out)


def _contact(draft: Draft, f: Field, inbound: Inbound, out: Outputs) -> bool:
    """Name, phone and consent given together ("李四 13800138000 可以"): each one found is taken,
    and the next missing one is asked. False when the message holds only the one answer asked."""
    if inbound.phone or not inbound.text:
        return False
    try:
        name, phone, consent = validators.contact(inbound.text)
    except validators.Invalid:
        return False
    if phone is None:
        return False
    form = form_of(draft)
    found: dict[str, str] = {"phone": phone}
    if consent is not None and any(x.key == "contact_ok" for x in form.fields):
        found["contact_ok"] = consent
    if name:
        try:
            found["name"] = validators.check(form.field("name"), name)
        except validators.Invalid as exc:
            out.say(str(exc))
    elif f.key == "name":
        out.say(texts.NAME_STILL_NEEDED)
    draft.values.update(found)
    if f.key not in CONTACT:  # answered ahead: the question asked is still open
        out.say(texts.CONTACT_NOTED)
    draft.step = next_step(draft)
    ask(draft, out)
    return True


def _only_contact(inbound: Inbound) -> bool:
    """A name and a phone number and nothing else, sent to another question (answered ahead)."""
    try:
        name, phone, _ = validators.contact(inbound.text or "")
    except validators.Invalid:
        return False
    return phone is not None and len(name) <= 6


def _same_as_before(draft: Draft, out: Outputs) -> None:
    known = draft.values[KNOWN]
    draft.values["name"], draft.values["phone"] = known["name"], known["phone"]
    if known.get("v"):
        draft.values["verified_phone"] = known["phone"]
    _advance(draft, out)


def _known(draft: Draft, f: Field) -> tuple[str, str] | None:
    """The name and phone to offer back at the name question (a complaint needs a real name)."""
    known = draft.values.get(KNOWN)
    if f.key != "name" or not known or "phone" in draft.values:
        return None
    if known.get("name") == "匿名" and f.kind == "name":
        return None
    return str(known["name"]), str(known["phone"])


def _masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone


def _advance(draft: Draft, out: Outputs) -> None:
    draft.step = next_step(draft)
    draft.editing = False
    ask(draft, out)


def _edit(draft: Draft, n: int, out: Outputs) -> None:
    form = form_of(draft)
    if 1 <= n <= len(form.fields):
        draft.step, draft.editing = n - 1, True
        ask(draft, out)
        return
    out.say(texts.BAD_EDIT.format(n=len(form.fields)))


def _back(draft: Draft, out: Outputs) -> None:
    """Back one question in the asking order (from a change: back to where the form was)."""
    form = form_of(draft)
    order = [form.index(k) for k in form.asked]
    if draft.editing or draft.step not in order:
        draft.editing = False
        draft.step = next_step(draft)
    elif order.index(draft.step) > 0:
        draft.step = order[order.index(draft.step) - 1]
    else:
        out.say(texts.FIRST_STEP)
    ask(draft, out)


def _skip(draft: Draft, f: Field, out: Outputs) -> None:
    if not f.optional:
        out.say(texts.NOT_OPTIONAL)
        ask(draft, out)
        return
    draft.values[f.key] = ""
    _advance(draft, out)


def _at_summary(conv: Conversation, draft: Draft, inbound: Inbound, out: Outputs) -> None:
    form = form_of(draft)
    command = validators.as_command(inbound.text or "")
    if command in (CONFIRM, "提交", "确定"):
        values = {k: v for k, v in draft.values.items() if not k.startswith("_")}
        out.do(Submit(draft.kind, values, draft.key))
        conv.remember(values.get("name"), values.get("phone"), values.get("verified_phone"))
        conv.draft, conv.mode = None, "idle"
        return
    if command == BACK:
        draft.step = form.index(form.asked[-1])
        ask(draft, out)
        return
    if command == EDIT:
        out.say(texts.WHICH_EDIT)
        return
    if m := _EDIT.match(command):
        _edit(draft, _number(m.group(1)), out)
        return
    out.say(texts.AT_SUMMARY)
    summary(draft, out)


def _number(said: str) -> int:
    """``4`` or a spoken ``四``."""
    return int(said) if said.isdigit() else "一二三四五六七八九".index(said) + 1


def filled(draft: Draft) -> int:
    return sum(1 for f in form_of(draft).fields if draft.values.get(f.key))


def started(draft: Draft) -> bool:
    """Whether anything was given yet (an answer, a photo, a campaign): worth offering back."""
    return bool(filled(draft) or draft.values.get("photos") or draft.values.get("campaign"))


def _short(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[:limit] + "…"
