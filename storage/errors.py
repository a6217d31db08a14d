"""The one exception tree of minyi. Callers decide retry vs give-up by type, never by text.

MinyiError
├── NotFound                  no such item (or not this citizen's)
├── InvalidTransition         the workflow does not allow that action in that state
│   └── ConcurrentChange      someone else changed the item first
├── DuplicateSubmission       the same submission key was already stored
├── InvalidInput              a command's argument is unusable (bad phone, bad date...)
├── StartupError              a configured part cannot be built: the command stops (exit code 1)
└── PlatformError             a platform (WeChat, Telegram) refused or failed: ``notifier.errors``,
    …                         next to the ``Sender`` seam the platforms raise them through
"""

from __future__ import annotations


class MinyiError(Exception):
    """Base of every error minyi raises on purpose."""


class NotFound(MinyiError):
    pass


class InvalidTransition(MinyiError):
    def __init__(self, message: str, *, action: str = "", status: str = "") -> None:
        super().__init__(message)
        self.action = action
        self.status = status


class ConcurrentChange(InvalidTransition):
    pass


class DuplicateSubmission(MinyiError):
    pass


class InvalidInput(MinyiError):
    pass


class StartupError(MinyiError):
    """A setting is wrong or a configured part cannot be built; ``str(exc)`` is one line to print."""
