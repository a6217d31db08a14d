"""The conversations: a pure, synchronous state machine plus the port it talks through.

Nothing in this package does I/O or imports ``bot``, ``storage``, ``notifier`` or ``admin_cli``.
"""

from dialogs.engine import step
from dialogs.ports import ItemBrief, Port, Receipt
from dialogs.session import handle
from dialogs.state import Conversation
from dialogs.types import Context, Inbound, Location, Media, Reply, UserRef

__all__ = [
    "Context",
    "Conversation",
    "Inbound",
    "ItemBrief",
    "Location",
    "Media",
    "Port",
    "Receipt",
    "Reply",
    "UserRef",
    "handle",
    "step",
]
