"""Filling in a form: asking a field, taking an answer, going back, skipping, the summary."""

from __future__ import annotations

import re

from dialogs import texts, validators
from dialogs.effects import Outputs, Submit
from dialogs.forms import FORMS, Field, Form
from dialogs.state import Conversation, Draft
from dialogs.types import Inbound

_EDIT = re.compile(r"^修改(\d{1,2})$")
BACK, SKIP, CONFIRM = "返回", "跳过", "确认"


def form_of(draft: Draft) -> Form:
    return FORMS[draft.kind]


def ask(draft: Draft, out: Outputs) -> None:
    """Say the current question (or the summary when every field is answered)."""
    form = form_of(draft)
    if draft.step >= len(form.fields):
        summary(draft, out)
        return
    f = form.fields[draft.step]
    text = f"（{draft.step + 1}/{len(form.fields)}）{f.prompt}"
    if f.kind == "choice":
        text += "\n" + texts.numbered(f.choices)
    previous = draft.values.get(f.key)
    if previous:
        text += f"\n（之前填写：{_short(str(previous))}，直接回复新内容即可修改）"
    out.say(text, buttons(f), "phone" if f.kind == "phone" else "location" if f.accepts_location else None)


def buttons(f: Field) -> tuple[str, ...]:
    """Quick replies for an answer from a fixed set: the choices, 匿名, 跳过."""
    if f.kind in ("choice", "yesno"):
        return f.choices
    return ("匿名",) * (f.kind == "name_or_anon") + (SKIP,) * f.optional


def summary(draft: Draft, out: Outputs) -> None:
    form = form_of(draft)
    lines = [texts.SUMMARY_HEAD.format(noun=form.noun)]
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
        ask(draft, out)
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
    else:
        _take(draft, f, inbound, out)


def _take(draft: Draft, f: Field, inbound: Inbound, out: Outputs) -> None:
    if inbound.kind == "location" and inbound.location is not None:
        if not f.accepts_location:
            out.say(texts.LOCATION_NOT_NOW)
            ask(draft, out)
            return
        value = inbound.location.describe()
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
    _advance(draft, out)


def _advance(draft: Draft, out: Outputs) -> None:
    draft.step = len(form_of(draft).fields) if draft.editing else draft.step + 1
    draft.editing = False
    ask(draft, out)


def _back(draft: Draft, out: Outputs) -> None:
    if draft.editing:
        draft.editing = False
        draft.step = len(form_of(draft).fields)
    elif draft.step == 0:
        out.say(texts.FIRST_STEP)
    else:
        draft.step -= 1
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
        out.do(Submit(draft.kind, dict(draft.values), draft.key))
        conv.draft, conv.mode = None, "idle"
        return
    if command == BACK:
        draft.step = len(form.fields) - 1
        ask(draft, out)
        return
    if m := _EDIT.match(command):
        n = int(m.group(1))
        if 1 <= n <= len(form.fields):
            draft.step, draft.editing = n - 1, True
            ask(draft, out)
            return
        out.say(texts.BAD_EDIT.format(n=len(form.fields)))
        return
    out.say(texts.AT_SUMMARY)
    summary(draft, out)


def filled(draft: Draft) -> int:
    return sum(1 for f in form_of(draft).fields if draft.values.get(f.key))


def started(draft: Draft) -> bool:
    """Whether anything was given yet (an answer, a photo, a campaign): worth offering back."""
    return bool(filled(draft) or draft.values.get("photos") or draft.values.get("campaign"))


def _short(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[:limit] + "…"
