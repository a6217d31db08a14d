"""The Telegram channel: python-telegram-bot as the transport only (parsing updates, the ``Bot``
for sending, keyboard types); the conversation runs in minyi's own dialogs and state store."""

import os

# Opt in to PTB 22's future time periods (``RetryAfter.retry_after`` as a timedelta): without it
# PTB warns each time it builds a RetryAfter. Read at access time, so setting it here suffices.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.channels.telegram.adapter import setup

__all__ = ["setup"]
