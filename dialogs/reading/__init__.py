"""Reading a citizen's own words: what kind of matter, which category, a short title, the place,
and what they ask for. Pure (no I/O after import: the word lists are package data)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.reading.clauses import Clause, clauses, is_intro
from dialogs.reading.evidence import ORDER, Evidence
from dialogs.reading.matter import looks_like_matter
from dialogs.reading.normalise import normalise
from dialogs.reading.place import best_place, found, names, tokens
from dialogs.reading.summary import matter_starts, request, requests_of, title

_INTRO_CUES = 2.0
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


def _introduces(text: str, part: Clause, evidence: Evidence) -> bool:
    """Whether a clause only introduces the citizen (我是…的, 我住在…) and holds no cue of a matter."""
    return is_intro(text, part) and sum(evidence.cue_scores(part.start, part.end).values()) < _INTRO_CUES


def read(text: str) -> Reading:
    """What a citizen's message says: kind, categories, title, place, request and number of matters."""
    clean = normalise(text)
    words = tokens(clean)
    places = found(clean, words)
    evidence = Evidence.of(clean, names(clean, places))
    kind = evidence.kind()
    starts = matter_starts(clean, evidence, kind, {place.start for place in places})
    first = starts[1] if len(starts) > 1 else len(clean)
    kind = evidence.kind(0, first) or kind
    parts = clauses(clean)
    asks = requests_of(clean, parts)
    intro = [_introduces(clean, part, evidence) for part in parts]
    kept = [i for i, aside in enumerate(intro) if not aside and parts[i].start < first]
    kept = kept or [i for i, part in enumerate(parts) if part.start < first] or list(range(len(parts)))
    aside = [(part.start, part.end) for part, skip in zip(parts, intro, strict=True) if skip]
    return Reading(
        text=clean,
        kind=kind,
        categories={form: _ranked(evidence, form, first) for form in ORDER},
        title=title(clean, [parts[i] for i in kept], [asks[i] for i in kept], evidence, words),
        place=best_place(clean, places, aside, first),
        request=request(clean, parts, asks),
        matters=len(starts),
    )


def _ranked(evidence: Evidence, form: str, first: int) -> tuple[str, ...]:
    """The form's categories with evidence: the first matter's best first, then the rest's."""
    ranked = evidence.ranked(form, 0, first)
    return ranked + tuple(label for label in evidence.ranked(form) if label not in ranked)
