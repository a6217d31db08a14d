"""Platform-neutral values: what comes in from a channel and what goes back out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

InboundKind = Literal["text", "voice", "image", "location", "link", "video", "event", "unknown"]
ReplyHint = Literal["phone", "location"]


@dataclass(frozen=True, slots=True)
class UserRef:
    """One citizen on one channel (a WeChat openid, a Telegram user id, a web cookie...)."""

    channel: str
    user_id: str

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or other file the citizen sent; ``ref`` is the platform's id or a stored path."""

    kind: str
    ref: str


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    label: str = ""

    def describe(self) -> str:
        where = self.label or "位置"
        return f"{where}（{self.latitude:.5f}, {self.longitude:.5f}）"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a citizen did, as every channel adapter reports it."""

    user: UserRef
    message_id: str
    time: datetime
    kind: InboundKind = "text"
    text: str | None = None
    media: Media | None = None
    location: Location | None = None
    event: str | None = None
    phone: str | None = None  # a contact the platform vouches is the sender's own
    re: int | None = None  # the turn whose question was on the citizen's screen (a button, the web page)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message back to the citizen; ``choices`` lets a channel draw buttons."""

    text: str
    choices: tuple[str, ...] = ()
    hint: ReplyHint | None = None
    turn: int = 0  # the conversation's turn after the step: what a button pressed on it answers


@dataclass(frozen=True, slots=True)
class Campaign:
    """An open 专项征集 the chat can offer when a suggestion starts."""

    id: int
    topic: str


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item of this citizen the engine may need to name."""

    ticket: str
    kind: str
    title: str


@dataclass(frozen=True, slots=True)
class Followups:
    """The citizen's items that wait on them, and the open campaigns (loaded through the port)."""

    waiting: tuple[ItemRef, ...] = ()  # 事前/事中沟通: staff wait for the citizen's answer
    rating_due: tuple[ItemRef, ...] = ()  # the satisfaction question was asked, not yet answered
    campaigns: tuple[Campaign, ...] = ()
    later: bool = False  # a question went out that was not yet on screen: it counts from the next message


@dataclass(frozen=True, slots=True)
class Context:
    """What the engine may know besides the conversation: loaded by the caller before a step."""

    now: datetime
    followups: Followups = field(default_factory=Followups)
    resume_after_s: int = 1800
    arriving: bool = False  # notices come with this reply: the citizen had not seen them yet
