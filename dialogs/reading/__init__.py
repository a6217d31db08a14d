"""Reading a citizen's own words: what kind of matter, which category, a short title, the place,
and what they ask for. Pure (no I/O after import: the word lists are package data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # normalised: traditional → simplified, full-width ASCII → half-width, cleaned
    kind: str | None  # "suggestion" | "complaint" | None when nothing points either way
    categories: dict[str, tuple[str, ...]]  # per kind: that form's categories with evidence, best first
    title: str  # ≤ 20 characters, the core of the problem in the citizen's words
    place: str | None  # a named place (district, street, road, 小区, landmark) as written, or None
    request: str | None  # what they ask for (诉求 / 对策), the clause as written, or None
    matters: int = 1  # 2 or more when the text seems to hold separate matters


def read(text: str) -> Reading:
    raise NotImplementedError  # implemented in dialogs/reading/ (issue 12)
