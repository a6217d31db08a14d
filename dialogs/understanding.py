"""What the citizen's own words already say: the category, a title, the place and what they ask
for are proposed from their account in one message, corrected in one reply ("1 改成 交通出行",
"改成投诉"), and only what is still missing is asked."""

from __future__ import annotations

import re

from dialogs import texts, validators
from dialogs.forms import FORMS, Form
from dialogs.reading import Reading
from dialogs.state import Draft

GUESSED = "_guessed"  # the draft's keys filled from the citizen's words (shown, correctable)
FIX_CATEGORY = "改类别"
SWITCH = {"suggestion": "改成投诉", "complaint": "改成建议"}  # the button that turns the draft over
_SWITCH_WORDS = {
    "complaint": {"改成投诉", "改为投诉", "是投诉", "这是投诉", "我要投诉", "投诉"},
    "suggestion": {"改成建议", "改为建议", "是建议", "这是建议", "我要提建议", "提建议", "建议"},
}
_CORRECT = re.compile(r"^\s*(\d{1,2})\s*[.、．]?\s*(?:改成|改为|换成|应该是)\s*[:：]?\s*(.+?)\s*$", re.S)
TITLE_MAX = 20
TITLE_MIN = 4  # Chinese characters an account needs for a title to be proposed from it
_HAN = re.compile(r"[\u4e00-\u9fff]")


def propose(draft: Draft, reading: Reading) -> Reading:
    """Fill the empty fields the words answer (category, title, place, request); remember which."""
    form = FORMS[draft.kind]
    values = draft.values
    guessed: list[str] = []
    ranked = reading.categories.get(draft.kind, ())
    if "category" not in values and ranked:
        values["category"] = ranked[0]
        guessed.append("category")
    if _has(form, "title") and "title" not in values and _worded(reading.text):
        values["title"] = reading.title or _short_title(reading.text)
        guessed.append("title")
    if form.place not in values and reading.place:
        values[form.place] = reading.place
        guessed.append(form.place)
    if form.request not in values and reading.request:
        values[form.request] = reading.request[: form.field(form.request).max_len]
        guessed.append(form.request)
    values[GUESSED] = guessed
    return reading


def understood(draft: Draft, reading: Reading | None, *, kind_guessed: bool) -> tuple[str, tuple[str, ...]]:
    """The one message that shows what was taken from their words, with how to correct it, and
    its buttons."""
    form = FORMS[draft.kind]
    listed = sorted(form.index(key) for key in draft.values.get(GUESSED, []))
    if listed:  # what was taken from their words, numbered as in the summary
        lines = [texts.UNDERSTOOD_KIND[draft.kind] if kind_guessed else texts.UNDERSTOOD_HEAD]
        lines += [f"{i + 1}. {form.fields[i].label}：{draft.values.get(form.fields[i].key)}" for i in listed]
        lines.append(texts.UNDERSTOOD_FIX)
    else:  # nothing to show: no promise of a list
        lines = [texts.RECORDED_AS[draft.kind]] if kind_guessed else []
    other = "complaint" if draft.kind == "suggestion" else "suggestion"
    if kind_guessed or (reading is not None and reading.kind == other):
        lines.append(texts.UNDERSTOOD_SWITCH[draft.kind])
    if reading is not None and reading.matters > 1:
        lines.append(texts.ONE_MATTER)
    buttons = ((FIX_CATEGORY,) if "category" in draft.values.get(GUESSED, []) else ()) + (SWITCH[draft.kind],)
    return "\n".join(lines), buttons


def switch_to(draft: Draft, command: str) -> str | None:
    """The kind a ``改成投诉``/``改成建议`` asks for, if it is not the draft's own."""
    for kind, words in _SWITCH_WORDS.items():
        if command in words and kind != draft.kind:
            return kind
    return None


def switch(draft: Draft, kind: str) -> None:
    """Turn the draft into the other form: the account, place, request, name and phone move
    across; the rest is proposed again from the account."""
    old, new = FORMS[draft.kind], FORMS[kind]
    values = draft.values
    moved = {
        new.material: values.get(old.material),
        new.place: values.get(old.place),
        new.request: values.get(old.request),
        "name": values.get("name") if kind == "suggestion" or values.get("name") != "匿名" else None,
        "phone": values.get("phone"),
    }
    keep = {k: v for k, v in values.items() if k in ("photos", "verified_phone", "_known")}
    draft.kind, draft.editing = kind, False
    draft.values = keep | {k: v for k, v in moved.items() if v}


def correction(draft: Draft, text: str) -> tuple[int, str] | None:
    """``N 改成 X``: the field number (as in the summary) and the new answer."""
    m = _CORRECT.match(validators.clean(text))
    if m is None:
        return None
    n = int(m.group(1))
    return (n, m.group(2)) if 1 <= n <= len(FORMS[draft.kind].fields) else None


def _worded(text: str) -> bool:
    """Enough words to make a title of ("2" or "嗯" is not: then the title is asked)."""
    return len(_HAN.findall(text)) >= TITLE_MIN


def _has(form: Form, key: str) -> bool:
    return any(f.key == key for f in form.fields)


def _short_title(text: str) -> str:
    first = re.split(r"[。！？!?\n，,；;]", text.strip(), maxsplit=1)[0].strip()
    return first[:TITLE_MAX] or text[:TITLE_MAX]
