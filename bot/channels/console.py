"""The console channel: the same conversation in a terminal (``minyi chat --user NAME``)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from bot.pipeline import Pipeline
from dialogs import Inbound, Reply, UserRef

QUIT = {"/quit", "/exit", "退出聊天"}


def inbound_for(user: str, text: str | None) -> Inbound:
    """A typed line, or (text None) the terminal-opened event."""
    if text is None:
        return Inbound(
            UserRef("console", user), uuid.uuid4().hex, datetime.now(UTC), kind="event", event="hello"
        )
    return Inbound(UserRef("console", user), uuid.uuid4().hex, datetime.now(UTC), text=text)


def print_replies(replies: list[Reply], write: Callable[[str], object] = print) -> None:
    for reply in replies:
        write(f"\n🤖 {reply.text}")


async def chat(pipeline: Pipeline, user: str, read: Callable[[], str] = input) -> None:
    """Read lines until EOF or /quit; each line is one message."""
    print_replies(await pipeline.feed(inbound_for(user, None)))
    while True:
        try:
            line = await asyncio.to_thread(read)
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() in QUIT:
            break
        print_replies(await pipeline.feed(inbound_for(user, line)))
    sys.stdout.write("\n再见！\n")
