"""The Telegram channel: python-telegram-bot as the transport only (parsing updates, the ``Bot``
for sending, keyboard types); the conversation runs in minyi's own dialogs and state store.

``adapter`` serves ``POST /telegram``, ``convert`` maps updates, ``render`` draws replies,
``sender`` sends (replies and notices, within the rate limits), ``settings``, ``cli``."""

import os

# Opt in to PTB 22's future time periods (``RetryAfter.retry_after`` as a timedelta): without it
# PTB warns each time it builds a RetryAfter. Read at access time; set before any PTB import.
os.environ.setdefault("PTB_TIMEDELTA", "true")
