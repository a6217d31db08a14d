"""Passive replies: the dialog's replies packed into messages within WeChat's text limit, and
the reply XML (CDATA-safe, so a citizen's ``]]>`` cannot break it)."""

from __future__ import annotations

import time

from dialogs import Reply

TEXT_LIMIT = 2048  # bytes of UTF-8 in one text message (passive reply and customer service)
JOINER = "\n\n"
SUCCESS = "success"  # "received, nothing to say": never encrypted


def _cut(text: str, limit: int) -> list[str]:
    """Split one over-long text at character boundaries (line breaks preferred)."""
    pieces: list[str] = []
    while len(text.encode()) > limit:
        head = text.encode()[:limit].decode("utf-8", "ignore")
        nl = head.rfind("\n")
        if nl > len(head) // 2:
            head = head[:nl]
        pieces.append(head)
        text = text[len(head) :].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def pack(replies: list[Reply], limit: int = TEXT_LIMIT) -> list[str]:
    """The replies joined into as few messages as possible, each at most ``limit`` bytes.

    The first message goes back passively; the rest need the customer-service API."""
    messages: list[str] = []
    current = ""
    for reply in replies:
        for piece in _cut(reply.text, limit):
            joined = f"{current}{JOINER}{piece}" if current else piece
            if len(joined.encode()) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_xml(to_user: str, from_account: str, content: str, now: int | None = None) -> str:
    """A passive text reply from the account (``FromUserName``) to the citizen (``ToUserName``)."""
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_account)}</FromUserName>"
        f"<CreateTime>{int(now if now is not None else time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(content)}</Content></xml>"
    )
