"""The dialogs' replies → ``sendMessage`` arguments: one message per step (texts joined, split at
Telegram's 4,096-character limit), buttons for ``Reply.choices``, share buttons for the hints."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.channels.telegram.convert import callback_data
from dialogs import Reply, texts

MAX_TEXT = 4096  # Telegram counts UTF-16 code units
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` UTF-16 units, at a line break when one is near."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit // 2 and _utf16_len(rest) > limit:
        size, cut = 0, 0
        for i, ch in enumerate(rest):
            size += _units(ch)
            if size > limit:
                break
            cut = i + 1
        newline = rest.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline + 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _row_width(labels: tuple[str, ...]) -> int:
    longest = max(len(label) for label in labels)
    if longest > 10:
        return 1
    return 3 if longest <= 5 and len(labels) > 4 else 2


def markup(reply: Reply) -> Markup:
    """Inline buttons for choices (they carry the turn they answer); a reply keyboard to share the
    phone number or the location (with the choices, e.g. 跳过, as its text buttons)."""
    return _markup(reply.choices, reply.hint, reply.turn)


@lru_cache(maxsize=1024)
def _markup(choices: tuple[str, ...], hint: str | None, turn: int) -> Markup:
    """Built once per set of buttons and turn (PTB's keyboard objects are immutable and costly)."""
    if hint == "phone":
        button = KeyboardButton(texts.TG_SHARE_PHONE, request_contact=True)
        return ReplyKeyboardMarkup(
            [[button]],
            one_time_keyboard=True,
            resize_keyboard=True,
            input_field_placeholder=texts.TG_PHONE_PLACEHOLDER,
        )
    if hint == "location":
        button = KeyboardButton(texts.TG_SHARE_LOCATION, request_location=True)
        rows = [[button], *([KeyboardButton(c)] for c in choices)]
        return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)
    if choices:
        buttons = [
            InlineKeyboardButton(label, callback_data=callback_data(label, i, turn))
            for i, label in enumerate(choices, 1)
        ]
        width = _row_width(choices)
        return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])
    return ReplyKeyboardRemove()


def messages(replies: list[Reply]) -> list[dict[str, Any]]:
    """``send_message`` keyword arguments (without ``chat_id``) for one step's replies."""
    if not replies:
        return []
    pieces = split("\n\n".join(r.text for r in replies))
    out: list[dict[str, Any]] = [{"text": piece} for piece in pieces]
    out[-1]["reply_markup"] = markup(replies[-1])
    return out
