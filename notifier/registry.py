"""Which sender serves which channel. Each entry names a factory ``"module:function"`` taking
the ``Settings`` and returning a ``Sender`` (or None when that channel is not configured); the
platform modules live in ``bot`` and are imported only when the notifier starts.

Web and console have no push: their notices are held and shown with the citizen's next message
(or the web page's poll)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping

from notifier.sender import Sender
from storage.config import Settings

log = logging.getLogger(__name__)

SenderFactory = Callable[[Settings], Sender | None]
FACTORIES: dict[str, str] = {
    "wechat": "bot.channels.wechat.sender:build_sender",
    "telegram": "bot.channels.telegram.sender:build_sender",
}


def register(channel: str, factory: str) -> None:
    FACTORIES[channel] = factory


def load(path: str) -> SenderFactory:
    module, _, name = path.partition(":")
    factory: SenderFactory = getattr(importlib.import_module(module), name)
    return factory


def build_senders(settings: Settings, factories: Mapping[str, str] | None = None) -> dict[str, Sender]:
    """A sender for every channel whose factory is present and configured."""
    senders: dict[str, Sender] = {}
    for channel, path in (FACTORIES if factories is None else factories).items():
        try:
            sender = load(path)(settings)
        except (ImportError, AttributeError) as exc:
            log.warning("no sender for %s (%s): its notices are held", channel, exc)
            continue
        if sender is not None:
            senders[channel] = sender
    return senders


async def close_senders(senders: Mapping[str, Sender]) -> None:
    for sender in senders.values():
        for name in ("aclose", "close"):
            if callable(closer := getattr(sender, name, None)):
                result = closer()
                if hasattr(result, "__await__"):
                    await result
                break
