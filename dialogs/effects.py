"""Side effects a dialog step asks for; ``dialogs.session`` carries them out through the port."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Submit:
    kind: str
    values: dict[str, Any]
    key: str


@dataclass(frozen=True, slots=True)
class ListMine:
    pass


@dataclass(frozen=True, slots=True)
class ShowTicket:
    ticket: str


Effect = Submit | ListMine | ShowTicket


@dataclass(slots=True)
class Outputs:
    """What one step produced, in order: replies and effects interleaved."""

    items: list[Any] = field(default_factory=list)

    def say(self, text: str, choices: tuple[str, ...] = (), hint: Any = None) -> None:
        from dialogs.types import Reply

        self.items.append(Reply(text, choices, hint))

    def do(self, effect: Effect) -> None:
        self.items.append(effect)
