"""The conversation state of one citizen: small, versioned, serialised to compact JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

SCHEMA_VERSION = 1
Mode = Literal[
    "idle",
    "form",
    "confirm_cancel",
    "resume",
    "pick_item",
    "comment",
    "pick_campaign",
    "pick_kind",
    "pick_similar",
]


@dataclass(slots=True)
class Draft:
    """A form being filled in."""

    kind: str
    key: str  # submission key: a retried submit of this draft never makes a second item
    step: int = 0  # index of the field being asked; == len(fields) means the summary
    values: dict[str, Any] = field(default_factory=dict)
    editing: bool = False  # came from the summary through 修改 N


@dataclass(slots=True)
class Conversation:
    mode: Mode = "idle"
    draft: Draft | None = None
    last_at: int = 0  # unix seconds of the last message handled
    greeted: bool = False
    aside: dict[str, Any] = field(default_factory=dict)  # what a pick/comment mode holds on to
    turn: int = 0  # counts the steps: a button (or the web page) says which turn it was shown in
    known: dict[str, Any] = field(default_factory=dict)  # name, phone (v: verified) given last time

    def remember(self, name: Any, phone: Any, verified: Any) -> None:
        """Keep the name and phone just filed with, to offer them back next time."""
        if name and phone:
            self.known = {"name": str(name), "phone": str(phone)} | ({"v": 1} if verified == phone else {})

    def copy(self) -> Conversation:
        """A copy the engine may change freely (values are strings or lists of strings)."""
        draft = None
        if (d := self.draft) is not None:
            values = {k: list(v) if isinstance(v, list) else v for k, v in d.values.items()}
            draft = Draft(d.kind, d.key, d.step, values, d.editing)
        aside = {k: list(v) if isinstance(v, list) else v for k, v in self.aside.items()}
        return Conversation(self.mode, draft, self.last_at, self.greeted, aside, self.turn, dict(self.known))

    def to_bytes(self) -> bytes:
        doc: dict[str, Any] = {
            "v": SCHEMA_VERSION,
            "m": self.mode,
            "t": self.last_at,
            "g": int(self.greeted),
            "n": self.turn,
        }
        if self.aside:
            doc["a"] = self.aside
        if self.known:
            doc["k"] = self.known
        if self.draft is not None:
            d = self.draft
            doc["d"] = {"k": d.kind, "y": d.key, "s": d.step, "x": d.values, "e": int(d.editing)}
        return orjson.dumps(doc)

    @classmethod
    def from_bytes(cls, raw: bytes | str | None) -> Conversation:
        """Load a stored state; anything unreadable or of another schema starts afresh."""
        if not raw:
            return cls()
        try:
            doc = orjson.loads(raw)
            if doc.get("v") != SCHEMA_VERSION:
                return cls()
            draft = None
            if d := doc.get("d"):
                draft = Draft(
                    kind=d["k"], key=d["y"], step=int(d["s"]), values=dict(d["x"]), editing=bool(d["e"])
                )
            aside = dict(doc.get("a") or {})
            return cls(
                mode=doc["m"],
                draft=draft,
                last_at=int(doc["t"]),
                greeted=bool(doc["g"]),
                aside=aside,
                turn=int(doc.get("n", 0)),
                known=dict(doc.get("k") or {}),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return cls()
