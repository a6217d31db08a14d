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


@dataclass(frozen=True, slots=True)
class ReplyToItem:
    """The citizen's words (or photo) join an item's thread; a waiting item goes back to staff."""

    ticket: str
    text: str
    media: str | None = None


@dataclass(frozen=True, slots=True)
class Rate:
    ticket: str
    score: int  # 1 满意, 2 基本满意, 3 不满意


@dataclass(frozen=True, slots=True)
class Comment:
    ticket: str
    text: str


@dataclass(frozen=True, slots=True)
class RequestReview:
    ticket: str | None  # None: the one complaint that can be reviewed, if there is exactly one


@dataclass(frozen=True, slots=True)
class FindSimilar:
    """Look for items like the account just given; ``dialogs.similar.offer`` goes on with what was
    found (``lead`` and ``extra``: the reply the next question would have come with)."""

    kind: str
    text: str
    lead: str = ""
    extra: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CoSign:
    """附议: join a published suggestion (``dialogs.similar.cosigned`` goes on with the outcome)."""

    ticket: str


@dataclass(frozen=True, slots=True)
class UnCoSign:
    ticket: str


@dataclass(frozen=True, slots=True)
class Supplement:
    """A complaint's new account joins the same person's open complaint instead of a new item."""

    ticket: str
    text: str
    photos: tuple[str, ...] = ()


Effect = (
    Submit
    | ListMine
    | ShowTicket
    | ReplyToItem
    | Rate
    | Comment
    | RequestReview
    | FindSimilar
    | CoSign
    | UnCoSign
    | Supplement
)


@dataclass(slots=True)
class Outputs:
    """What one step produced, in order: replies and effects interleaved."""

    items: list[Any] = field(default_factory=list)

    def say(self, text: str, choices: tuple[str, ...] = (), hint: Any = None) -> None:
        from dialogs.types import Reply

        self.items.append(Reply(text, choices, hint))

    def do(self, effect: Effect) -> None:
        self.items.append(effect)
