"""The Telegram channel: python-telegram-bot as the transport only (parsing updates, the ``Bot``
for sending, keyboard types); the conversation runs in minyi's own dialogs and state store."""

from bot.channels.telegram.adapter import setup

__all__ = ["setup"]
