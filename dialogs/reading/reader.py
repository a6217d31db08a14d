"""The reader itself (imported on first use by ``dialogs.reading``)."""

from __future__ import annotations

from dialogs.reading import Reading
from dialogs.reading.clauses import Clause, clauses, is_intro
from dialogs.reading.cleaning import normalise
from dialogs.reading.evidence import ORDER, Evidence
from dialogs.reading.place import best_place, found, names, tokens
from dialogs.reading.summary import matter_starts, request, requests_of, title

_INTRO_CUES = 2.0


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
