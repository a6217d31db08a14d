"""Checks for one typed answer: each returns the clean value or raises ``Invalid`` with the message."""

from __future__ import annotations

import re
import unicodedata

from dialogs import texts
from dialogs.forms import Field

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")
_TICKET = re.compile(r"^(JY|TS)-(\d{8})-(\d{4})$")
# control and format characters (zero-width, bidi overrides, BOM…), keeping newline and tab
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


class Invalid(Exception):
    """The answer cannot be used; ``str(exc)`` is the message for the citizen."""


def clean(text: str) -> str:
    """What is stored of free text: control and zero-width characters dropped, trimmed. Chinese
    punctuation stays as typed (NFKC would turn ``，`` into ``,``)."""
    return _CONTROL.sub("", text).strip()


def normalise(text: str) -> str:
    """For matching commands, choices and numbers: NFKC (full-width ``１`` becomes ``1``), cleaned."""
    return clean(unicodedata.normalize("NFKC", text))


# what closes a spoken or typed sentence: WeChat's voice recognition ends every transcript with "。"
_TRAILING = re.compile(r"[\s。．.！!？?，,、～~…]+$")
# spoken numbers come back as Chinese numerals: "一" is the menu's 1, "一三九…" a phone number
_NUMERALS = str.maketrans("零〇一二三四五六七八九", "00123456789")
_ALL_NUMERALS = re.compile(r"^[零〇一二三四五六七八九]+$")


def as_command(text: str) -> str:
    """The form a command is compared in: normalised, no inner spaces nor closing punctuation,
    upper case, spoken numerals as digits ("确认。" and "一。" from a voice message: 确认, 1)."""
    compact = re.sub(r"\s+", "", normalise(text))
    command = _TRAILING.sub("", compact) or compact  # a bare "?" stays a command
    return (command.translate(_NUMERALS) if _ALL_NUMERALS.match(command) else command).upper()


def ticket_in(text: str) -> str | None:
    """A ticket number if the whole message is one (``jy-20261122-0001`` works too)."""
    cleaned = as_command(text).replace("—", "-").replace("_", "-")
    return cleaned if _TICKET.match(cleaned) else None


def phone(value: str) -> str:
    compact = re.sub(r"[\s()（）]", "", value).translate(_NUMERALS)
    if m := _MOBILE.match(compact.replace("-", "")):
        return m.group(1)
    if m := _LANDLINE.match(compact):
        return f"{m.group(1)}-{m.group(2)}"
    raise Invalid(texts.BAD_PHONE)


def choice(value: str, options: tuple[str, ...]) -> str:
    key = as_command(value)
    if key.isdigit() and 1 <= int(key) <= len(options):
        return options[int(key) - 1]
    for option in options:
        if key == as_command(option):
            return option
    raise Invalid(texts.bad_choice(len(options)))


def check(field: Field, raw: str) -> str:
    """Validate one answer to ``field``."""
    value = clean(raw)
    if not value:
        raise Invalid(texts.EMPTY)
    if len(value) > field.max_len:
        raise Invalid(texts.too_long(field.max_len, len(value)))
    if field.kind == "choice":
        return choice(value, field.choices)
    if field.kind == "yesno":
        return _yes_no(value)
    if field.kind == "phone":
        return phone(_TRAILING.sub("", normalise(value)))
    if field.kind in ("name", "name_or_anon"):
        return _name(value, anonymous_ok=field.kind == "name_or_anon")
    return value


def _yes_no(value: str) -> str:
    key = as_command(value)
    if key in {"可以", "1", "是", "好", "好的", "行", "同意", "Y", "YES"}:
        return "可以"
    if key in {"不可以", "2", "否", "不", "不行", "不同意", "N", "NO"}:
        return "不可以"
    raise Invalid(texts.BAD_YES_NO)


def _name(value: str, *, anonymous_ok: bool) -> str:
    value = _TRAILING.sub("", value) or value
    if as_command(value) in {"匿名", "不留名", "不愿留名"}:
        if anonymous_ok:
            return "匿名"
        raise Invalid(texts.REAL_NAME_NEEDED)
    if any(ch.isdigit() for ch in value) or (len(value) < 2 and not value.isascii()):
        raise Invalid(texts.BAD_NAME)
    return value


_PHONE_IN = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}-\d{7,8})(?!\d)")
_CONSENT = re.compile(r"(不可以|不能|不要|不用|别|不方便|可以|能|方便)(?:联系|打电话|来电)?(?:我)?$")
_SPOKEN_PHONE = re.compile(
    r"[零〇一二三四五六七八九]{11}(?![零〇一二三四五六七八九])"
)  # a number read aloud to WeChat's voice input
_NAME_LEAD = re.compile(r"^(?:我叫|我是|我姓|姓名|名字|称呼)[：:\s]*")


def contact(text: str) -> tuple[str, str | None, str | None]:
    """A name, a phone number and a yes/no to being contacted given in one message
    ("李四 13800138000 可以联系"): the rest of the text (the name, maybe empty), the phone
    found, and 可以/不可以 if said after them."""
    rest = _SPOKEN_PHONE.sub(lambda m: m.group(0).translate(_NUMERALS), normalise(text))
    found = None
    if m := _PHONE_IN.search(rest):
        found = phone(m.group(1).replace(" ", ""))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    consent = None
    tail = _TRAILING.sub("", rest.strip())
    if found is not None and (c := _CONSENT.search(tail)):
        consent = "不可以" if c.group(1) in {"不可以", "不能", "不要", "不用", "别", "不方便"} else "可以"
        tail = tail[: c.start()]
    name = _NAME_LEAD.sub("", re.sub(r"[\s，,、。.；;：:]+", " ", tail).strip()).strip()
    return name, found, consent
