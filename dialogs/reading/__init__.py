"""Reading a citizen's own words: what kind of matter, which category, a short title, the place,
and what they ask for. Pure (no I/O after the first use: the word lists are package data, read
then, with the place names added to rjieba's dictionary — ~0.3 s a process pays only once it
reads a message, not ``minyi-admin`` on every command)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reading", "looks_like_matter", "normalise", "read"]


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
    """What a citizen's message says: kind, categories, title, place, request and number of matters."""
    from dialogs.reading.reader import read as reading

    return reading(text)


def looks_like_matter(text: str) -> bool:
    """Whether a message sent at the menu tells a matter worth starting a form with."""
    from dialogs.reading.matter import looks_like_matter as looks

    return looks(text)


def normalise(text: str) -> str:
    """Traditional → simplified, full-width ASCII → half-width, control characters dropped."""
    from dialogs.reading.cleaning import normalise as normalised

    return normalised(text)
